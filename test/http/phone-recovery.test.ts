/**
 * Forgot password by SMS or voice call (Classic, contract §1.4, §5), through the JSON API and the
 * pages, against Okta's recorded answers: what reaches Okta, the code page, wrong codes capped per
 * flow, resends with a cool-down and a cap, and the same answer whatever Okta says of the user.
 */
import { csrfTokenIn, type Browser } from '../helpers/browser.js';
import { fresh } from '../helpers/fixtures.js';
import { OktaMock, PATHS } from '../helpers/okta-nock.js';
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';

const STATE_TOKEN = '00_sxrUO9R5qFiSy5bb7vbyjftsAAMJDSGIHYvs_88';
const SMS_VERIFY = '/api/v1/authn/recovery/factors/sms/verify';
const SMS_RESEND = '/api/v1/authn/recovery/factors/sms/resend';
const CALL_VERIFY = '/api/v1/authn/recovery/factors/call/verify';
const okta = new OktaMock();
let service: ServiceUnderTest;

beforeEach(async () => {
  okta.reset();
  service = await startTestService({ RECOVERY_METHODS: 'email,sms,call' });
});
afterEach(async () => {
  await service.close();
});

/** A live SMS challenge for the test's clock. */
const smsChallenge = () => fresh('recovery-challenge-sms.json', service.clock.now());

async function startedBySms(browser: Browser = service.browser()) {
  okta.reply(PATHS.start, smsChallenge());
  const response = await browser.postJson('/api/recovery/start', { username: 'dade.murphy@example.com', method: 'sms' });
  return { browser, response };
}

describe('POST /api/recovery/start with a phone method', () => {
  it('asks Okta to text the user and answers CODE_SENT with the code rules and a flow cookie', async () => {
    const { response } = await startedBySms();
    expect(response.status).toBe(202);
    expect(response.json()).toEqual({ status: 'CODE_SENT', method: 'sms', code: { format: 'digits', minLength: 6, maxLength: 6 } });
    expect(response.headers.getSetCookie().some((line) => line.startsWith('recovery-flow='))).toBe(true);
    expect(okta.callsTo(PATHS.start)[0]?.body).toEqual({ username: 'dade.murphy@example.com', factorType: 'SMS' });
    // The stateToken stays sealed: never in the body, never in a log line.
    expect(response.text).not.toContain(STATE_TOKEN);
    expect(service.logs.join('\n')).not.toContain(STATE_TOKEN);
  });

  it('asks for a voice call and verifies the spoken code on the call factor', async () => {
    okta.reply(PATHS.start, fresh('recovery-challenge-call.json', service.clock.now()));
    const browser = service.browser();
    const started = await browser.postJson('/api/recovery/start', { username: 'dade.murphy@example.com', method: 'call' });
    expect(started.json()).toMatchObject({ status: 'CODE_SENT', method: 'call' });
    expect(okta.callsTo(PATHS.start)[0]?.body).toMatchObject({ factorType: 'CALL' });
    okta.reply(CALL_VERIFY, fresh('recovery-question.json', service.clock.now()));
    const verified = await browser.postJson('/api/recovery/verify-code', { code: '657 866' });
    expect(verified.status).toBe(200);
    expect(okta.callsTo(CALL_VERIFY)[0]?.body).toEqual({ stateToken: STATE_TOKEN, passCode: '657866' });
  });

  it('refuses a method the org does not offer, without calling Okta', async () => {
    const emailOnly = await startTestService({ RECOVERY_METHODS: 'email' });
    try {
      const response = await emailOnly.browser().postJson('/api/recovery/start', { username: 'a@example.com', method: 'sms' });
      expect(response.status).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'VALIDATION', field: 'method', problem: 'invalid' } });
      expect(okta.calls).toHaveLength(0);
    } finally {
      await emailOnly.close();
    }
  });

  it('passes Okta\'s org-wide rate limit on as a retryable 429, the same for every username', async () => {
    okta.reply(PATHS.start, 'error-rate-limited.json', { 'x-rate-limit-reset': String(Math.ceil(service.clock.now() / 1000) + 40) });
    const response = await service.browser().postJson('/api/recovery/start', { username: 'a@example.com', method: 'sms' });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBeTruthy();
  });
});

