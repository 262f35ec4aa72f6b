/**
 * Account enumeration at the start step (OWASP Forgot Password cheat sheet "Return a consistent
 * message for both existent and non-existent accounts"; ASVS v4 2.5.x / v5 6.4; WSTG-IDNT-04).
 * Whatever Okta knows about the username — active, unknown, locked out, suspended, deprovisioned,
 * or a refusal (E0000034, E0000006, E0000119, E0000095, a 403 E0000005) — the page form and the
 * JSON API answer byte for byte the same. With EMAIL_DELIVERY=okta the emulator's public
 * endpoint answers everyone alike, so the nock refusals are what tell the cases apart; with
 * EMAIL_DELIVERY=service the emulator's trusted variant answers 403 E0000095 / E0000034 for some
 * users, and the answer must still not move (test/integration/mail-service.test.ts compares
 * status and body there; this adds headers and cookies, and all five kinds of user).
 *
 * What is compared, and why each exception:
 * - status, body, Location, every Set-Cookie line, and every header name and value;
 * - except `Date` (the wall clock, which may tick between two requests);
 * - X-Request-Id is masked: without TRUST_PROXY it is our own random id per request (a client's
 *   is only logged beside it), and nothing about the user enters it; Content-Length is compared
 *   as sent (equal bodies);
 * - on pages that carry a form, the CSRF token's value is masked: it is random per render by
 *   design (the `csrf` library salts each token), and nothing about the user enters it.
 * Timing is a side channel too, but it is measured by the benchmark (bench/), not asserted here:
 * this machine is shared and noisy, so a timing assertion would be flaky, not informative.
 */
import { csrfTokenIn, type Browser, type BrowserResponse } from '../helpers/browser.js';
import { startEmulatedService, LENIENT_LIMITS, type EmulatedService } from '../helpers/emulated.js';
import { fixture, type RecordedResponse } from '../helpers/fixtures.js';
import { OktaMock, PATHS } from '../helpers/okta-nock.js';
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';
import { SmtpInbox } from '../helpers/smtp-inbox.js';

const REQUEST_ID = 'enumeration-probe-0001';
const okta = new OktaMock();
const API_TOKEN = 'ssws-enumeration-token-0123456789abcdef';
let emulated: EmulatedService;
let mocked: ServiceUnderTest;
/** EMAIL_DELIVERY=service: here Okta's trusted variant does tell users apart (E0000095, E0000034). */
let trusted: EmulatedService;
let inbox: SmtpInbox;

beforeAll(async () => {
  // One sign-in address for both, as one deployment has: "Back to sign in" would otherwise name each one's Okta.
  const SAME = { ...LENIENT_LIMITS, SIGN_IN_URL: 'https://acme.example/login' };
  emulated = await startEmulatedService(SAME);
  mocked = await startTestService(SAME);
  inbox = await SmtpInbox.start();
  trusted = await startEmulatedService(
    { ...LENIENT_LIMITS, EMAIL_DELIVERY: 'service', OKTA_API_TOKEN: API_TOKEN, SMTP_URL: inbox.url, MAIL_FROM: 'Acme <no-reply@acme.example>' },
    { apiToken: API_TOKEN },
  );
});
afterAll(async () => {
  await emulated.close();
  await mocked.close();
  await trusted.close();
  await inbox.stop();
});
beforeEach(() => okta.reset());

interface Fingerprint {
  status: number;
  location: string | null;
  body: string;
  headers: Array<[string, string]>;
  setCookies: string[];
}

function fingerprint(response: BrowserResponse): Fingerprint {
  const headers = [...response.headers.entries()]
    .filter(([name]) => name !== 'date' && name !== 'set-cookie')
    .map(([name, value]): [string, string] => [name, name === 'x-request-id' ? '[request id]' : value])
    .sort();
  return {
    status: response.status,
    location: response.location,
    body: response.text.replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value="[csrf]"'),
    headers,
    setCookies: response.headers.getSetCookie(),
  };
}

/** The page form: GET the form (gets the CSRF cookie), POST it, then follow the one redirect. */
async function viaPage(service: ServiceUnderTest, username: string): Promise<Fingerprint[]> {
  const browser: Browser = service.browser({ 'x-request-id': REQUEST_ID });
  const form = await browser.get('/forgot-password');
  const posted = await browser.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username });
  const next = posted.location ? await browser.get(posted.location) : undefined;
  return [fingerprint(posted), ...(next ? [fingerprint(next)] : [])];
}

async function viaApi(service: ServiceUnderTest, username: string): Promise<Fingerprint[]> {
  return [fingerprint(await service.browser({ 'x-request-id': REQUEST_ID }).postJson('/api/recovery/start', { username }))];
}

const EMULATED_USERS = [
  ['an active user', 'alice@example.com'],
  ['an unknown user', 'nobody-at-all@example.com'],
  ['a LOCKED_OUT user', 'carol@example.com'],
  ['a SUSPENDED user', 'dave@example.com'],
  ['a DEPROVISIONED user', 'erin@example.com'],
] as const;

