/**
 * Self-service unlock (Classic, contract §5) through the pages and the JSON API, against Okta's
 * recorded answers: /recovery/unlock by email and SMS, the scanner-safe unlock link, the question,
 * SUCCESS with recoveryType UNLOCK, and the pages that lead to it.
 */
import { csrfTokenIn, type Browser } from '../helpers/browser.js';
import { fixture, fresh, withBody } from '../helpers/fixtures.js';
import { OktaMock, PATHS } from '../helpers/okta-nock.js';
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';

const UNLOCK = '/api/v1/authn/recovery/unlock';
const SMS_VERIFY = '/api/v1/authn/recovery/factors/sms/verify';
const TOKEN = 'VBQ0gwBp5LyJJFdbmWCM';
const okta = new OktaMock();
let service: ServiceUnderTest;

beforeEach(async () => {
  okta.reset();
  service = await startTestService({ SELF_SERVICE_UNLOCK: 'email,sms' });
});
afterEach(async () => {
  await service.close();
});

const unlockQuestion = () => fresh('recovery-question.json', service.clock.now(), { recoveryType: 'UNLOCK' });

async function submit(browser: Browser, page: string, action: string, fields: Record<string, string> = {}) {
  const form = await browser.get(page);
  expect(form.status).toBe(200);
  return browser.postForm(action, { _csrf: csrfTokenIn(form.text), ...fields });
}

describe('without SELF_SERVICE_UNLOCK', () => {
  it('serves no unlock page or endpoint, and links to none', async () => {
    const plain = await startTestService();
    try {
      const browser = plain.browser();
      expect((await browser.get('/unlock-account')).status).toBe(404);
      expect((await browser.get(`/unlock-account/${TOKEN}`)).status).toBe(404);
      expect((await browser.postJson('/api/unlock/start', { username: 'a@example.com' })).status).toBe(404);
      expect((await browser.get('/forgot-password')).text).not.toContain('/unlock-account');
      expect(okta.calls).toHaveLength(0);
    } finally {
      await plain.close();
    }
  });
});

describe('unlock by email', () => {
  it('asks Okta for the unlock email after answering, the same answer whatever Okta says', async () => {
    okta.reply(UNLOCK, 'unlock-challenge-email.json').reply(UNLOCK, 'error-forbidden.json');
    const browser = service.browser();
    const known = await browser.postJson('/api/unlock/start', { username: 'dade.murphy@example.com' });
    const refused = await browser.postJson('/api/unlock/start', { username: 'nobody@example.com' });
    expect(known.status).toBe(202);
    expect(known.json()).toEqual({ status: 'EMAIL_SENT' });
    expect(refused.text).toBe(known.text);
    expect(refused.headers.getSetCookie()).toEqual([]);
    expect(okta.callsTo(UNLOCK).map((call) => call.body)).toEqual([
      { username: 'dade.murphy@example.com', factorType: 'EMAIL' },
      { username: 'nobody@example.com', factorType: 'EMAIL' },
    ]);
  });

  it('runs through the pages: form, "check your email", the link, continue, unlocked', async () => {
    const browser = service.browser();
    const forgot = await browser.get('/forgot-password');
    expect(forgot.text).toContain('href="/unlock-account"');

    okta.reply(UNLOCK, 'unlock-challenge-email.json');
    const form = await browser.get('/unlock-account');
    const radios = [...form.text.matchAll(/<input type="radio"[^>]*value="(\w+)"([^>]*)>/g)].map((match) => [match[1], / checked/.test(match[2] ?? '')]);
    expect(radios).toEqual([['email', true], ['sms', false]]);
    const started = await browser.postForm('/unlock-account', { _csrf: csrfTokenIn(form.text), username: 'dade.murphy@example.com', method: 'email' });
    expect(started.location).toBe('/unlock-account/sent');
    expect((await browser.get('/unlock-account/sent')).text).toContain('a link to unlock it');

    // A mail scanner's GET or HEAD spends nothing.
    expect((await browser.request('HEAD', `/unlock-account/${TOKEN}`)).status).toBe(303);
    const opened = await browser.get(`/unlock-account/${TOKEN}`);
    expect(opened.location).toBe('/reset-password');
    expect(okta.callsTo(PATHS.verify)).toHaveLength(0);
    const continuePage = await browser.get('/reset-password');
    expect(continuePage.text).toContain('account unlock link');

    okta.reply(PATHS.verify, 'success-unlock.json');
    const verified = await browser.postForm('/reset-password', { _csrf: csrfTokenIn(continuePage.text) });
    expect(okta.callsTo(PATHS.verify)[0]?.body).toEqual({ recoveryToken: TOKEN });
    expect(verified.location).toBe('/unlock-account/done');
    const done = await browser.get('/unlock-account/done');
    expect(done.text).toContain('Your account is unlocked');
    expect(done.text).toContain(`href="${service.config.signInUrl}"`);
    expect(done.text).toContain('href="/forgot-password"');
    expect(service.logs.join('\n')).not.toContain(TOKEN);
  });

  it('asks the recovery question first when Okta does, then unlocks', async () => {
    const browser = service.browser();
    await browser.get(`/unlock-account/${TOKEN}`);
    okta.reply(PATHS.verify, unlockQuestion());
    expect((await submit(browser, '/reset-password', '/reset-password')).location).toBe('/reset-password/question');
    okta.reply(PATHS.answer, 'success-unlock.json');
    const answered = await submit(browser, '/reset-password/question', '/reset-password/question', { answer: 'Rex' });
    expect(answered.location).toBe('/unlock-account/done');
  });

  it('says a used or expired unlock link is dead', async () => {
    okta.reply(PATHS.verify, 'error-link-expired.json');
    const response = await service.browser().postJson('/api/unlock/verify', { token: TOKEN });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'INVALID_TOKEN' } });
  });

  it('answers UNLOCKED through the API and keeps no cookie once unlocked', async () => {
    const browser = service.browser();
    okta.reply(PATHS.verify, unlockQuestion());
    expect((await browser.postJson('/api/unlock/verify', { token: TOKEN })).json()).toMatchObject({ status: 'RECOVERY' });
    okta.reply(PATHS.answer, 'success-unlock.json');
    const answered = await browser.postJson('/api/unlock/answer', { answer: 'Rex' });
    expect(answered.json()).toEqual({ status: 'UNLOCKED' });
    expect(browser.cookies.has('recovery-flow')).toBe(false);
  });
});

