/**
 * Self-service unlock end to end over real HTTP against the Okta emulator: the locked-out demo
 * user (carol) unlocks by email link and by text message, answers her question, and can sign in
 * again; every other kind of account gets the same answers and nothing to unlock with.
 */
import { csrfTokenIn, type Browser } from '../helpers/browser.js';
import { type EmulatedService, LENIENT_LIMITS, signInStatus, startEmulatedService } from '../helpers/emulated.js';

let world: EmulatedService;

beforeEach(async () => {
  world = await startEmulatedService({ ...LENIENT_LIMITS, SELF_SERVICE_UNLOCK: 'email,sms' });
});
afterEach(async () => {
  await world.close();
});

async function post(browser: Browser, page: string, action: string, fields: Record<string, string> = {}) {
  const form = await browser.get(page);
  return browser.postForm(action, { _csrf: csrfTokenIn(form.text), ...fields });
}

it('unlocks a locked-out account by the emailed link, through the pages', async () => {
  expect(await signInStatus(world.emulator.url, 'carol@example.com', 'Christmas-2024')).toBe('LOCKED_OUT');
  const browser = world.service.browser();
  const started = await post(browser, '/unlock-account', '/unlock-account', { username: 'carol@example.com', method: 'email' });
  expect(started.location).toBe('/unlock-account/sent');
  const linkPath = world.latestLinkPath('carol@example.com');
  expect(linkPath).toMatch(/^\/unlock-account\/[A-Za-z0-9]+$/);

  expect((await browser.get(linkPath)).location).toBe('/reset-password');
  expect((await post(browser, '/reset-password', '/reset-password')).location).toBe('/reset-password/question');
  const answered = await post(browser, '/reset-password/question', '/reset-password/question', { answer: 'Rex' });
  expect(answered.location).toBe('/unlock-account/done');
  expect((await browser.get('/unlock-account/done')).text).toContain('Your account is unlocked');
  expect(await signInStatus(world.emulator.url, 'carol@example.com', 'Christmas-2024')).toBe('SUCCESS');
});

it('unlocks by text message through the JSON API', async () => {
  const browser = world.service.browser();
  const started = await browser.postJson('/api/unlock/start', { username: 'carol@example.com', method: 'sms' });
  expect(started.json()).toMatchObject({ status: 'CODE_SENT', method: 'sms' });
  const text = world.emulator.phoneOutbox.find((message) => message.login === 'carol@example.com');
  expect(text).toMatchObject({ recoveryType: 'UNLOCK', factorType: 'SMS' });
  const verified = await browser.postJson('/api/unlock/verify-code', { code: text?.code });
  expect(verified.json()).toEqual({ status: 'RECOVERY', question: 'What was the name of your first pet?' });
  expect((await browser.postJson('/api/unlock/answer', { answer: 'rex' })).json()).toEqual({ status: 'UNLOCKED' });
  expect(await signInStatus(world.emulator.url, 'carol@example.com', 'Christmas-2024')).toBe('SUCCESS');
});

describe('the same answer whoever the username belongs to', () => {
  const usernames = ['carol@example.com', 'alice@example.com', 'bob@example.com', 'dave@example.com', 'nobody@example.com'];

  it.each(['email', 'sms'] as const)('starts an unlock by %s with one answer for locked, active, phoneless, suspended and unknown users', async (method) => {
    const answers = [];
    for (const username of usernames) {
      const response = await world.service.browser().postJson('/api/unlock/start', { username, method });
      const cookies = response.headers.getSetCookie().map((line) => line.split(';')[0]?.length);
      answers.push({ status: response.status, body: response.text, cookies });
    }
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]?.status).toBe(202);
    // Only the locked-out user can unlock: no one else got a link or a code.
    const links = world.emulator.outbox.filter((mail) => mail.link?.includes('/unlock-account/'));
    expect(links.map((mail) => mail.to)).toEqual(method === 'email' ? ['carol@example.com'] : []);
    expect(world.emulator.phoneOutbox.map((message) => message.login)).toEqual(method === 'sms' ? ['carol@example.com'] : []);
  });
});