describe('the same answer for every account (contract §1.3, §1.4)', () => {
  const refusals: Array<[string, string]> = [
    ['the factor not enabled in the policy (E0000006)', 'error-forbidden.json'],
    ['Okta\'s per-phone limit (E0000109)', 'error-sms-recently-sent.json'],
  ];

  /** What a client can observe of an answer: status, body, header names, cookie names and sizes. */
  function observable(response: { status: number; text: string; headers: Headers }) {
    const ignored = new Set(['date', 'x-request-id', 'set-cookie', 'content-security-policy']);
    return {
      status: response.status,
      body: response.text,
      headers: [...response.headers.keys()].filter((name) => !ignored.has(name)).sort(),
      cookies: response.headers.getSetCookie().map((line) => {
        const [pair = ''] = line.split(';');
        const [name, value = ''] = pair.split('=');
        return { name, length: value.length, attributes: line.slice(pair.length) };
      }),
    };
  }

  it.each(refusals)('answers a username Okta refuses (%s) exactly as one it texted', async (_name, refusal) => {
    const { response: real } = await startedBySms();
    okta.reply(PATHS.start, refusal);
    const refused = await service.browser().postJson('/api/recovery/start', { username: 'nobody@example.com', method: 'sms' });
    expect(observable(refused)).toEqual(observable(real));
  });

  it('logs Okta\'s code for a folded refusal, and a decoy flow takes no code, with one Okta call like a real one', async () => {
    okta.reply(PATHS.start, 'error-forbidden.json');
    const browser = service.browser();
    await browser.postJson('/api/recovery/start', { username: 'nobody@example.com', method: 'sms' });
    expect(service.logs.some((line) => line.includes('"oktaErrorCode":"E0000006"'))).toBe(true);
    okta.reply(SMS_VERIFY, 'error-invalid-token.json');
    const typed = await browser.postJson('/api/recovery/verify-code', { code: '123456' });
    expect(typed.status).toBe(422);
    expect(typed.json()).toMatchObject({ error: { code: 'WRONG_CODE' } });
    expect(okta.callsTo(SMS_VERIFY)).toHaveLength(1);
  });

  it('ends a decoy flow after the same number of wrong codes as a real one', async () => {
    const outcomes = async (browser: Browser, verifyAnswer: string) => {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        okta.reply(SMS_VERIFY, verifyAnswer);
        statuses.push((await browser.postJson('/api/recovery/verify-code', { code: '000000' })).status);
      }
      return statuses;
    };
    const { browser: real } = await startedBySms();
    okta.reply(PATHS.cancel, 'cancel.json');
    const realStatuses = await outcomes(real, 'error-wrong-passcode.json');
    okta.reply(PATHS.start, 'error-forbidden.json');
    const decoy = service.browser();
    await decoy.postJson('/api/recovery/start', { username: 'nobody@example.com', method: 'sms' });
    okta.reply(PATHS.cancel, 'error-invalid-token.json');
    const decoyStatuses = await outcomes(decoy, 'error-invalid-token.json');
    expect(realStatuses).toEqual([422, 422, 403]);
    expect(decoyStatuses).toEqual(realStatuses);
    expect(okta.callsTo(PATHS.cancel)).toHaveLength(2);
  });
});