describe('unlock by SMS', () => {
  it('texts a code through /recovery/unlock, and the code unlocks the account', async () => {
    const browser = service.browser();
    okta.reply(UNLOCK, fresh('unlock-challenge-sms.json', service.clock.now()));
    const started = await browser.postJson('/api/unlock/start', { username: 'dade.murphy@example.com', method: 'sms' });
    expect(started.status).toBe(202);
    expect(started.json()).toMatchObject({ status: 'CODE_SENT', method: 'sms' });
    expect(okta.callsTo(UNLOCK)[0]?.body).toEqual({ username: 'dade.murphy@example.com', factorType: 'SMS' });
    okta.reply(SMS_VERIFY, 'success-unlock.json');
    const verified = await browser.postJson('/api/unlock/verify-code', { code: '123456' });
    expect(verified.json()).toEqual({ status: 'UNLOCKED' });
  });

  it('answers a refused username exactly as one Okta texted', async () => {
    okta.reply(UNLOCK, fresh('unlock-challenge-sms.json', service.clock.now())).reply(UNLOCK, 'error-forbidden.json');
    const texted = await service.browser().postJson('/api/unlock/start', { username: 'locked@example.com', method: 'sms' });
    const refused = await service.browser().postJson('/api/unlock/start', { username: 'nobody@example.com', method: 'sms' });
    const cookieLength = (response: typeof texted) => response.headers.getSetCookie().map((line) => line.split(';')[0]?.length);
    expect([refused.status, refused.text, cookieLength(refused)]).toEqual([texted.status, texted.text, cookieLength(texted)]);
  });

  it('shows the code page, whose "try another method" cancels at Okta and goes back to the unlock form', async () => {
    const browser = service.browser();
    okta.reply(UNLOCK, fresh('unlock-challenge-sms.json', service.clock.now()));
    const started = await submit(browser, '/unlock-account', '/unlock-account', { username: 'dade.murphy@example.com', method: 'sms' });
    expect(started.location).toBe('/forgot-password/sent');
    const codePage = await browser.get('/forgot-password/sent');
    expect(codePage.text).toContain('<h1>Check your phone</h1>');
    okta.reply(PATHS.cancel, 'cancel.json');
    const other = await browser.postForm('/reset-password/cancel', { _csrf: csrfTokenIn(codePage.text) });
    expect(other.location).toBe('/unlock-account');
    expect(okta.callsTo(PATHS.cancel)).toHaveLength(1);
    expect(browser.cookies.has('recovery-flow')).toBe(false);
  });

  it('refuses CALL, which Okta does not unlock by', async () => {
    const response = await service.browser().postJson('/api/unlock/start', { username: 'a@example.com', method: 'call' });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'VALIDATION', field: 'method' } });
  });
});

it('links the locked-account page to self-service unlock', async () => {
  const browser = service.browser();
  await browser.get(`/reset-password/${TOKEN}`);
  okta.reply(PATHS.verify, fresh('recovery-question.json', service.clock.now()));
  await submit(browser, '/reset-password', '/reset-password');
  const lockedOut = withBody(fixture('error-wrong-answer.json'), { errorCode: 'E0000069', errorSummary: 'User Locked' });
  okta.reply(PATHS.answer, lockedOut);
  const locked = await submit(browser, '/reset-password/question', '/reset-password/question', { answer: 'wrong' });
  expect(locked.status).toBe(403);
  expect(locked.text).toMatch(/<a class="button" href="\/unlock-account">/);
});
