/**
 * The JSON API, step by step, against Okta's recorded responses: every Okta outcome the contract
 * names, and what the service sends to Okta.
 */
import { fixture, fresh, withBody } from '../helpers/fixtures.js';
import { OktaMock, PATHS } from '../helpers/okta-nock.js';
import { Browser } from '../helpers/browser.js';
import { seenAnswers } from '../helpers/openapi.js';
import { afterResponses, startTestService, type ServiceUnderTest } from '../helpers/service.js';

const TOKEN = 'VBQ0gwBp5LyJJFdbmWCM';
const STATE_TOKEN = '00lMJySRYNz3u_rKQrsLvLrzxiARgivP8FB_1gpmVb';
const okta = new OktaMock();
let service: ServiceUnderTest;

beforeEach(async () => {
  okta.reset();
  service = await startTestService();
});
afterEach(async () => {
  await service.close();
});

async function verified(answerFirst = true) {
  const browser = service.browser({ 'user-agent': 'Mozilla/5.0 (TestOS) Firefox/140', 'accept-language': 'fr-FR,fr;q=0.9' });
  if (answerFirst) okta.reply(PATHS.verify, fresh('recovery-question.json', service.clock.now(), { stateToken: STATE_TOKEN }));
  else okta.reply(PATHS.verify, fresh('password-reset-with-policy.json', service.clock.now(), { stateToken: STATE_TOKEN }));
  const response = await browser.postJson('/api/recovery/verify', { token: TOKEN });
  return { browser, response };
}

