/**
 * EMAIL_DELIVERY=service end to end, over real sockets only: browser → our service → the Okta
 * emulator (trusted variant, SSWS) → our queue → a real SMTP server → mailparser. The link in
 * the delivered email completes a recovery, and the password-changed notice follows.
 */
import http from 'node:http';
import { ManualClock } from '../../src/clock.js';
import { demoUsers, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { csrfTokenIn, type Browser } from '../helpers/browser.js';
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';
import { SmtpInbox, type ReceivedMail } from '../helpers/smtp-inbox.js';
import { signsIn } from '../helpers/emulated.js';

const PUBLIC_URL = 'https://account.acme.example';
const API_TOKEN = 'ssws-test-token-0123456789abcdef';
const SERVICE_ENV = {
  PUBLIC_URL,
  EMAIL_DELIVERY: 'service',
  OKTA_API_TOKEN: API_TOKEN,
  MAIL_FROM: 'Acme Accounts <no-reply@acme.example>',
  BRAND_NAME: 'Acme',
  BRAND_LOGO_URL: 'https://cdn.acme.example/logo.png',
  BRAND_PRIMARY_COLOR: '#0b5fff',
  SUPPORT_CONTACT: 'helpdesk@acme.example',
  TRUST_PROXY: 'true',
  MAIL_RETRY_BASE_MS: '20',
};

let clock: ManualClock;
let emulator: RunningEmulator;
let inbox: SmtpInbox;
let service: ServiceUnderTest;

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2025, 0, 15, 10, 0, 0));
  emulator = await startEmulator({ publicUrl: PUBLIC_URL, apiToken: API_TOKEN, clock, users: demoUsers() });
  inbox = await SmtpInbox.start();
  service = await startTestService({ ...SERVICE_ENV, SMTP_URL: inbox.url }, { oktaOrgUrl: emulator.url, clock });
});
afterEach(async () => {
  await service.close();
  await inbox.stop();
  await emulator.close();
});

function queue() {
  const mailer = service.deps.mailer;
  if (!mailer) throw new Error('SMTP_URL is set, so the service must have a mailer');
  return mailer.queue;
}

/** A raw HTTP POST, because fetch will not send a Host header of our choosing. */
function rawPostJson(path: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = new URL(path, service.url);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), origin: PUBLIC_URL, ...headers } },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

async function requestLinkByForm(browser: Browser, login: string): Promise<void> {
  const form = await browser.get('/forgot-password');
  const response = await browser.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username: login });
  expect(response.status).toBe(303);
  expect(response.location).toBe('/forgot-password/sent');
}

async function post(browser: Browser, page: string, fields: Record<string, string> = {}) {
  const form = await browser.get(page);
  return browser.postForm(page, { _csrf: csrfTokenIn(form.text), ...fields });
}

/** What a reader of the HTML part sees: tags gone, entities decoded, whitespace collapsed. */
function visibleText(html: string | false | undefined): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#x27': "'", '#39': "'" };
  return String(html)
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#x27|#39);/g, (_whole, name: string) => entities[name] ?? '')
    .replace(/\s+/g, ' ');
}

function linkIn(mail: ReceivedMail): string {
  const match = /https?:\/\/\S+\/reset-password\/[A-Za-z0-9_-]+/.exec(mail.parsed.text ?? '');
  if (!match) throw new Error('no reset link in the text part');
  return match[0];
}