describe('POST /api/recovery/verify-code for a texted code', () => {
  it('verifies the code with Okta on the factor\'s path and moves on to the question', async () => {
    const { browser } = await startedBySms();
    okta.reply(SMS_VERIFY, fresh('recovery-question.json', service.clock.now()));
    const verified = await browser.postJson('/api/recovery/verify-code', { code: '657866' });
    expect(verified.status).toBe(200);
    expect(verified.json()).toEqual({ status: 'RECOVERY', question: "What was your first pet's name?" });
    expect(okta.callsTo(SMS_VERIFY)[0]?.body).toEqual({ stateToken: STATE_TOKEN, passCode: '657866' });
    // The code and the stateToken are secrets: in no log line, in no answer.
    expect(service.logs.join('\n')).not.toMatch(/657866|00_sxrUO9R5qFiSy5bb7vbyjftsAAMJDSGIHYvs_88/);
    expect(verified.text).not.toContain(STATE_TOKEN);
  });

  it('goes straight to the new password when Okta asks no question (§2.4)', async () => {
    const { browser } = await startedBySms();
    okta.reply(SMS_VERIFY, fresh('password-reset-with-policy.json', service.clock.now()));
    const verified = await browser.postJson('/api/recovery/verify-code', { code: '657866' });
    expect(verified.json()).toMatchObject({ status: 'PASSWORD_RESET' });
  });

  it('refuses something that is not six digits without calling Okta', async () => {
    const { browser } = await startedBySms();
    const typed = await browser.postJson('/api/recovery/verify-code', { code: '12ab56' });
    expect(typed.status).toBe(400);
    expect(typed.json()).toMatchObject({ error: { code: 'VALIDATION', field: 'code', problem: 'invalid', message: 'Enter the 6 digits of the code, without letters.' } });
    expect(okta.callsTo(SMS_VERIFY)).toHaveLength(0);
  });

  it('says a wrong code is wrong in words about the phone, and ends the flow at the last one allowed', async () => {
    const { browser } = await startedBySms();
    okta.reply(SMS_VERIFY, 'error-wrong-passcode.json').reply(SMS_VERIFY, 'error-wrong-passcode.json').reply(SMS_VERIFY, 'error-wrong-passcode.json');
    okta.reply(PATHS.cancel, 'cancel.json');
    const first = await browser.postJson('/api/recovery/verify-code', { code: '111111' });
    expect(first.status).toBe(422);
    expect(first.json()).toMatchObject({ error: { code: 'WRONG_CODE', message: expect.stringContaining('newest message') } });
    await browser.postJson('/api/recovery/verify-code', { code: '222222' });
    const last = await browser.postJson('/api/recovery/verify-code', { code: '333333' });
    expect(last.status).toBe(403);
    expect(last.json()).toMatchObject({ error: { code: 'ATTEMPTS_EXHAUSTED' } });
    expect(okta.callsTo(PATHS.cancel)[0]?.body).toEqual({ stateToken: STATE_TOKEN });
    const after = await browser.postJson('/api/recovery/verify-code', { code: '444444' });
    expect(after.status).toBe(401);
    okta.assertAllUsed();
  });

  it('counts wrong codes on the server: an older copy of the cookie does not get the tries back', async () => {
    const { browser } = await startedBySms();
    const saved = new Map(browser.cookies);
    for (let attempt = 0; attempt < 2; attempt++) {
      okta.reply(SMS_VERIFY, 'error-wrong-passcode.json');
      await browser.postJson('/api/recovery/verify-code', { code: '111111' });
    }
    for (const [name, value] of saved) browser.cookies.set(name, value);
    okta.reply(SMS_VERIFY, 'error-wrong-passcode.json').reply(PATHS.cancel, 'cancel.json');
    const replayed = await browser.postJson('/api/recovery/verify-code', { code: '111111' });
    expect(replayed.json()).toMatchObject({ error: { code: 'ATTEMPTS_EXHAUSTED' } });
  });
});

