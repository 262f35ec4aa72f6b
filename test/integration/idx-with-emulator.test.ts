/**
 * The Identity Engine engine over real HTTP against the emulator run as an IDX org
 * (docs/idx-emulator.md): the typed code, the magic link in the same and in another browser,
 * the security question, the new password, resend, wrong codes, Okta's limits, expiry, cancel,
 * and OKTA_ENGINE=auto reading the org. One clock is shared by both sides.
 */
import type { IdxOptions } from '../../src/emulator/index.js';
import { csrfTokenIn, type Browser } from '../helpers/browser.js';
import { type EmulatedService, LENIENT_LIMITS, signsIn, startEmulatedService } from '../helpers/emulated.js';

const PUBLIC_URL = 'http://127.0.0.1:3000';
const IDX_ENV = { PUBLIC_URL, OKTA_ENGINE: 'idx', OKTA_CLIENT_ID: '0oa1recoveryemulator', ...LENIENT_LIMITS };
let world: EmulatedService;

async function start(idx: IdxOptions = {}, environment: Record<string, string> = {}): Promise<EmulatedService> {
  world = await startEmulatedService({ ...IDX_ENV, ...environment }, { pipeline: 'idx', idx });
  return world;
}
afterEach(async () => {
  await world?.close();
});

async function post(browser: Browser, page: string, action: string, fields: Record<string, string> = {}) {
  const form = await browser.get(page);
  return browser.postForm(action, { _csrf: csrfTokenIn(form.text), ...fields });
}

async function askForCode(browser: Browser, login: string) {
  const response = await post(browser, '/forgot-password', '/forgot-password', { username: login });
  expect(response.status).toBe(303);
  expect(response.location).toBe('/forgot-password/sent');
  return response;
}

function newestMail(login: string) {
  const mail = [...world.emulator.outbox].reverse().find((message) => message.to.includes(login));
  if (!mail?.otp || !mail.magicLink) throw new Error(`no IDX email for ${login}`);
  return { otp: mail.otp, magicLink: mail.magicLink };
}

describe('OKTA_ENGINE=auto', () => {
  it('reads the org once and runs the engine it names, shown on /readyz and in the metrics', async () => {
    await start({}, { OKTA_ENGINE: 'auto', METRICS_TOKEN: 'metrics-token-0123456789' });
    const ready = await world.service.browser().get('/readyz');
    expect(ready.json()).toMatchObject({ engine: 'idx' });
    const metrics = await world.service.browser({ authorization: 'Bearer metrics-token-0123456789' }).get('/metrics');
    expect(metrics.text).toContain('recovery_okta_engine_info{engine="idx"} 1');
  });
});