describe('POST /api/recovery/start', () => {
  it('answers 202 EMAIL_SENT and asks Okta for an EMAIL recovery with the user context', async () => {
    okta.reply(PATHS.start, 'recovery-challenge-email.json');
    const browser = service.browser({ 'user-agent': 'Mozilla/5.0 (TestOS) Firefox/140', 'accept-language': 'de-DE' });
    const response = await browser.postJson('/api/recovery/start', { username: ' dade.murphy@example.com ' });
    expect(response.status).toBe(202);
    expect(response.json()).toEqual({ status: 'EMAIL_SENT' });
    const [call] = okta.callsTo(PATHS.start);
    expect(call?.body).toEqual({ username: 'dade.murphy@example.com', factorType: 'EMAIL' });
    expect(call?.headers['user-agent']).toBe('Mozilla/5.0 (TestOS) Firefox/140');
    expect(call?.headers['accept-language']).toBe('de-DE');
    expect(call?.headers.authorization).toBeUndefined();
  });

  it('forwards an allowed relayState and drops one that points elsewhere', async () => {
    okta.reply(PATHS.start, 'recovery-challenge-email.json').reply(PATHS.start, 'recovery-challenge-email.json');
    const browser = service.browser();
    await browser.postJson('/api/recovery/start', { username: 'a@example.com', relayState: 'http://127.0.0.1:3000/welcome' });
    await browser.postJson('/api/recovery/start', { username: 'a@example.com', relayState: 'https://evil.example/phish' });
    const [allowed, refused] = okta.callsTo(PATHS.start);
    expect(allowed?.body.relayState).toBe('http://127.0.0.1:3000/welcome');
    expect(refused?.body).not.toHaveProperty('relayState');
  });

  it.each([
    ['a recovery challenge (known or unknown user)', fixture('recovery-challenge-email.json')],
    ['a permission refusal E0000006', fixture('error-forbidden.json')],
    ['an unknown-user refusal E0000095', { status: 403, body: { errorCode: 'E0000095', errorSummary: 'Recovery not allowed for unknown user.', errorCauses: [] } }],
    ['a forgot-password-not-allowed E0000034', { status: 403, body: { errorCode: 'E0000034', errorSummary: 'Forgot password not allowed on specified user.' } }],
  ])('gives the same answer for %s', async (_name, recorded) => {
    okta.reply(PATHS.start, recorded);
    const response = await service.browser().postJson('/api/recovery/start', { username: 'someone@example.com' });
    expect(response.status).toBe(202);
    expect(response.json()).toEqual({ status: 'EMAIL_SENT' });
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('refuses an empty or over-long username without calling Okta, and accepts 256 Unicode characters', async () => {
    const browser = service.browser();
    const empty = await browser.postJson('/api/recovery/start', { username: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.json()).toMatchObject({ error: { code: 'VALIDATION', field: 'username' } });
    const tooLong = await browser.postJson('/api/recovery/start', { username: 'é'.repeat(257) });
    expect(tooLong.status).toBe(400);
    expect(okta.calls).toHaveLength(0);
    okta.reply(PATHS.start, 'recovery-challenge-email.json');
    const longest = await browser.postJson('/api/recovery/start', { username: 'é'.repeat(256) });
    expect(longest.status).toBe(202);
    expect(okta.callsTo(PATHS.start)[0]?.body.username).toBe('é'.repeat(256));
  });

  describe('answers before Okta is asked, whatever Okta then does (issue 16, item 4)', () => {
    /** The audit events of the start step, as logged. */
    const startEvents = () => service.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.event === 'recovery.start');

    it('sends the 202 while Okta is still composing the email, and records Okta\'s answer when it comes', async () => {
      okta.delay(PATHS.start, 500, 'recovery-challenge-email.json');
      // A browser without the test's settling, so the answer is seen as the user sees it.
      const response = await new Browser(service.url, { origin: service.config.publicOrigin }).postJson('/api/recovery/start', { username: 'a@example.com' });
      expect(response.status).toBe(202);
      // Answered, and Okta has not answered yet: no audit event of the start so far.
      expect(startEvents()).toEqual([]);
      await afterResponses(service.deps);
      expect(startEvents()).toEqual([expect.objectContaining({ outcome: 'email-sent', requestId: response.headers.get('x-request-id') })]);
    });

    it.each([
      ['a 429', (mock: OktaMock) => mock.reply(PATHS.start, 'error-rate-limited.json', { 'x-rate-limit-remaining': '0' }), 'rate-limited'],
      ['a 500 E0000009', (mock: OktaMock) => mock.reply(PATHS.start, 'error-internal.json'), 'upstream-unavailable'],
      ['a refused connection', (mock: OktaMock) => mock.failConnection(PATHS.start), 'upstream-unavailable'],
      ['a non-JSON 502 page', (mock: OktaMock) => mock.reply(PATHS.start, { status: 502, body: '<html>bad gateway</html>' as never }), 'upstream-unavailable'],
    ])('answers %s from Okta with the same 202, and logs and counts it as a warning', async (_name, arrange, outcome) => {
      arrange(okta);
      const response = await service.browser().postJson('/api/recovery/start', { username: 'a@example.com' });
      expect(response.status).toBe(202);
      expect(response.json()).toEqual({ status: 'EMAIL_SENT' });
      expect(startEvents()).toEqual([expect.objectContaining({ level: 40, outcome })]);
      const counted = await service.deps.metrics.registry.getSingleMetricAsString('recovery_step_outcomes_total');
      expect(counted).toContain(`recovery_step_outcomes_total{step="start",outcome="${outcome}"} 1`);
    });

    it('answers 202 when Okta does not answer within the timeout, and logs the outage', async () => {
      await service.close();
      service = await startTestService({ OKTA_TIMEOUT_MS: '200' });
      okta.delay(PATHS.start, 1_000, 'recovery-challenge-email.json');
      const response = await service.browser().postJson('/api/recovery/start', { username: 'a@example.com' });
      expect(response.status).toBe(202);
      expect(startEvents()).toEqual([expect.objectContaining({ outcome: 'upstream-unavailable' })]);
    });

    it('holds later starts back after Okta answered 429, without asking Okta', async () => {
      const resetAt = Math.floor(Date.now() / 1000) + 42;
      okta.reply(PATHS.start, 'error-rate-limited.json', { 'x-rate-limit-reset': String(resetAt), 'x-rate-limit-remaining': '0' });
      expect((await service.browser().postJson('/api/recovery/start', { username: 'a@example.com' })).status).toBe(202);
      const held = await service.browser().postJson('/api/recovery/start', { username: 'b@example.com' });
      expect(held.status).toBe(429);
      expect(held.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
      const retryAfter = Number(held.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(40);
      expect(retryAfter).toBeLessThanOrEqual(43);
      expect(okta.callsTo(PATHS.start)).toHaveLength(1);
    });
  });

  it('answers VALIDATION for malformed JSON, wrong content type and non-object bodies', async () => {
    const browser = service.browser();
    const malformed = await browser.postJson('/api/recovery/start', '{"username": ');
    expect(malformed.status).toBe(400);
    expect(malformed.json()).toMatchObject({ error: { code: 'VALIDATION' } });
    const form = await browser.request('POST', '/api/recovery/start', {
      body: 'username=a',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: browser.origin },
    });
    expect(form.status).toBe(400);
    expect(form.json()).toMatchObject({ error: { code: 'VALIDATION' } });
    const array = await browser.postJson('/api/recovery/start', '[1,2]');
    expect(array.status).toBe(400);
    expect(okta.calls).toHaveLength(0);
  });

  it('refuses cross-site calls with FORBIDDEN', async () => {
    const browser = service.browser();
    const foreign = await browser.postJson('/api/recovery/start', { username: 'a@example.com' }, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const crossSite = await browser.postJson('/api/recovery/start', { username: 'a@example.com' }, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect(okta.calls).toHaveLength(0);
  });
});

describe('POST /api/recovery/verify', () => {
  it('answers RECOVERY with the question, keeps the stateToken in a sealed HttpOnly cookie, never in the body', async () => {
    const { response } = await verified();
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ status: 'RECOVERY', question: "What was your first pet's name?" });
    expect(response.text).not.toContain(STATE_TOKEN);
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toMatch(/^recovery-flow=/);
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toMatch(/samesite=lax/i);
    expect(cookie).not.toContain(STATE_TOKEN);
    expect(okta.callsTo(PATHS.verify)[0]?.body).toEqual({ recoveryToken: TOKEN });
  });

  it('answers PASSWORD_RESET with the policy when the org asks no question', async () => {
    const { response } = await verified(false);
    expect(response.json()).toEqual({
      status: 'PASSWORD_RESET',
      policy: { minLength: 8, minLowerCase: 1, minUpperCase: 1, minNumber: 1, excludeUsername: true, maxLength: 256 },
    });
  });

  it.each([
    ['401 E0000011 (docs)', 'error-invalid-token.json'],
    ['403 E0000105 (real orgs)', 'error-link-expired.json'],
  ])('treats %s as an invalid link', async (_name, name) => {
    okta.reply(PATHS.verify, name);
    const response = await service.browser().postJson('/api/recovery/verify', { token: TOKEN });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'INVALID_TOKEN' } });
  });

  it.each([
    ['no status', { status: undefined }],
    ['a stateToken that is not text', { stateToken: 42 }],
    ['a question that is not text', { _embedded: { user: { recovery_question: { question: ['?'] } } } }],
    ['a profile login that is null', { _embedded: { user: { profile: { login: null } } } }],
    ['a policy rule that is not a number', { _embedded: { policy: { complexity: { minLength: '8' } } } }],
    ['an excluded attribute that is not text', { _embedded: { policy: { complexity: { excludeAttributes: [1] } } } }],
    ['a link without an href', { _links: { next: { name: 'x' } } }],
    ['a list instead of an object', { _embedded: [] }],
  ])('answers a 200 with %s as "try again later", never a 500', async (_name, changes) => {
    okta.reply(PATHS.verify, fresh('recovery-question.json', service.clock.now(), { stateToken: STATE_TOKEN, ...changes }));
    const response = await service.browser().postJson('/api/recovery/verify', { token: TOKEN });
    expect(response.status).toBe(503);
    expect(response.json()).toMatchObject({ error: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(response.text).not.toContain(STATE_TOKEN);
  });

  it('reads answers whose optional parts are null or absent, and ignores what it does not know', async () => {
    okta.reply(PATHS.verify, fresh('password-reset.json', service.clock.now(), { stateToken: STATE_TOKEN, relayState: null, factorType: null, somethingNew: { x: [1] }, _embedded: { user: { profile: { login: 'a@example.com', firstName: null }, recovery_question: null, extra: 1 }, policy: { complexity: { excludeUsername: 'true' }, expiration: {} } } }));
    const response = await service.browser().postJson('/api/recovery/verify', { token: TOKEN });
    expect(response.status).toBe(200);
    expect(response.json()).toMatchObject({ status: 'PASSWORD_RESET', policy: { excludeUsername: true } });
  });

  it('calls a token Okta could never have issued invalid without asking Okta', async () => {
    const response = await service.browser().postJson('/api/recovery/verify', { token: '../../etc/passwd' });
    expect(response.json()).toMatchObject({ error: { code: 'INVALID_TOKEN' } });
    const missing = await service.browser().postJson('/api/recovery/verify', {});
    expect(missing.json()).toMatchObject({ error: { code: 'VALIDATION', field: 'token' } });
    expect(okta.calls).toHaveLength(0);
  });
});

describe('POST /api/recovery/answer', () => {
  it('answers PASSWORD_RESET with the policy (values ≤ 0 mean no rule), sending Okta the stateToken from the cookie', async () => {
    const { browser } = await verified();
    okta.reply(PATHS.answer, fresh('password-reset-no-rules.json', service.clock.now()));
    const response = await browser.postJson('/api/recovery/answer', { answer: 'Annie Oakley' });
    expect(response.status).toBe(200);
    // This recorded policy says 0 or -1 for every rule: only our own length ceiling remains.
    expect(response.json()).toEqual({ status: 'PASSWORD_RESET', policy: { maxLength: 256 } });
    expect(okta.callsTo(PATHS.answer)[0]?.body).toEqual({ stateToken: STATE_TOKEN, answer: 'Annie Oakley' });
    expect(okta.callsTo(PATHS.answer)[0]?.headers['user-agent']).toBe('Mozilla/5.0 (TestOS) Firefox/140');
  });

  it('lets the user retry a wrong answer (E0000087, either HTTP status)', async () => {
    const { browser } = await verified();
    okta.reply(PATHS.answer, 'error-wrong-answer.json').reply(PATHS.answer, 'error-wrong-answer-400.json');
    okta.reply(PATHS.answer, fresh('password-reset.json', service.clock.now()));
    for (const _attempt of [1, 2]) {
      const wrong = await browser.postJson('/api/recovery/answer', { answer: 'nope' });
      expect(wrong.status).toBe(422);
      expect(wrong.json()).toMatchObject({ error: { code: 'WRONG_ANSWER' } });
    }
    const right = await browser.postJson('/api/recovery/answer', { answer: 'Annie Oakley' });
    expect(right.json()).toMatchObject({ status: 'PASSWORD_RESET' });
  });

  it('ends the flow after three wrong answers (MAX_WRONG_ANSWERS default) and cancels the Okta transaction', async () => {
    const { browser } = await verified();
    for (let attempt = 0; attempt < 3; attempt++) okta.reply(PATHS.answer, 'error-wrong-answer.json');
    okta.reply(PATHS.cancel, 'cancel.json');
    const codes: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await browser.postJson('/api/recovery/answer', { answer: `guess ${attempt}` });
      codes.push(response.json<{ error: { code: string } }>().error.code);
    }
    expect(codes).toEqual(['WRONG_ANSWER', 'WRONG_ANSWER', 'ATTEMPTS_EXHAUSTED']);
    expect(okta.callsTo(PATHS.cancel)[0]?.body).toEqual({ stateToken: STATE_TOKEN });
    const after = await browser.postJson('/api/recovery/answer', { answer: 'Annie Oakley' });
    expect(after.json()).toMatchObject({ error: { code: 'FLOW_EXPIRED' } });
  });

  it('answers 403 ACCOUNT_LOCKED when Okta locks the user (E0000069) before our own limit, in the user\'s language, and ends the flow', async () => {
    const { browser } = await verified();
    okta.reply(PATHS.answer, 'error-wrong-answer.json').reply(PATHS.answer, 'error-user-locked.json');
    expect((await browser.postJson('/api/recovery/answer', { answer: 'guess' })).status).toBe(422);
    const locked = await browser.postJson('/api/recovery/answer', { answer: 'another guess' });
    expect(locked.status).toBe(403);
    // Not ATTEMPTS_EXHAUSTED: a new link cannot help until the account is unlocked.
    expect(locked.json()).toEqual({ error: { code: 'ACCOUNT_LOCKED', message: service.deps.catalogue.t('fr', 'error.account-locked') } });
    expect(browser.cookies.has('recovery-flow')).toBe(false);
    const after = await browser.postJson('/api/recovery/answer', { answer: 'Annie Oakley' });
    expect(after.json()).toMatchObject({ error: { code: 'FLOW_EXPIRED' } });
    expect(okta.callsTo(PATHS.answer)).toHaveLength(2);
  });

  it('maps an expired stateToken (E0000011) to FLOW_EXPIRED and clears the cookie', async () => {
    const { browser } = await verified();
    okta.reply(PATHS.answer, 'error-invalid-token.json');
    const response = await browser.postJson('/api/recovery/answer', { answer: 'x' });
    expect(response.status).toBe(401);
    expect(response.json()).toMatchObject({ error: { code: 'FLOW_EXPIRED' } });
    expect(browser.cookies.has('recovery-flow')).toBe(false);
  });

  it('treats a missing, tampered or expired flow cookie as FLOW_EXPIRED without calling Okta', async () => {
    const noCookie = await service.browser().postJson('/api/recovery/answer', { answer: 'x' });
    expect(noCookie.status).toBe(401);
    expect(noCookie.json()).toMatchObject({ error: { code: 'FLOW_EXPIRED' } });

    const { browser } = await verified();
    const sealed = browser.cookies.get('recovery-flow') as string;
    browser.cookies.set('recovery-flow', sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA'));
    const tampered = await browser.postJson('/api/recovery/answer', { answer: 'x' });
    expect(tampered.json()).toMatchObject({ error: { code: 'FLOW_EXPIRED' } });

    browser.cookies.set('recovery-flow', sealed);
    service.clock.advance(6 * 60 * 1000);
    const expired = await browser.postJson('/api/recovery/answer', { answer: 'x' });
    expect(expired.json()).toMatchObject({ error: { code: 'FLOW_EXPIRED' } });
    expect(okta.callsTo(PATHS.answer)).toHaveLength(0);
  });

  it('refuses a step out of order (answer when the password is due) with OUT_OF_ORDER', async () => {
    const { browser } = await verified(false);
    const response = await browser.postJson('/api/recovery/answer', { answer: 'x' });
    expect(response.status).toBe(409);
    expect(response.json()).toMatchObject({ error: { code: 'OUT_OF_ORDER' } });
    expect(okta.callsTo(PATHS.answer)).toHaveLength(0);
  });
});

describe('POST /api/recovery/reset', () => {
  async function atPasswordStep() {
    const { browser } = await verified(false);
    return browser;
  }

  it('changes the password, answers SUCCESS with where to go, and clears the flow cookie', async () => {
    const browser = await atPasswordStep();
    okta.reply(PATHS.reset, 'success.json');
    const response = await browser.postJson('/api/recovery/reset', { newPassword: 'Correct-Horse-9' });
    expect(response.status).toBe(200);
    // With no SUCCESS_REDIRECT_URL, "done" sends the user to the Okta org to sign in.
    expect(response.json()).toEqual({ status: 'SUCCESS', redirectTo: 'https://acme.okta.example' });
    expect(response.text).not.toContain('sessionToken');
    expect(browser.cookies.has('recovery-flow')).toBe(false);
    expect(okta.callsTo(PATHS.reset)[0]?.body).toEqual({ stateToken: STATE_TOKEN, newPassword: 'Correct-Horse-9', revokeSessions: true });
  });

  it('sends revokeSessions: false when the user chose to stay signed in elsewhere', async () => {
    const browser = await atPasswordStep();
    okta.reply(PATHS.reset, 'success.json');
    await browser.postJson('/api/recovery/reset', { newPassword: 'Correct-Horse-9', revokeSessions: false });
    expect(okta.callsTo(PATHS.reset)[0]?.body.revokeSessions).toBe(false);
  });

  it('treats any 200 as done, even MFA_REQUIRED (contract §4.5)', async () => {
    const browser = await atPasswordStep();
    okta.reply(PATHS.reset, { status: 200, body: { status: 'MFA_REQUIRED', stateToken: 'x'.repeat(42), expiresAt: new Date().toISOString() } });
    const response = await browser.postJson('/api/recovery/reset', { newPassword: 'Correct-Horse-9' });
    expect(response.json()).toMatchObject({ status: 'SUCCESS' });
  });

  it('checks the policy locally first and does not call Okta for a password it would reject', async () => {
    const browser = await atPasswordStep();
    const response = await browser.postJson('/api/recovery/reset', { newPassword: 'short' });
    expect(response.status).toBe(422);
    expect(response.json()).toMatchObject({ error: { code: 'PASSWORD_POLICY', causes: [], unmet: ['minLength', 'minUpperCase', 'minNumber'] } });
    expect(okta.callsTo(PATHS.reset)).toHaveLength(0);
  });

  it.each([
    ['E0000080 with causes', 'error-password-policy.json'],
    ['E0000080 without errorCauses', 'error-password-policy-no-cause.json'],
    ['the older E0000080 shape', 'error-password-policy-older.json'],
  ])('says Okta policy failures in the user\'s language, never in Okta\'s English: %s', async (_name, name) => {
    const browser = await atPasswordStep();
    okta.reply(PATHS.reset, name);
    const response = await browser.postJson('/api/recovery/reset', { newPassword: 'Correct-Horse-9' });
    expect(response.status).toBe(422);
    const body = response.json<{ error: { code: string; causes: string[]; reasons: string[] } }>();
    expect(body.error.code).toBe('PASSWORD_POLICY');
    expect(body.error.reasons).toEqual(['requirements']);
    // The browser asks for French (Accept-Language); Okta's sentence stays in the log.
    expect(body.error.causes).toEqual([service.deps.catalogue.t('fr', 'error.password-rejected.requirements')]);
    expect(response.text).not.toMatch(/Password requirements|Passwords must/);
    expect(browser.cookies.has('recovery-flow')).toBe(true);
  });

  it('accepts the docs’ E0000014 as a policy failure too, then lets the user try again', async () => {
    const browser = await atPasswordStep();
    okta.reply(PATHS.reset, withBody(fixture('error-password-policy.json'), { errorCode: 'E0000014' }));
    okta.reply(PATHS.reset, 'success.json');
    expect((await browser.postJson('/api/recovery/reset', { newPassword: 'Correct-Horse-9' })).status).toBe(422);
    expect((await browser.postJson('/api/recovery/reset', { newPassword: 'Correct-Horse-10' })).json()).toMatchObject({ status: 'SUCCESS' });
  });

  it.each([
    ['E0000079 (step out of order at Okta)', 'error-wrong-state.json'],
    ['E0000011 (stateToken expired)', 'error-invalid-token.json'],
  ])('maps %s to FLOW_EXPIRED', async (_name, name) => {
    const browser = await atPasswordStep();
    okta.reply(PATHS.reset, name);
    const response = await browser.postJson('/api/recovery/reset', { newPassword: 'Correct-Horse-9' });
    expect(response.status).toBe(401);
    expect(response.json()).toMatchObject({ error: { code: 'FLOW_EXPIRED' } });
  });

  it('keeps the flow through an Okta outage so the user can retry', async () => {
    const browser = await atPasswordStep();
    okta.reply(PATHS.reset, 'error-internal.json').reply(PATHS.reset, 'success.json');
    expect((await browser.postJson('/api/recovery/reset', { newPassword: 'Correct-Horse-9' })).status).toBe(503);
    expect((await browser.postJson('/api/recovery/reset', { newPassword: 'Correct-Horse-9' })).status).toBe(200);
  });

  it('refuses a new password before the link was verified', async () => {
    const response = await service.browser().postJson('/api/recovery/reset', { newPassword: 'Correct-Horse-9' });
    expect(response.json()).toMatchObject({ error: { code: 'FLOW_EXPIRED' } });
    expect(okta.calls).toHaveLength(0);
  });
});

describe('POST /api/recovery/cancel', () => {
  it('answers CANCELLED, cancels the Okta transaction and clears the flow cookie', async () => {
    const { browser } = await verified();
    okta.reply(PATHS.cancel, 'cancel.json');
    const response = await browser.postJson('/api/recovery/cancel', {});
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ status: 'CANCELLED' });
    expect(okta.callsTo(PATHS.cancel)[0]?.body).toEqual({ stateToken: STATE_TOKEN });
    expect(browser.cookies.has('recovery-flow')).toBe(false);
  });
});

