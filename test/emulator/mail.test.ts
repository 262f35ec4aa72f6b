/**
 * Okta's e-mails (contract §9): the outbox contents and link format, and real SMTP delivery to an
 * in-process smtp-server when `smtpUrl` is set.
 */
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { PUBLIC_URL, closeAll, emulator } from './helpers.js';

afterEach(closeAll);

it('the Forgot Password e-mail links to our domain and keeps Okta’s own link hidden', async () => {
  const e = await emulator({ mailFrom: 'Acme Okta <noreply@acme.test>' });
  await e.post('/recovery/password', { username: 'ALICE@example.com', factorType: 'EMAIL' });
  expect(e.outbox).toHaveLength(1);
  const mail = e.outbox[0];
  if (!mail) throw new Error('no mail');
  const token = mail.link?.split('/').pop() ?? '';
  expect(token).toMatch(/^[A-Za-z0-9]{20}$/);
  expect(mail).toMatchObject({
    template: 'ForgotPassword',
    to: 'alice@example.com',
    from: 'Acme Okta <noreply@acme.test>',
    subject: 'Account password reset',
    link: `${PUBLIC_URL}/reset-password/${token}`,
    oktaLink: `${e.url}/signin/reset-password/${token}`,
    date: new Date(e.clock.now()).toISOString(),
  });
  expect(mail.id).toMatch(/^<.+@.+>$/);
  expect(mail.text).toContain(`Reset your password: ${PUBLIC_URL}/reset-password/${token}`);
  expect(mail.text).toContain('expires in 1 hour(s)');
  expect(mail.text).toContain('Hi Alice,');
  expect(mail.html).toContain(`<a id="reset-password-link" href="${PUBLIC_URL}/reset-password/${token}">`);
  expect(mail.html).toContain(`<div style="display:none">${e.url}/signin/reset-password/${token}</div>`);
  // The link works.
  expect((await e.post('/recovery/token', { recoveryToken: token })).body.status).toBe('RECOVERY');
});

it('escapes user data in the HTML', async () => {
  const e = await emulator({
    users: [
      {
        id: '00uEvil', login: 'evil@example.com', email: 'evil@example.com', firstName: '<b>Eve</b>', lastName: 'X',
        status: 'ACTIVE', password: 'Old-Password-1',
      },
    ],
  });
  await e.post('/recovery/password', { username: 'evil@example.com', factorType: 'EMAIL' });
  expect(e.outbox[0]?.html).toContain('&lt;b&gt;Eve&lt;/b&gt;');
  expect(e.outbox[0]?.html).not.toContain('<b>Eve</b>');
});

it('a trailing slash on publicUrl does not double up in the link', async () => {
  const e = await emulator({ publicUrl: `${PUBLIC_URL}/` });
  await e.post('/recovery/password', { username: 'alice@example.com', factorType: 'EMAIL' });
  expect(e.outbox[0]?.link).toMatch(new RegExp(`^${PUBLIC_URL}/reset-password/[A-Za-z0-9]{20}$`));
});

describe('SMTP delivery', () => {
  let server: SMTPServer;
  let received: Array<{ to: string[]; raw: Buffer }>;
  let port: number;

  beforeEach(async () => {
    received = [];
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks) });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('delivers the Forgot Password e-mail over SMTP and records it in the outbox', async () => {
    const e = await emulator({ smtpUrl: `smtp://127.0.0.1:${port}`, mailFrom: 'Okta <noreply@acme.test>' });
    await e.post('/recovery/password', { username: 'alice@example.com', factorType: 'EMAIL' });
    expect(received).toHaveLength(1);
    expect(received[0]?.to).toEqual(['alice@example.com']);
    const parsed = await simpleParser(received[0]?.raw ?? Buffer.alloc(0));
    expect(parsed.subject).toBe('Account password reset');
    expect(parsed.from?.value[0]).toMatchObject({ name: 'Okta', address: 'noreply@acme.test' });
    const link = e.outbox[0]?.link ?? '';
    expect(link).toMatch(new RegExp(`^${PUBLIC_URL}/reset-password/[A-Za-z0-9]{20}$`));
    expect(parsed.text).toContain(link);
    expect(parsed.html).toContain(`href="${link}"`);
    expect(parsed.messageId).toBe(e.outbox[0]?.id);
  });

  it('an unreachable SMTP server never fails the API call (Okta mails asynchronously, §1.2)', async () => {
    const e = await emulator({ smtpUrl: 'smtp://127.0.0.1:1' });
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const res = await e.post('/recovery/password', { username: 'alice@example.com', factorType: 'EMAIL' });
      expect(res.status).toBe(200);
      expect(e.outbox).toHaveLength(0);
      expect(errors).toHaveBeenCalledTimes(1);
      expect(String(errors.mock.calls[0]?.[0])).not.toMatch(/reset-password\//);
    } finally {
      errors.mockRestore();
    }
  });
});