const REFUSALS: ReadonlyArray<readonly [string, () => RecordedResponse]> = [
  ['a recovery challenge (200)', () => fixture('recovery-challenge-email.json')],
  ['E0000034 forgot password not allowed', () => ({ status: 403, body: { errorCode: 'E0000034', errorSummary: 'Forgot password not allowed on specified user.', errorLink: 'E0000034', errorId: 'oaeE34', errorCauses: [] } })],
  ['E0000006 no permission', () => fixture('error-forbidden.json')],
  ['E0000119 account locked', () => ({ status: 403, body: { errorCode: 'E0000119', errorSummary: 'Your account is locked. Please contact your administrator.', errorLink: 'E0000119', errorId: 'oaeE119', errorCauses: [] } })],
  ['E0000095 unknown user (trusted variant)', () => ({ status: 403, body: { errorCode: 'E0000095', errorSummary: 'Recovery not allowed for unknown user.', errorLink: 'E0000095', errorId: 'oaetVarN2dKS6ap08dq0k4n7A', errorCauses: [] } })],
  ['a 403 E0000005-like refusal', () => ({ status: 403, body: { errorCode: 'E0000005', errorSummary: 'Invalid session', errorLink: 'E0000005', errorId: 'oaeE5', errorCauses: [] } })],
];

describe.each([
  ['the page form (POST /forgot-password, then its redirect)', viaPage],
  ['the JSON API (POST /api/recovery/start)', viaApi],
] as const)('%s', (_surface, start) => {
  it('answers every kind of user the same, through the real emulator', async () => {
    const answers = new Map<string, Fingerprint[]>();
    for (const [name, username] of EMULATED_USERS) answers.set(name, await start(emulated.service, username));
    const baseline = answers.get('an active user');
    // Guard against comparing nothing with nothing: the baseline must be the "email sent" answer.
    expect(baseline?.[0]?.status).toBe(start === viaApi ? 202 : 303);
    expect(new Map(baseline?.[0]?.headers).get('x-request-id')).toBe('[request id]');
    expect(new Map(baseline?.[0]?.headers).has('content-security-policy')).toBe(true);
    for (const [name, answer] of answers) expect({ name, answer }).toEqual({ name, answer: baseline });
    // Okta was asked about every one of them: the sameness is not the service skipping Okta.
    const asked = emulated.emulator.requests.filter((request) => request.path === '/api/v1/authn/recovery/password').map((request) => request.body?.username);
    for (const [, username] of EMULATED_USERS) expect({ username, asked: asked.includes(username) }).toEqual({ username, asked: true });
    // The active user really got an email and nobody else did: the sameness is not a dead Okta.
    const recipients = emulated.emulator.outbox.map((mail) => mail.to);
    expect(recipients.some((to) => to.includes('alice@example.com'))).toBe(true);
    expect(recipients.some((to) => to.includes('nobody-at-all@example.com'))).toBe(false);
  });

  it('answers every Okta refusal at start exactly like a recovery challenge (nock, recorded bodies)', async () => {
    const answers = new Map<string, Fingerprint[]>();
    for (const [name, recorded] of REFUSALS) {
      okta.reply(PATHS.start, recorded());
      answers.set(name, await start(mocked, 'someone@example.com'));
    }
    okta.assertAllUsed();
    expect(okta.callsTo(PATHS.start)).toHaveLength(REFUSALS.length);
    const baseline = answers.get('a recovery challenge (200)');
    expect(baseline?.[0]?.status).toBe(start === viaApi ? 202 : 303);
    for (const [name, answer] of answers) expect({ name, answer }).toEqual({ name, answer: baseline });
  });

  it('answers every kind of user the same with EMAIL_DELIVERY=service, where Okta itself answers them differently', async () => {
    const answers = new Map<string, Fingerprint[]>();
    for (const [name, username] of EMULATED_USERS) answers.set(name, await start(trusted.service, username));
    await trusted.service.deps.mailer?.queue.idle();
    const baseline = answers.get('an active user');
    expect(baseline?.[0]?.status).toBe(start === viaApi ? 202 : 303);
    for (const [name, answer] of answers) expect({ name, answer }).toEqual({ name, answer: baseline });
    // Okta really did refuse some of them (after the answer had gone: the queue asks it).
    const statuses = trusted.emulator.requests.filter((request) => request.path === '/api/v1/authn/recovery/password').map((request) => request.status);
    expect(statuses).toContain(200);
    expect(statuses).toContain(403);
  });

  it('answers the emulator and the refusals with the same bytes as each other', async () => {
    okta.reply(PATHS.start, REFUSALS[1]![1]());
    const refused = await start(mocked, 'someone@example.com');
    const known = await start(emulated.service, 'bob@example.com');
    expect(refused).toEqual(known);
  });
});