describe('POST /api/recovery/resend for a texted code', () => {
  it('waits out the cool-down, then asks Okta to text again', async () => {
    const { browser } = await startedBySms();
    const early = await browser.postJson('/api/recovery/resend', {});
    expect(early.status).toBe(429);
    expect(Number(early.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(okta.callsTo(SMS_RESEND)).toHaveLength(0);
    service.clock.advance(30_000);
    okta.reply(SMS_RESEND, smsChallenge());
    const resent = await browser.postJson('/api/recovery/resend', {});
    expect(resent.status).toBe(202);
    expect(resent.json()).toMatchObject({ status: 'CODE_SENT', method: 'sms' });
    expect(okta.callsTo(SMS_RESEND)[0]?.body).toEqual({ stateToken: STATE_TOKEN });
  });

  it('stops after five new codes in one flow', async () => {
    const { browser } = await startedBySms();
    const statuses: number[] = [];
    for (let resend = 0; resend < 6; resend++) {
      service.clock.advance(30_000);
      if (resend < 5) okta.reply(SMS_RESEND, smsChallenge());
      statuses.push((await browser.postJson('/api/recovery/resend', {})).status);
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    expect(okta.callsTo(SMS_RESEND)).toHaveLength(5);
  });

  it('shows Okta\'s own per-phone limit as a wait', async () => {
    const { browser } = await startedBySms();
    service.clock.advance(30_000);
    okta.reply(SMS_RESEND, 'error-sms-recently-sent.json');
    const resent = await browser.postJson('/api/recovery/resend', {});
    expect(resent.status).toBe(429);
    expect(resent.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
  });
});

describe('the pages', () => {
  async function forgotForm(browser: Browser) {
    const page = await browser.get('/forgot-password');
    expect(page.status).toBe(200);
    return page;
  }

  it('asks how to receive the code, email preselected, with one radio per method', async () => {
    const page = await forgotForm(service.browser());
    const radios = [...page.text.matchAll(/<input type="radio"[^>]*>/g)].map(([tag]) => ({ value: /value="(\w+)"/.exec(tag)?.[1], checked: / checked/.test(tag) }));
    expect(radios).toEqual([
      { value: 'email', checked: true },
      { value: 'sms', checked: false },
      { value: 'call', checked: false },
    ]);
    expect(page.text).toMatch(/<legend>How should we reach you\?<\/legend>/);
  });

  it('offers no choice when the org recovers by email only', async () => {
    const emailOnly = await startTestService();
    try {
      const page = await emailOnly.browser().get('/forgot-password');
      expect(page.text).not.toContain('type="radio"');
    } finally {
      await emailOnly.close();
    }
  });

  it('texts the code, shows the code page, and takes the code to the question', async () => {
    const browser = service.browser();
    const form = await forgotForm(browser);
    okta.reply(PATHS.start, smsChallenge());
    const posted = await browser.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username: 'dade.murphy@example.com', method: 'sms' });
    expect(posted.status).toBe(303);
    expect(posted.location).toBe('/forgot-password/sent');
    const codePage = await browser.get('/forgot-password/sent');
    expect(codePage.text).toContain('<h1>Check your phone</h1>');
    expect(codePage.text).toMatch(/<input id="code"[^>]*autocomplete="one-time-code"[^>]*maxlength="6"/);
    expect(codePage.text).toContain('You can ask for a new code in 30 seconds.');
    expect(codePage.text).toContain('Try another method');
    expect(codePage.text).not.toContain(STATE_TOKEN);

    okta.reply(SMS_VERIFY, 'error-wrong-passcode.json');
    const wrong = await browser.postForm('/reset-password/code', { _csrf: csrfTokenIn(codePage.text), code: '111111' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('Check the newest message');
    expect(wrong.text).toContain('aria-invalid="true"');

    okta.reply(SMS_VERIFY, fresh('recovery-question.json', service.clock.now()));
    const right = await browser.postForm('/reset-password/code', { _csrf: csrfTokenIn(wrong.text), code: '657866' });
    expect(right.status).toBe(303);
    expect(right.location).toBe('/reset-password/question');
  });

  it('"try another method" cancels the challenge at Okta and goes back to the choice', async () => {
    const browser = service.browser();
    await startedBySms(browser);
    const codePage = await browser.get('/forgot-password/sent');
    okta.reply(PATHS.cancel, 'cancel.json');
    const other = await browser.postForm('/reset-password/cancel', { _csrf: csrfTokenIn(codePage.text) });
    expect(other.status).toBe(303);
    expect(other.location).toBe('/forgot-password');
    expect(okta.callsTo(PATHS.cancel)[0]?.body).toEqual({ stateToken: STATE_TOKEN });
  });

  it('asks for the code in words about the phone when none was typed', async () => {
    const browser = service.browser();
    await startedBySms(browser);
    const codePage = await browser.get('/forgot-password/sent');
    const empty = await browser.postForm('/reset-password/code', { _csrf: csrfTokenIn(codePage.text), code: '' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Enter the code we sent to your phone.');
  });

  it('words the form for a code when the org recovers by SMS alone, and starts by SMS without a choice', async () => {
    const smsOnly = await startTestService({ RECOVERY_METHODS: 'sms' });
    try {
      const browser = smsOnly.browser();
      const form = await browser.get('/forgot-password');
      expect(form.text).not.toContain('type="radio"');
      expect(form.text).toContain('we will send a verification code to the phone on your account');
      okta.reply(PATHS.start, smsChallenge());
      const posted = await browser.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username: 'dade.murphy@example.com' });
      expect(posted.location).toBe('/forgot-password/sent');
      expect(okta.callsTo(PATHS.start)[0]?.body).toMatchObject({ factorType: 'SMS' });
      expect((await browser.get('/forgot-password/sent')).text).not.toContain('Try another method');
    } finally {
      await smsOnly.close();
    }
  });

  it('keeps the chosen method when the form comes back with an error', async () => {
    const browser = service.browser();
    const form = await forgotForm(browser);
    const posted = await browser.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username: '', method: 'call' });
    expect(posted.status).toBe(400);
    expect(posted.text).toMatch(/value="call" checked/);
    expect(okta.calls).toHaveLength(0);
  });
});

