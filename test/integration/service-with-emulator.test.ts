/**
 * The real service over real HTTP against the Okta emulator over real HTTP (no nock): the flows
 * and failures of issue 3's list, read from the emails the emulator "sent", with one clock
 * shared by both so lifetimes can be moved.
 */
import { ManualClock } from '../../src/clock.js';
import { demoUsers, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { csrfTokenIn, type Browser } from '../helpers/browser.js';
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';

const PUBLIC_URL = 'http://127.0.0.1:3000';
let clock: ManualClock;
let emulator: RunningEmulator;
let service: ServiceUnderTest;

beforeEach(async () => {
  clock = new ManualClock(Date.now());
  emulator = await startEmulator({ publicUrl: PUBLIC_URL, clock, users: demoUsers() });
  service = await startTestService({ PUBLIC_URL }, { oktaOrgUrl: emulator.url, clock });
});
afterEach(async () => {
  await service.close();
  await emulator.close();
});

/** The path of the newest email's link, as a user clicking it would open it on our domain. */
function latestLinkFor(login: string): string {
  const message = [...emulator.outbox].reverse().find((mail) => mail.to === login || mail.to.includes(login));
  if (!message?.link) throw new Error(`no recovery email with a link for ${login}`);
  expect(message.link.startsWith(`${PUBLIC_URL}/reset-password/`)).toBe(true);
  return new URL(message.link).pathname;
}

async function requestLink(browser: Browser, login: string) {
  const form = await browser.get('/forgot-password');
  const response = await browser.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username: login });
  expect(response.status).toBe(303);
  expect(response.location).toBe('/forgot-password/sent');
  return response;
}

async function post(browser: Browser, page: string, fields: Record<string, string> = {}) {
  const form = await browser.get(page);
  return browser.postForm(page, { _csrf: csrfTokenIn(form.text), ...fields });
}

async function openAndVerify(browser: Browser, linkPath: string) {
  expect((await browser.get(linkPath)).location).toBe('/reset-password');
  return post(browser, '/reset-password');
}