it('mails a branded link built from PUBLIC_URL, even when the request names another host', async () => {
  const response = await rawPostJson(
    '/api/recovery/start',
    { username: 'alice@example.com' },
    { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http', 'x-forwarded-for': '203.0.113.7', 'user-agent': 'Mozilla/5.0 (MailTest) Firefox/140', 'accept-language': 'en-GB' },
  );
  expect(response.status).toBe(202);
  expect(JSON.parse(response.body)).toEqual({ status: 'EMAIL_SENT' });
  await queue().idle();

  expect(inbox.received).toHaveLength(1);
  const [mail] = inbox.received as [ReceivedMail];
  expect(mail.envelopeTo).toEqual(['alice@example.com']);
  expect(mail.parsed.from?.value).toEqual([{ name: 'Acme Accounts', address: 'no-reply@acme.example' }]);
  expect(mail.parsed.subject).toBe('Reset your Acme password');
  expect(mail.parsed.headers.get('content-language')).toBe('en');

  // Both parts, the same link in each, on PUBLIC_URL and nowhere else.
  const link = linkIn(mail);
  const token = link.slice(link.lastIndexOf('/') + 1);
  expect(link).toBe(`${PUBLIC_URL}/reset-password/${token}`);
  expect(emulator.getUser('alice@example.com')).toBeDefined();
  expect(mail.parsed.html).toEqual(expect.stringContaining(`href="${link}"`));
  expect(mail.raw).not.toContain('evil.example');

  // The brand, the greeting from Okta's profile, and the expiry from Okta's expiresAt (60 min, §1.5) in her zone.
  for (const part of [mail.parsed.text ?? '', visibleText(mail.parsed.html)]) {
    expect(part).toContain('Hello Alice,');
    expect(part).toContain('expires on January 15, 2025 at 11:00 AM GMT, 60 minutes after');
    expect(part).toContain('helpdesk@acme.example');
  }
  expect(mail.parsed.html).toEqual(expect.stringContaining('src="https://cdn.acme.example/logo.png"'));
  expect(mail.parsed.html).toEqual(expect.stringContaining('#0b5fff'));

  // Okta was asked by the trusted variant (no factorType), with the end user's context.
  const [call] = emulator.requests.filter((request) => request.path === '/api/v1/authn/recovery/password');
  expect(call?.authorization).toEqual({ present: true, scheme: 'SSWS' });
  expect(call?.body).toEqual({ username: 'alice@example.com' });
  expect(call?.userAgent).toBe('Mozilla/5.0 (MailTest) Firefox/140');
  expect(call?.acceptLanguage).toBe('en-GB');
  expect(call?.xForwardedFor).toBe('203.0.113.7');

  // No secret in any log line.
  const logs = service.logs.join('\n');
  expect(logs).not.toContain(token);
  expect(logs).not.toContain(API_TOKEN);
  expect(logs).toContain('"event":"mail.sent"');
});

it('completes a recovery from the link in the delivered email, then sends the password-changed notice', async () => {
  const browser = service.browser({ 'user-agent': 'Mozilla/5.0 (MailTest) Firefox/140' });
  await requestLinkByForm(browser, 'alice@example.com');
  await queue().idle();
  const link = linkIn((await inbox.waitForCount(1))[0] as ReceivedMail);

  // Opened on our domain: the path of the emailed link.
  expect((await browser.get(new URL(link).pathname)).location).toBe('/reset-password');
  expect((await post(browser, '/reset-password')).location).toBe('/reset-password/question');
  expect((await post(browser, '/reset-password/question', { answer: 'Brussels sprouts' })).location).toBe('/reset-password/new-password');
  const newPassword = 'Looking-Glass-42';
  const done = await post(browser, '/reset-password/new-password', { newPassword, confirmPassword: newPassword });
  expect(done.location).toBe('/reset-password/done');
  expect(await signsIn(emulator.url, 'alice@example.com', newPassword)).toBe(true);

  await queue().idle();
  expect(inbox.received).toHaveLength(2);
  const notice = inbox.received[1] as ReceivedMail;
  expect(notice.envelopeTo).toEqual(['alice@example.com']);
  expect(notice.parsed.subject).toBe('Your Acme password was changed');
  for (const part of [notice.parsed.text ?? '', visibleText(notice.parsed.html)]) {
    expect(part).toContain('was changed on January 15, 2025 at 10:00 AM GMT');
    expect(part).toContain("If this wasn't you, contact helpdesk@acme.example immediately");
  }
  // Nothing secret: no link, no token, no password.
  const token = link.slice(link.lastIndexOf('/') + 1);
  expect(notice.raw).not.toContain(token);
  expect(notice.raw).not.toContain(newPassword);
  expect(notice.raw).not.toContain('/reset-password/');
  expect(service.logs.join('\n')).not.toContain(newPassword);
  expect(queue().counters).toMatchObject({ sent: 2, failed: 0 });
});

describe('the answer never depends on the account', () => {
  const cases = [
    ['a known, active user', 'bob@example.com'],
    ['an unknown user (Okta: 403 E0000095)', 'nobody@example.com'],
    ['a suspended user (Okta: 403 E0000034)', 'dave@example.com'],
  ] as const;

  it('answers every username identically and mails only the known one', async () => {
    const answers: Array<{ status: number; body: string }> = [];
    for (const [, login] of cases) answers.push(await rawPostJson('/api/recovery/start', { username: login }, {}));
    for (const answer of answers) expect(answer).toEqual({ status: 202, body: JSON.stringify({ status: 'EMAIL_SENT' }) });

    const pages: string[] = [];
    for (const [, login] of cases) {
      const browser = service.browser();
      await requestLinkByForm(browser, login);
      pages.push((await browser.get('/forgot-password/sent')).text);
    }
    expect(new Set(pages).size).toBe(1);

    await queue().idle();
    expect(inbox.received.map((mail) => mail.envelopeTo)).toEqual([['bob@example.com'], ['bob@example.com']]);
    expect(queue().counters).toMatchObject({ enqueued: 6, sent: 2, skipped: 4, failed: 0 });
    const skips = service.logs.filter((line) => line.includes('"event":"mail.skipped"'));
    expect(skips.filter((line) => line.includes('"oktaErrorCode":"E0000095"'))).toHaveLength(2);
    expect(skips.filter((line) => line.includes('"oktaErrorCode":"E0000034"'))).toHaveLength(2);
  });

  it('answers the same while Okta is down: the response never waits for Okta', async () => {
    emulator.forceOutage(true);
    const answer = await rawPostJson('/api/recovery/start', { username: 'bob@example.com' }, {});
    expect(answer).toEqual({ status: 202, body: JSON.stringify({ status: 'EMAIL_SENT' }) });
    await queue().idle();
    expect(inbox.received).toHaveLength(0);
    expect(service.logs.some((line) => line.includes('"reason":"okta-unavailable"'))).toBe(true);
    // Not retried: the POST might have issued a token (got's rule for POSTs).
    expect(emulator.requests.filter((request) => request.path === '/api/v1/authn/recovery/password')).toHaveLength(1);
  });
});
