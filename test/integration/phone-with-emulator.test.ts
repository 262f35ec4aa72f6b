/**
 * SMS and voice recovery end to end over real HTTP: the service against the Okta emulator, the
 * code read off the emulator's "phone" as a person reads it off theirs. The seeded users cover
 * every answer Okta can give (known with a phone, no phone, locked out, suspended, unknown).
 */
import { csrfTokenIn, type Browser } from '../helpers/browser.js';
import { type EmulatedService, LENIENT_LIMITS, signsIn, startEmulatedService } from '../helpers/emulated.js';

let world: EmulatedService;

beforeEach(async () => {
  world = await startEmulatedService({ ...LENIENT_LIMITS, RECOVERY_METHODS: 'email,sms,call' });
});
afterEach(async () => {
  await world.close();
});

/** The newest code the emulator texted or called `login` with. */
function newestCode(login: string): string {
  const message = [...world.emulator.phoneOutbox].reverse().find((text) => text.login === login);
  if (!message) throw new Error(`no text message for ${login}`);
  return message.code;
}

async function post(browser: Browser, page: string, action: string, fields: Record<string, string> = {}) {
  const form = await browser.get(page);
  return browser.postForm(action, { _csrf: csrfTokenIn(form.text), ...fields });
}

it('resets a password by text message through the pages: code, question, new password', async () => {
  const browser = world.service.browser();
  const started = await post(browser, '/forgot-password', '/forgot-password', { username: 'alice@example.com', method: 'sms' });
  expect(started.location).toBe('/forgot-password/sent');
  const texts = world.emulator.phoneOutbox.filter((text) => text.login === 'alice@example.com');
  expect(texts).toHaveLength(1);
  expect(texts[0]).toMatchObject({ factorType: 'SMS', to: '+15555550101' });

  const verified = await post(browser, '/forgot-password/sent', '/reset-password/code', { code: newestCode('alice@example.com') });
  expect(verified.location).toBe('/reset-password/question');
  const answered = await post(browser, '/reset-password/question', '/reset-password/question', { answer: 'Brussels sprouts' });
  expect(answered.location).toBe('/reset-password/new-password');
  const reset = await post(browser, '/reset-password/new-password', '/reset-password/new-password', { newPassword: 'Texted-Reset-2026!', confirmPassword: 'Texted-Reset-2026!' });
  expect(reset.location).toBe('/reset-password/done');
  expect(await signsIn(world.emulator.url, 'alice@example.com', 'Texted-Reset-2026!')).toBe(true);
});

it('resets by voice call through the JSON API, with a resend after the cool-down', async () => {
  const browser = world.service.browser();
  const started = await browser.postJson('/api/recovery/start', { username: 'alice@example.com', method: 'call' });
  expect(started.json()).toMatchObject({ status: 'CODE_SENT', method: 'call' });
  const first = newestCode('alice@example.com');
  world.clock.advance(31_000);
  expect((await browser.postJson('/api/recovery/resend', {})).status).toBe(202);
  const second = newestCode('alice@example.com');
  expect(world.emulator.phoneOutbox.filter((text) => text.factorType === 'CALL')).toHaveLength(2);
  if (first !== second) expect((await browser.postJson('/api/recovery/verify-code', { code: first })).status).toBe(422);
  const verified = await browser.postJson('/api/recovery/verify-code', { code: second });
  expect(verified.json()).toEqual({ status: 'RECOVERY', question: 'What is the food you least liked as a child?' });
});

describe('the same answer whoever the username belongs to', () => {
  const usernames: Array<[string, string]> = [
    ['a user with a phone', 'alice@example.com'],
    ['a user without a phone', 'bob@example.com'],
    ['a locked-out user', 'carol@example.com'],
    ['a suspended user', 'dave@example.com'],
    ['an unknown username', 'nobody@example.com'],
  ];

  /** Status, body and the flow cookie's size and attributes: what a client can compare. */
  async function observed(method: 'sms' | 'call', username: string) {
    const response = await world.service.browser().postJson('/api/recovery/start', { username, method });
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith('recovery-flow=')) ?? '';
    const [pair = ''] = cookie.split(';');
    return { status: response.status, body: response.text, cookieLength: pair.length, attributes: cookie.slice(pair.length) };
  }

  it.each(['sms', 'call'] as const)('starts %s recovery with one answer for every kind of account', async (method) => {
    const answers = [];
    for (const [, username] of usernames) answers.push(await observed(method, username));
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]?.status).toBe(202);
    // Only the user who can recover by phone got a text or call.
    expect(new Set(world.emulator.phoneOutbox.map((text) => text.login))).toEqual(new Set(['alice@example.com']));
  });

  it('answers the pages the same way for every kind of account: redirect, cookie size, and the code page', async () => {
    const seen = [];
    for (const [, username] of usernames) {
      const browser = world.service.browser();
      const posted = await post(browser, '/forgot-password', '/forgot-password', { username, method: 'sms' });
      const cookie = posted.headers.getSetCookie().find((line) => line.startsWith('recovery-flow=')) ?? '';
      const codePage = await browser.get('/forgot-password/sent');
      // The page differs only by its CSRF token, which every visitor gets fresh.
      seen.push({ status: posted.status, location: posted.location, cookieLength: cookie.split(';')[0]?.length, page: codePage.text.replace(/name="_csrf" value="[^"]+"/g, '') });
    }
    for (const answer of seen) expect(answer).toEqual(seen[0]);
  });

  it.each(usernames.slice(1))('takes no code for %s, as wrong as a wrong one for a real user', async (_name, username) => {
    const browser = world.service.browser();
    await browser.postJson('/api/recovery/start', { username, method: 'sms' });
    const typed = await browser.postJson('/api/recovery/verify-code', { code: '123456' });
    expect(typed.status).toBe(422);
    expect(typed.json()).toMatchObject({ error: { code: 'WRONG_CODE' } });
  });
});

it('answers the usual "check your phone" when the org has not enabled SMS recovery, and logs Okta\'s E0000006', async () => {
  await world.close();
  world = await startEmulatedService({ ...LENIENT_LIMITS, RECOVERY_METHODS: 'email,sms' }, { policy: { smsRecovery: false } });
  const browser = world.service.browser();
  const response = await browser.postJson('/api/recovery/start', { username: 'alice@example.com', method: 'sms' });
  expect(response.status).toBe(202);
  expect(response.json()).toMatchObject({ status: 'CODE_SENT', method: 'sms' });
  expect(world.emulator.phoneOutbox).toHaveLength(0);
  expect(world.service.logs.some((line) => line.includes('"event":"recovery.start"') && line.includes('"oktaErrorCode":"E0000006"'))).toBe(true);
});