async function signInWorks(login: string, password: string): Promise<boolean> {
  const response = await fetch(`${emulator.url}/api/v1/authn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ username: login, password }),
  });
  return response.status === 200 && ((await response.json()) as { status: string }).status === 'SUCCESS';
}

it('recovers a password with a security question, wrong answer first', async () => {
  const browser = service.browser({ 'user-agent': 'Mozilla/5.0 (IntegrationOS) Firefox/140', 'accept-language': 'en-GB' });
  await requestLink(browser, 'alice@example.com');
  expect((await openAndVerify(browser, latestLinkFor('alice@example.com'))).location).toBe('/reset-password/question');
  const wrong = await post(browser, '/reset-password/question', { answer: 'broccoli' });
  expect(wrong.status).toBe(422);
  expect((await post(browser, '/reset-password/question', { answer: 'BRUSSELS SPROUTS' })).location).toBe('/reset-password/new-password');
  const changed = await post(browser, '/reset-password/new-password', { newPassword: 'Looking-Glass-42', confirmPassword: 'Looking-Glass-42', revokeSessions: 'on' });
  expect(changed.location).toBe('/reset-password/done');
  expect(await signInWorks('alice@example.com', 'Looking-Glass-42')).toBe(true);
  expect(emulator.getUser('alice@example.com')?.lastRevokeSessions).toBe(true);
  // What reached "Okta" carried the end user's context on every call.
  const calls = emulator.requests.filter((request) => request.path.startsWith('/api/v1/authn/'));
  expect(calls.length).toBeGreaterThanOrEqual(5);
  for (const call of calls) expect(call.headers['user-agent']).toBe('Mozilla/5.0 (IntegrationOS) Firefox/140');
});

it('recovers a password without a security question, straight to the new password', async () => {
  const browser = service.browser();
  await requestLink(browser, 'bob@example.com');
  expect((await openAndVerify(browser, latestLinkFor('bob@example.com'))).location).toBe('/reset-password/new-password');
  await post(browser, '/reset-password/new-password', { newPassword: 'Builder-Mk2-2025', confirmPassword: 'Builder-Mk2-2025' });
  expect(await signInWorks('bob@example.com', 'Builder-Mk2-2025')).toBe(true);
});

it('shows Okta’s policy failure, then accepts a compliant password', async () => {
  const browser = service.browser();
  await requestLink(browser, 'bob@example.com');
  await openAndVerify(browser, latestLinkFor('bob@example.com'));
  // The current password passes our local checks; only Okta knows it is the current one.
  const rejected = await post(browser, '/reset-password/new-password', { newPassword: 'Builder-2024', confirmPassword: 'Builder-2024' });
  expect(rejected.status).toBe(422);
  expect(rejected.text).toContain('The new password cannot be your current password.');
  const accepted = await post(browser, '/reset-password/new-password', { newPassword: 'Builder-2025!', confirmPassword: 'Builder-2025!' });
  expect(accepted.location).toBe('/reset-password/done');
});

it('ends the flow after too many wrong answers (our limit), and the link cannot be reused', async () => {
  const browser = service.browser();
  await requestLink(browser, 'alice@example.com');
  const link = latestLinkFor('alice@example.com');
  await openAndVerify(browser, link);
  const statuses: number[] = [];
  // MAX_WRONG_ANSWERS defaults to 3, below the emulated Okta's lockout (5): the link is spent first.
  for (let attempt = 0; attempt < 3; attempt++) statuses.push((await post(browser, '/reset-password/question', { answer: `guess ${attempt}` })).status);
  expect(statuses).toEqual([422, 422, 403]);
  expect(emulator.getUser('alice@example.com')?.status).toBe('ACTIVE');
  expect(browser.cookies.has('recovery-flow')).toBe(false);
  const again = await openAndVerify(service.browser(), link);
  expect(again.status).toBe(400);
  expect(again.text).toContain('This link has expired or was already used');
});

it('treats an expired link, a used link and a link superseded by a password change as dead', async () => {
  const browser = service.browser();
  await requestLink(browser, 'bob@example.com');
  const older = latestLinkFor('bob@example.com');
  await requestLink(browser, 'bob@example.com');
  const newer = latestLinkFor('bob@example.com');
  expect(newer).not.toBe(older);

  await openAndVerify(browser, newer);
  await post(browser, '/reset-password/new-password', { newPassword: 'Builder-Mk3-2025', confirmPassword: 'Builder-Mk3-2025' });
  for (const link of [newer, older]) {
    const dead = await openAndVerify(service.browser(), link);
    expect(dead.status).toBe(400);
    expect(dead.text).toContain('This link has expired or was already used');
  }

  await requestLink(browser, 'alice@example.com');
  const expiring = latestLinkFor('alice@example.com');
  clock.advance(61 * 60 * 1000);
  const expired = await openAndVerify(service.browser(), expiring);
  expect(expired.status).toBe(400);
});

it('expires the flow when the user waits past the stateToken lifetime', async () => {
  const browser = service.browser();
  const api = service.browser();
  await requestLink(browser, 'alice@example.com');
  await openAndVerify(browser, latestLinkFor('alice@example.com'));
  const form = await browser.get('/reset-password/question');
  clock.advance(6 * 60 * 1000);
  const late = await browser.postForm('/reset-password/question', { _csrf: csrfTokenIn(form.text), answer: 'Brussels sprouts' });
  expect(late.status).toBe(401);
  expect(late.text).toContain('Your session has expired');
  expect((await api.postJson('/api/recovery/answer', { answer: 'x' })).json()).toMatchObject({ error: { code: 'FLOW_EXPIRED' } });
});

it('cancels: Okta revokes the stateToken and the flow is forgotten', async () => {
  const browser = service.browser();
  await requestLink(browser, 'alice@example.com');
  await openAndVerify(browser, latestLinkFor('alice@example.com'));
  const sealedBefore = browser.cookies.get('recovery-flow') as string;
  const page = await browser.get('/reset-password/question');
  const cancelled = await browser.postForm('/reset-password/cancel', { _csrf: csrfTokenIn(page.text) });
  expect(cancelled.location).toBe('/forgot-password');
  expect(browser.cookies.has('recovery-flow')).toBe(false);
  expect(emulator.requests.some((request) => request.path === '/api/v1/authn/cancel')).toBe(true);
  // Replaying the old cookie cannot resume: Okta no longer knows the stateToken.
  browser.cookies.set('recovery-flow', sealedBefore);
  const replay = await browser.postForm('/reset-password/question', { _csrf: csrfTokenIn(page.text), answer: 'Brussels sprouts' });
  expect(replay.status).toBe(401);
});

it('answers "check your email" when Okta answers 429, then holds starts back with Retry-After until Okta’s reset', async () => {
  const browser = service.browser();
  emulator.forceRateLimit(20);
  const form = await browser.get('/forgot-password');
  // Okta is asked after the answer (issue 16, item 4): the user sees the usual page.
  expect((await browser.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username: 'alice@example.com' })).location).toBe('/forgot-password/sent');
  emulator.clearFaults();
  // Okta said its window is spent: until its reset, starts wait without spending Okta's budget.
  const held = await browser.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username: 'alice@example.com' });
  expect(held.status).toBe(429);
  const retryAfter = Number(held.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(21);
  clock.advance(retryAfter * 1000);
  await requestLink(browser, 'alice@example.com');
});

it('answers an unknown user exactly like a known one, and emails nobody', async () => {
  const answers = [];
  for (const username of ['alice@example.com', 'nobody@example.com', 'carol@example.com']) {
    const response = await service.browser().postJson('/api/recovery/start', { username });
    answers.push({ status: response.status, body: response.text, cookies: response.headers.getSetCookie() });
  }
  expect(answers[1]).toEqual(answers[0]);
  expect(answers[2]).toEqual(answers[0]);
  expect(emulator.outbox.some((mail) => mail.to.includes('nobody@example.com'))).toBe(false);
});

it('ends the flow when Okta locks the user first (E0000069), and the user is locked at Okta', async () => {
  await service.close();
  await emulator.close();
  emulator = await startEmulator({ publicUrl: PUBLIC_URL, clock, users: demoUsers(), policy: { maxWrongAnswers: 2 } });
  service = await startTestService({ PUBLIC_URL }, { oktaOrgUrl: emulator.url, clock });
  const browser = service.browser();
  await requestLink(browser, 'alice@example.com');
  await openAndVerify(browser, latestLinkFor('alice@example.com'));
  expect((await post(browser, '/reset-password/question', { answer: 'one' })).status).toBe(422);
  const locked = await post(browser, '/reset-password/question', { answer: 'two' });
  expect(locked.status).toBe(403);
  expect(locked.text).toContain('Your account is locked');
  // Okta's lock is not our spent link: no "send me a new link" that could not work.
  expect(locked.text).not.toContain('Send me a new link');
  expect(emulator.getUser('alice@example.com')?.status).toBe('LOCKED_OUT');
});
