/**
 * The trusted-application call as Okta sees it (nock at the Okta boundary, our fixture
 * recovery-with-token.json): the SSWS header, no factorType, the user's context, relayState;
 * and what each Okta refusal does (nothing visible, logged and counted, never retried).
 */
import { fixture, withBody } from '../helpers/fixtures.js';
import { OktaMock, PATHS } from '../helpers/okta-nock.js';
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';
import { SmtpInbox, type ReceivedMail } from '../helpers/smtp-inbox.js';

const API_TOKEN = 'ssws-nock-token-0123456789abcdef';
const RECORDED_TOKEN = 'VBQ0gwBp5LyJJFdbmWCM';
const okta = new OktaMock();
let inbox: SmtpInbox;
let service: ServiceUnderTest;

beforeEach(async () => {
  okta.reset();
  inbox = await SmtpInbox.start();
  service = await startTestService({
    EMAIL_DELIVERY: 'service',
    OKTA_API_TOKEN: API_TOKEN,
    SMTP_URL: inbox.url,
    MAIL_FROM: 'no-reply@acme.example',
    TRUST_PROXY: 'true',
  });
});
afterEach(async () => {
  await service.close();
  await inbox.stop();
});

const queue = () => service.deps.mailer!.queue;

it('asks Okta with the SSWS token and the user context, and mails the recorded token', async () => {
  const recovery = withBody(fixture('recovery-with-token.json'), { expiresAt: new Date(service.clock.now() + 60 * 60 * 1000).toISOString() });
  okta.reply(PATHS.start, recovery);
  const browser = service.browser({ 'user-agent': 'Mozilla/5.0 (NockOS) Firefox/140', 'accept-language': 'de-CH', 'x-forwarded-for': '198.51.100.23' });
  const response = await browser.postJson('/api/recovery/start', { username: ' jordan.lee@acme.example ', relayState: 'http://127.0.0.1:3000/welcome' });
  expect(response.status).toBe(202);
  await queue().idle();
  okta.assertAllUsed();

  const [call] = okta.callsTo(PATHS.start);
  expect(call?.headers.authorization).toBe(`SSWS ${API_TOKEN}`);
  expect(call?.body).toEqual({ username: 'jordan.lee@acme.example', relayState: 'http://127.0.0.1:3000/welcome' });
  expect(call?.headers['user-agent']).toBe('Mozilla/5.0 (NockOS) Firefox/140');
  expect(call?.headers['accept-language']).toBe('de-CH');
  expect(call?.headers['x-forwarded-for']).toBe('198.51.100.23');

  const [mail] = (await inbox.waitForCount(1)) as [ReceivedMail];
  expect(mail.envelopeTo).toEqual(['jordan.lee@acme.example']);
  expect(mail.parsed.text).toContain(`http://127.0.0.1:3000/reset-password/${RECORDED_TOKEN}\n`);
  // Okta's profile says en_US and the zone America/Los_Angeles.
  expect(mail.parsed.headers.get('content-language')).toBe('en');
  expect(mail.parsed.text).toMatch(/expires on .* PST, 60 minutes after/);
  expect(service.logs.join('\n')).not.toContain(RECORDED_TOKEN);
  expect(service.logs.join('\n')).not.toContain(API_TOKEN);
});

it.each([
  ['unknown user', { status: 403, body: { errorCode: 'E0000095', errorSummary: 'Recovery not allowed for unknown user.', errorId: 'oaeUnknown1', errorCauses: [] } }],
  ['token lacks Manage users', fixture('error-forbidden.json')],
  ['rate limited', fixture('error-rate-limited.json')],
  ['Okta error', fixture('error-internal.json')],
])('on %s: same answer, no email, logged and counted, Okta called once', async (_name, recorded) => {
  okta.reply(PATHS.start, recorded);
  const response = await service.browser().postJson('/api/recovery/start', { username: 'someone@example.org' });
  expect(response.status).toBe(202);
  expect(response.json()).toEqual({ status: 'EMAIL_SENT' });
  await queue().idle();
  expect(okta.callsTo(PATHS.start)).toHaveLength(1);
  expect(inbox.received).toHaveLength(0);
  expect(queue().counters).toMatchObject({ skipped: 1, sent: 0, failed: 0 });
  const skip = service.logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.event === 'mail.skipped');
  expect(skip).toMatchObject({ kind: 'recovery', reason: expect.stringMatching(/^okta-(refused|unavailable)$/) });
});

it('skips a login that is not an email address, since there is nowhere to send it', async () => {
  const recovery = fixture('recovery-with-token.json');
  const user = { id: '00ub0oNGTSWTBKOLGLNR', profile: { login: 'isaac', firstName: 'Isaac', locale: 'en_US' } };
  okta.reply(PATHS.start, withBody(recovery, { _embedded: { user } }));
  await service.browser().postJson('/api/recovery/start', { username: 'isaac' });
  await queue().idle();
  expect(inbox.received).toHaveLength(0);
  expect(service.logs.some((line) => line.includes('"reason":"no-email-address"'))).toBe(true);
});
