/**
 * EMAIL_DELIVERY=okta (the default) with SMTP_URL set: Okta still sends the recovery email (we
 * send none), and after the reset our password-changed notice arrives over real SMTP.
 */
import { ManualClock } from '../../src/clock.js';
import { demoUsers, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { csrfTokenIn, type Browser } from '../helpers/browser.js';
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';
import { SmtpInbox, type ReceivedMail } from '../helpers/smtp-inbox.js';

const PUBLIC_URL = 'http://127.0.0.1:3000';
let emulator: RunningEmulator;
let inbox: SmtpInbox;
let service: ServiceUnderTest;

beforeEach(async () => {
  const clock = new ManualClock(Date.UTC(2025, 5, 1, 8, 30, 0));
  emulator = await startEmulator({ publicUrl: PUBLIC_URL, clock, users: demoUsers() });
  inbox = await SmtpInbox.start();
  service = await startTestService({ PUBLIC_URL, SMTP_URL: inbox.url, MAIL_FROM: 'no-reply@acme.example' }, { oktaOrgUrl: emulator.url, clock });
});
afterEach(async () => {
  await service.close();
  await inbox.stop();
  await emulator.close();
});

async function post(browser: Browser, page: string, fields: Record<string, string> = {}) {
  const form = await browser.get(page);
  return browser.postForm(page, { _csrf: csrfTokenIn(form.text), ...fields });
}

it('leaves the recovery email to Okta and sends only the notice, with nothing secret in it', async () => {
  const browser = service.browser({ 'accept-language': 'en-US' });
  expect((await post(browser, '/forgot-password', { username: 'bob@example.com' })).location).toBe('/forgot-password/sent');
  // Okta's public variant: no API token, factorType EMAIL, and the email came from "Okta".
  const [start] = emulator.requests.filter((request) => request.path === '/api/v1/authn/recovery/password');
  expect(start?.authorization.present).toBe(false);
  expect(start?.body).toMatchObject({ factorType: 'EMAIL' });
  const link = [...emulator.outbox].reverse().find((mail) => mail.to.includes('bob@example.com'))?.link;
  if (!link) throw new Error('Okta sent no link');

  await service.deps.mailer?.queue.idle();
  expect(inbox.received).toHaveLength(0);

  expect((await browser.get(new URL(link).pathname)).location).toBe('/reset-password');
  expect((await post(browser, '/reset-password')).location).toBe('/reset-password/new-password');
  const newPassword = 'Builder-Mk2-2025';
  expect((await post(browser, '/reset-password/new-password', { newPassword, confirmPassword: newPassword })).location).toBe('/reset-password/done');

  await service.deps.mailer?.queue.idle();
  const [notice] = (await inbox.waitForCount(1)) as [ReceivedMail];
  expect(notice.envelopeTo).toEqual(['bob@example.com']);
  expect(notice.parsed.subject).toBe('Your Acme password was changed');
  // Bob's Okta time zone is America/New_York.
  expect(notice.parsed.text).toContain('was changed on June 1, 2025 at 4:30 AM EDT.');
  expect(notice.parsed.text).toContain("If this wasn't you, contact your IT support immediately");
  const token = link.slice(link.lastIndexOf('/') + 1);
  expect(notice.raw).not.toContain(token);
  expect(notice.raw).not.toContain(newPassword);
  expect(notice.raw).not.toMatch(/https?:\/\//);
  expect(notice.parsed.html).toBeTruthy();
});