it('answers a body over 16 KiB with 413 VALIDATION, without calling Okta', async () => {
  const response = await service.browser().postJson('/api/recovery/start', { username: 'a@example.com', relayState: 'x'.repeat(17 * 1024) });
  expect(response.status).toBe(413);
  expect(response.json()).toMatchObject({ error: { code: 'VALIDATION' } });
  expect(okta.calls).toHaveLength(0);
});

// Every answer above went through docs/openapi.yaml's schemas (service.browser()'s check); this
// says which answers that was, so a lost check or a dropped case shows here.
afterAll(() => {
  expect([...seenAnswers].sort()).toEqual([
    'POST /api/recovery/answer → 200',
    'POST /api/recovery/answer → 401',
    'POST /api/recovery/answer → 403',
    'POST /api/recovery/answer → 409',
    'POST /api/recovery/answer → 422',
    'POST /api/recovery/cancel → 200',
    'POST /api/recovery/reset → 200',
    'POST /api/recovery/reset → 401',
    'POST /api/recovery/reset → 422',
    'POST /api/recovery/reset → 503',
    'POST /api/recovery/start → 202',
    'POST /api/recovery/start → 400',
    'POST /api/recovery/start → 403',
    'POST /api/recovery/start → 413',
    'POST /api/recovery/start → 429',
    'POST /api/recovery/verify → 200',
    'POST /api/recovery/verify → 400',
    'POST /api/recovery/verify → 503',
  ]);
});