describe('the typed code', () => {
  it('code → security question → new password → done; Okta has the new password', async () => {
    await start();
    const browser = world.service.browser();
    await askForCode(browser, 'alice@example.com');
    const sent = await browser.get('/forgot-password/sent');
    expect(sent.text).toContain('name="code"');
    expect(sent.text).toContain('autocomplete="one-time-code"');
    const { otp } = newestMail('alice@example.com');
    expect(sent.text).not.toContain(otp);

    const verified = await post(browser, '/forgot-password/sent', '/reset-password/code', { code: otp });
    expect(verified.location).toBe('/reset-password/question');
    const question = await browser.get('/reset-password/question');
    expect(question.text).toContain('What is the food you least liked as a child?');
    const answered = await post(browser, '/reset-password/question', '/reset-password/question', { answer: 'Brussels sprouts' });
    expect(answered.location).toBe('/reset-password/new-password');
    const page = await browser.get('/reset-password/new-password');
    expect(page.text).toContain('data-rule="minLength"');
    const changed = await post(browser, '/reset-password/new-password', '/reset-password/new-password', {
      newPassword: 'Fresh-Idx-Pass-41',
      confirmPassword: 'Fresh-Idx-Pass-41',
      revokeSessions: 'on',
    });
    expect(changed.location).toBe('/reset-password/done');
    expect((await browser.get('/reset-password/done')).status).toBe(200);
    expect(await signsIn(world.emulator.url, 'alice@example.com', 'Fresh-Idx-Pass-41')).toBe(true);
  });

  it('a wrong code shows the same page with a message tied to the field; the flow goes on', async () => {
    await start();
    const browser = world.service.browser();
    await askForCode(browser, 'bob@example.com');
    const { otp } = newestMail('bob@example.com');
    const wrong = await post(browser, '/forgot-password/sent', '/reset-password/code', { code: otp === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('id="code-error"');
    expect(wrong.text).toContain('aria-invalid="true"');
    const right = await post(browser, '/forgot-password/sent', '/reset-password/code', { code: otp });
    expect(right.location).toBe('/reset-password/new-password');
  });

  it('a code that is not a code is refused without asking Okta', async () => {
    await start();
    const browser = world.service.browser();
    await askForCode(browser, 'bob@example.com');
    const before = world.emulator.requests.length;
    const refused = await post(browser, '/forgot-password/sent', '/reset-password/code', { code: 'not a code!' });
    expect(refused.status).toBe(400);
    expect(world.emulator.requests.length).toBe(before);
  });

  it('resend waits out the cool-down, then sends a new code that works', async () => {
    await start();
    const browser = world.service.browser();
    await askForCode(browser, 'bob@example.com');
    const first = newestMail('bob@example.com').otp;
    const early = await post(browser, '/forgot-password/sent', '/reset-password/resend');
    expect(early.status).toBe(429);
    expect(Number(early.headers.get('retry-after'))).toBeGreaterThan(0);
    world.clock.advance(31_000);
    const resent = await post(browser, '/forgot-password/sent', '/reset-password/resend');
    expect(resent.location).toBe('/forgot-password/sent');
    const second = newestMail('bob@example.com').otp;
    expect(world.emulator.outbox.filter((mail) => mail.to.includes('bob@example.com'))).toHaveLength(2);
    const verified = await post(browser, '/forgot-password/sent', '/reset-password/code', { code: second });
    expect(verified.location).toBe('/reset-password/new-password');
    expect(first).toBeDefined();
  });

  it("Okta's limit on wrong codes becomes the retryable too-many-requests page", async () => {
    await start();
    const browser = world.service.browser();
    await askForCode(browser, 'bob@example.com');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 6; attempt += 1) statuses.push((await post(browser, '/forgot-password/sent', '/reset-password/code', { code: '999999' })).status);
    expect(statuses.slice(0, 4)).toEqual([422, 422, 422, 422]);
    expect(statuses.at(-1)).toBe(429);
  });

  it('an expired transaction is the "session expired" page, offering a new email', async () => {
    await start();
    const browser = world.service.browser();
    await askForCode(browser, 'bob@example.com');
    const { otp } = newestMail('bob@example.com');
    world.clock.advance(11 * 60_000);
    const late = await post(browser, '/forgot-password', '/reset-password/code', { code: otp });
    expect(late.status).toBe(401);
    expect(late.text).toContain('/forgot-password');
  });

  it('a new password Okta refuses says why in our words, marks the row, and keeps the flow', async () => {
    // Frank changed his password a moment ago and his policy wants an hour between changes.
    await start({ securityQuestion: false });
    const browser = world.service.browser();
    await askForCode(browser, 'frank@example.com');
    const verified = await post(browser, '/forgot-password/sent', '/reset-password/code', { code: newestMail('frank@example.com').otp });
    expect(verified.location).toBe('/reset-password/new-password');
    const refused = await post(browser, '/reset-password/new-password', '/reset-password/new-password', { newPassword: 'Another-Pass-77', confirmPassword: 'Another-Pass-77' });
    expect(refused.status).toBe(422);
    // IDX folds the minimum age into password.passwordRequirementsNotMet, like Classic's E0000080.
    expect(refused.text).toContain('Your password was changed too recently to be changed again yet.');
    expect(refused.text).toMatch(/<li data-rule="minAgeMinutes"[^>]*class="unmet"/);
    expect(refused.text).not.toContain('Password requirements');
    expect((await browser.get('/reset-password/new-password')).status).toBe(200);
  });

  it('cancel ends the transaction at Okta and forgets the flow', async () => {
    await start();
    const browser = world.service.browser();
    await askForCode(browser, 'bob@example.com');
    const cancelled = await post(browser, '/forgot-password/sent', '/reset-password/cancel');
    expect(cancelled.location).toBe('/forgot-password');
    expect(world.emulator.requests.some((request) => request.path === '/idp/idx/cancel')).toBe(true);
    expect((await browser.get('/reset-password/question')).status).toBe(401);
  });
});

describe('wrong answers to the security question', () => {
  async function atQuestion(browser: Browser, login: string) {
    await askForCode(browser, login);
    const verified = await post(browser, '/forgot-password/sent', '/reset-password/code', { code: newestMail(login).otp });
    expect(verified.location).toBe('/reset-password/question');
  }

  it('counts the last tries out, then spends the code before Okta suspends the factor', async () => {
    await start();
    const browser = world.service.browser();
    await atQuestion(browser, 'alice@example.com');
    const first = await post(browser, '/reset-password/question', '/reset-password/question', { answer: 'wrong 1' });
    expect([first.status, first.text.includes('You have 2 tries left.')]).toEqual([422, true]);
    const second = await post(browser, '/reset-password/question', '/reset-password/question', { answer: 'wrong 2' });
    expect([second.status, second.text.includes('You have 1 try left')]).toEqual([422, true]);
    const spent = await post(browser, '/reset-password/question', '/reset-password/question', { answer: 'wrong 3' });
    expect(spent.status).toBe(403);
    expect(spent.text).toContain('<h1>This link can no longer be used</h1>');
    expect(world.emulator.getUser('alice@example.com')?.status).toBe('ACTIVE');
  });

  it("Okta's suspended factor is the locked-account page, with no new link offered", async () => {
    await start({}, { MAX_WRONG_ANSWERS: '10', SUPPORT_CONTACT: 'helpdesk@acme.example' });
    const browser = world.service.browser();
    await atQuestion(browser, 'alice@example.com');
    let page = await post(browser, '/reset-password/question', '/reset-password/question', { answer: 'wrong' });
    for (let i = 0; i < 10 && page.status === 422; i++) page = await post(browser, '/reset-password/question', '/reset-password/question', { answer: `wrong ${i}` });
    expect(page.status).toBe(403);
    expect(world.emulator.getUser('alice@example.com')?.status).toBe('LOCKED_OUT');
    expect(page.text).toContain('<h1>Your account is locked</h1>');
    expect(page.text).toContain('To unlock it sooner, contact helpdesk@acme.example.');
    expect(page.text).not.toContain('Send me a new link');
  });
});

describe('Okta calls per recovery', () => {
  const oktaCalls = () => world.emulator.requests.filter((request) => /^\/(idp|oauth2)\//.test(request.path)).map((request) => request.path);

  it.each([
    ['one-step policy, no question', 'password-recover', false, 7],
    ['one-step policy, security question', 'password-recover', true, 8],
    ['identifier-first policy, security question', 'identifier-first', true, 8],
  ] as const)('%s: the minimum the IDX contract allows, and no token exchange', async (_name, entry, securityQuestion, expected) => {
    await start({ entry, securityQuestion });
    const api = world.service.browser();
    await api.postJson('/api/recovery/start', { username: 'alice@example.com' });
    const verified = await api.postJson('/api/recovery/verify-code', { code: newestMail('alice@example.com').otp });
    if (securityQuestion) expect((await api.postJson('/api/recovery/answer', { answer: 'Brussels sprouts' })).status).toBe(200);
    else expect(verified.json()).toMatchObject({ status: 'PASSWORD_RESET' });
    expect((await api.postJson('/api/recovery/reset', { newPassword: 'Counted-Calls-Pass-8' })).json()).toMatchObject({ status: 'SUCCESS' });
    expect(oktaCalls()).toHaveLength(expected);
    expect(oktaCalls().some((path) => path.endsWith('/v1/token'))).toBe(false);
  });
});

describe('the magic link', () => {
  it('in the same browser: GET and HEAD spend nothing and drop the code from the URL; the POST continues', async () => {
    await start();
    const browser = world.service.browser();
    await askForCode(browser, 'bob@example.com');
    const link = new URL(newestMail('bob@example.com').magicLink);
    expect(link.pathname).toBe('/reset-password/verify-email');
    const head = await browser.request('HEAD', `${link.pathname}${link.search}`);
    expect(head.status).toBe(303);
    const opened = await browser.get(`${link.pathname}${link.search}`);
    expect(opened.status).toBe(303);
    expect(opened.location).toBe('/reset-password/verify-email');
    expect(world.emulator.requests.some((request) => request.path === '/idp/idx/challenge/answer')).toBe(false);
    const landing = await browser.get('/reset-password/verify-email');
    expect(landing.text).not.toContain(link.searchParams.get('otp'));
    const continued = await post(browser, '/reset-password/verify-email', '/reset-password/verify-email');
    expect(continued.location).toBe('/reset-password/new-password');
  });

  it('in another browser: shows the code to type in the first window, never an error', async () => {
    await start();
    const first = world.service.browser();
    await askForCode(first, 'bob@example.com');
    const link = new URL(newestMail('bob@example.com').magicLink);
    const other = world.service.browser();
    const opened = await other.get(`${link.pathname}${link.search}`);
    expect(opened.location).toBe('/reset-password/verify-email');
    const shown = await other.get('/reset-password/verify-email');
    expect(shown.status).toBe(200);
    expect(shown.text).toContain(link.searchParams.get('otp'));
    const typed = await post(first, '/forgot-password/sent', '/reset-password/code', { code: link.searchParams.get('otp') as string });
    expect(typed.location).toBe('/reset-password/new-password');
  });
});

describe('the JSON API', () => {
  it("start → verify-code → answer → reset, with the code rules in the start answer: any plausible code until Okta has shown the org's", async () => {
    await start();
    const first = await world.service.browser().postJson('/api/recovery/start', { username: 'bob@example.com' });
    expect(first.json()).toEqual({ status: 'EMAIL_SENT', code: { format: 'alphanumeric', minLength: 4, maxLength: 10 } });
    const api = world.service.browser();
    const started = await api.postJson('/api/recovery/start', { username: 'alice@example.com' });
    expect(started.status).toBe(202);
    expect(started.json()).toEqual({ status: 'EMAIL_SENT', code: { format: 'digits', minLength: expect.any(Number), maxLength: expect.any(Number) } });
    const verified = await api.postJson('/api/recovery/verify-code', { code: newestMail('alice@example.com').otp });
    expect(verified.json()).toMatchObject({ status: 'RECOVERY', question: 'What is the food you least liked as a child?' });
    const answered = await api.postJson('/api/recovery/answer', { answer: 'Brussels sprouts' });
    expect(answered.json()).toMatchObject({ status: 'PASSWORD_RESET' });
    const reset = await api.postJson('/api/recovery/reset', { newPassword: 'Api-Idx-Pass-52' });
    expect(reset.json()).toMatchObject({ status: 'SUCCESS' });
    expect(await signsIn(world.emulator.url, 'alice@example.com', 'Api-Idx-Pass-52')).toBe(true);
  });

  it('the start answers before Okta is asked: with Okta down it still says EMAIL_SENT; the code step says Okta is down and the flow starts again', async () => {
    await start();
    world.emulator.forceOutage(true);
    const api = world.service.browser();
    const started = await api.postJson('/api/recovery/start', { username: 'alice@example.com' });
    expect([started.status, (started.json() as { status: string }).status]).toEqual([202, 'EMAIL_SENT']);
    world.emulator.forceOutage(false);
    // The operator hears of it, on a line tied to the start's request.
    const refusedLine = world.service.logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.event === 'okta.idx.start-refused');
    expect(refusedLine).toMatchObject({ level: 40, outcome: 'upstream-unavailable', requestId: started.headers.get('x-request-id') });
    const typed = await api.postJson('/api/recovery/verify-code', { code: '123456' });
    expect([typed.status, (typed.json() as { error: { code: string } }).error.code, typed.headers.get('retry-after')]).toEqual([503, 'UPSTREAM_UNAVAILABLE', '30']);
    // Nothing was typed into Okta for a start that never reached it, and the flow is gone.
    expect(world.emulator.requests.filter((request) => request.path === '/idp/idx/challenge/answer')).toHaveLength(0);
    const again = await api.postJson('/api/recovery/verify-code', { code: '123456' });
    expect([again.status, (again.json() as { error: { code: string } }).error.code]).toEqual([401, 'FLOW_EXPIRED']);
  });

  it('a wrong code is 422 WRONG_CODE; verify-code without a flow is FLOW_EXPIRED', async () => {
    await start();
    const api = world.service.browser();
    await api.postJson('/api/recovery/start', { username: 'bob@example.com' });
    const wrong = await api.postJson('/api/recovery/verify-code', { code: '000001' });
    expect([wrong.status, (wrong.json() as { error: { code: string } }).error.code]).toEqual([422, 'WRONG_CODE']);
    const stranger = await world.service.browser().postJson('/api/recovery/verify-code', { code: '123456' });
    expect([stranger.status, (stranger.json() as { error: { code: string } }).error.code]).toEqual([401, 'FLOW_EXPIRED']);
  });

  it("Okta's suspended factor is 403 ACCOUNT_LOCKED, an answer the OpenAPI document lists", async () => {
    await start({}, { MAX_WRONG_ANSWERS: '10' });
    const api = world.service.browser();
    await api.postJson('/api/recovery/start', { username: 'alice@example.com' });
    expect((await api.postJson('/api/recovery/verify-code', { code: newestMail('alice@example.com').otp })).json()).toMatchObject({ status: 'RECOVERY' });
    let answer = await api.postJson('/api/recovery/answer', { answer: 'wrong' });
    for (let i = 0; i < 10 && answer.status === 422; i++) answer = await api.postJson('/api/recovery/answer', { answer: `wrong ${i}` });
    expect(answer.status).toBe(403);
    expect(answer.json()).toEqual({ error: { code: 'ACCOUNT_LOCKED', message: world.service.deps.catalogue.t('en', 'error.account-locked') } });
    expect(world.emulator.getUser('alice@example.com')?.status).toBe('LOCKED_OUT');
  });
});

describe('the flow cookie', () => {
  it('holds the longest stateHandle Okta was recorded sending within what browsers keep, at one length whatever it holds', async () => {
    await start({ longStateHandles: true, securityQuestion: true });
    const fits = (sealed: string) => expect(`__Host-recovery-flow=${sealed}; Path=/; Expires=Thu, 01 Jan 2026 00:00:00 GMT; HttpOnly; SameSite=Lax; Secure`.length).toBeLessThan(4096);
    const flowCookie = (browser: Browser) => [...browser.cookies].find(([name]) => name.endsWith('recovery-flow'))?.[1] ?? '';
    // The start answers before Okta is asked: its cookie holds no stateHandle, and is one length
    // for every account (once this process has seen the org's code format, as below).
    await askForCode(world.service.browser(), 'bob@example.com');
    const startLengths = new Set<number>();
    const afterCode = new Set<number>();
    const starts: ReadonlyArray<readonly [string, string]> = [['alice@example.com', ''], ['nobod@example.com', ''], ['alice@example.com', `/${'a1B2c3D4e5'.repeat(204)}`]];
    for (const [username, relayState] of starts) {
      const browser = world.service.browser();
      const form = await browser.get('/forgot-password');
      await browser.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username, relayState });
      fits(flowCookie(browser));
      if (!relayState) startLengths.add(flowCookie(browser).length);
      if (username !== 'alice@example.com') continue;
      // The code's answer brings Okta's stateHandle into the cookie: the longest recorded still fits.
      const verified = await post(browser, '/forgot-password/sent', '/reset-password/code', { code: newestMail('alice@example.com').otp });
      expect(verified.location).toBe('/reset-password/question');
      fits(flowCookie(browser));
      afterCode.add(flowCookie(browser).length);
    }
    expect(startLengths.size).toBe(1);
    // Deflated and padded to one size: the length says nothing of what the flow carries.
    expect([...afterCode]).toEqual([3708]);
  });
});
