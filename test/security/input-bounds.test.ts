/**
 * Input bounds (ASVS v4 2.1.1–2.1.4, 5.1.3/5.1.4; OWASP Authentication and Input Validation cheat
 * sheets; WSTG-INPV): username, answer and password are bounded at 256 code points, never trimmed
 * (answer, password) or truncated, so what the user typed is exactly what Okta receives — Unicode
 * included (emoji beyond the BMP, CJK, combining marks, ZWJ sequences, spaces). Anything longer,
 * any body over 16 KiB, and any value of the wrong JSON type is refused before Okta with a clear
 * answer. Okta is nock with the recorded fixtures, so the exact bytes Okta received are asserted.
 * Already proven in test/http/api-flow.test.ts "refuses an empty or over-long username without
 * calling Okta, and accepts 256 Unicode characters" (é × 256 / 257 on the API's start).
 */
import { csrfTokenIn, type Browser } from '../helpers/browser.js';
import { fresh } from '../helpers/fixtures.js';
import { OktaMock, PATHS } from '../helpers/okta-nock.js';
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';
import { LENIENT_LIMITS } from '../helpers/emulated.js';

const TOKEN = 'VBQ0gwBp5LyJJFdbmWCM';
const okta = new OktaMock();
let service: ServiceUnderTest;

beforeEach(async () => {
  okta.reset();
  service = await startTestService({ ...LENIENT_LIMITS });
});
afterEach(async () => {
  await service.close();
});

const codePoints = (text: string) => [...text].length;

/** `length` code points: the prefix and suffix kept as given, the middle filled with hard Unicode. */
function unicode(length: number, prefix = '', suffix = ''): string {
  // Astral emoji (2 UTF-16 units), CJK, a combining acute (e + U+0301), a ZWJ family, Arabic, spaces.
  const pieces = ['😀', '漢', 'e\u0301', ' ', '👩\u200d👩\u200d👧', 'ع', '  ', 'Ω', '𝄞'];
  let middle = '';
  for (let index = 0; codePoints(prefix + middle + suffix) < length; index++) middle += pieces[index % pieces.length];
  const text = [...(prefix + middle)].slice(0, length - codePoints(suffix)).join('') + suffix;
  expect(codePoints(text)).toBe(length);
  return text;
}

const USERNAME_256 = unicode(256, 'ü ser ', '@exämple.com');
// Leading and trailing spaces are part of an answer or a password: the user may have typed them.
const ANSWER_256 = unicode(256, '  Ann 漢 ', ' \t ');
const PASSWORD_256 = unicode(256, '  Aa1 ', ' ');

async function pageForm(browser: Browser, page: string): Promise<string> {
  const form = await browser.get(page);
  expect(form.status).toBe(200);
  return csrfTokenIn(form.text);
}

/** A browser whose flow waits for the answer (question) or the password (no question), via the link. */
async function at(step: 'answer' | 'password'): Promise<Browser> {
  const browser = service.browser();
  const now = service.clock.now();
  okta.reply(PATHS.verify, step === 'answer' ? fresh('recovery-question.json', now) : fresh('password-reset-with-policy.json', now));
  await browser.get(`/reset-password/${TOKEN}`);
  const verified = await browser.postForm('/reset-password', { _csrf: await pageForm(browser, '/reset-password') });
  expect(verified.location).toBe(step === 'answer' ? '/reset-password/question' : '/reset-password/new-password');
  return browser;
}

describe('256 code points of Unicode reach Okta exactly as typed', () => {
  it('username, through the page form and the API (surrounding spaces are a typing slip and trimmed; inner ones kept)', async () => {
    okta.reply(PATHS.start, 'recovery-challenge-email.json').reply(PATHS.start, 'recovery-challenge-email.json');
    const browser = service.browser();
    const posted = await browser.postForm('/forgot-password', { _csrf: await pageForm(browser, '/forgot-password'), username: ` ${USERNAME_256}  ` });
    expect(posted.location).toBe('/forgot-password/sent');
    expect((await browser.postJson('/api/recovery/start', { username: USERNAME_256 })).status).toBe(202);
    expect(okta.callsTo(PATHS.start).map((call) => call.body.username)).toEqual([USERNAME_256, USERNAME_256]);
  });

  it('answer, through the page form and the API, leading and trailing spaces included', async () => {
    const page = await at('answer');
    okta.reply(PATHS.answer, 'error-wrong-answer.json');
    const wrong = await page.postForm('/reset-password/question', { _csrf: await pageForm(page, '/reset-password/question'), answer: ANSWER_256 });
    expect(wrong.status).toBe(422);
    okta.reply(PATHS.answer, fresh('password-reset.json', service.clock.now()));
    expect((await page.postJson('/api/recovery/answer', { answer: ANSWER_256 })).status).toBe(200);
    expect(okta.callsTo(PATHS.answer).map((call) => call.body.answer)).toEqual([ANSWER_256, ANSWER_256]);
  });

  it('password, through the page form and the API, leading and trailing spaces included', async () => {
    const page = await at('password');
    okta.reply(PATHS.reset, 'error-password-policy.json');
    const refused = await page.postForm('/reset-password/new-password', { _csrf: await pageForm(page, '/reset-password/new-password'), newPassword: PASSWORD_256, confirmPassword: PASSWORD_256 });
    expect(refused.status).toBe(422);
    okta.reply(PATHS.reset, 'success.json');
    expect((await page.postJson('/api/recovery/reset', { newPassword: PASSWORD_256 })).status).toBe(200);
    expect(okta.callsTo(PATHS.reset).map((call) => call.body.newPassword)).toEqual([PASSWORD_256, PASSWORD_256]);
  });
});

describe('257 code points are refused before Okta, with the field’s message', () => {
  const TOO_LONG = 'This is too long: use at most 256 characters.';

  it('username', async () => {
    const browser = service.browser();
    const page = await browser.postForm('/forgot-password', { _csrf: await pageForm(browser, '/forgot-password'), username: unicode(257) });
    expect(page.status).toBe(400);
    expect(page.text).toContain(TOO_LONG);
    const api = await browser.postJson('/api/recovery/start', { username: unicode(257) });
    expect(api.json()).toEqual({ error: { code: 'VALIDATION', field: 'username', problem: 'too-long', message: TOO_LONG } });
    expect(okta.calls).toHaveLength(0);
  });

  it('answer', async () => {
    const browser = await at('answer');
    const page = await browser.postForm('/reset-password/question', { _csrf: await pageForm(browser, '/reset-password/question'), answer: unicode(257) });
    expect(page.status).toBe(400);
    expect(page.text).toContain(TOO_LONG);
    const api = await browser.postJson('/api/recovery/answer', { answer: unicode(257) });
    expect(api.json()).toEqual({ error: { code: 'VALIDATION', field: 'answer', problem: 'too-long', message: TOO_LONG } });
    expect(okta.callsTo(PATHS.answer)).toHaveLength(0);
  });

  it('password (docs/openapi.yaml: maxLength 256; docs/recovery-flow.md: > 256 characters is VALIDATION)', async () => {
    const browser = await at('password');
    const tooLong = unicode(257, 'Aa1');
    const page = await browser.postForm('/reset-password/new-password', { _csrf: await pageForm(browser, '/reset-password/new-password'), newPassword: tooLong, confirmPassword: tooLong });
    expect(page.status).toBe(400);
    expect(page.text).toContain(TOO_LONG);
    const api = await browser.postJson('/api/recovery/reset', { newPassword: tooLong });
    expect(api.json()).toEqual({ error: { code: 'VALIDATION', field: 'newPassword', problem: 'too-long', message: TOO_LONG } });
    expect(okta.callsTo(PATHS.reset)).toHaveLength(0);
  });
});

describe('JSON bodies read as the JSON parser reads them, whether or not the Content-Type has parameters', () => {
  it.each(['application/json', 'application/json; charset=utf-8'])('%s: a byte order mark is skipped, a __proto__ key refused however it is spelled, a "__proto__" value kept', async (type) => {
    const post = (body: string) => service.browser().postJson('/api/recovery/start', body, { 'content-type': type });
    expect((await post('\uFEFF{"username":"a@example.com"}')).status).toBe(202);
    expect((await post('{"username":"__proto__"}')).status).toBe(202);
    for (const key of ['__proto__', '\\u005f_proto__', '\\u005F\\u005Fproto__']) {
      const response = await post(`{"username":"a@example.com","nested":{"${key}":{"x":1}}}`);
      expect({ key, status: response.status, field: response.json<{ error?: { field?: string } }>().error?.field }).toEqual({ key, status: 400, field: 'body' });
    }
    expect((await post(' ')).status).toBe(400);
    expect((await post('')).json()).toMatchObject({ error: { field: 'username', problem: 'required' } });
  });
});

describe('request bodies over 16 KiB', () => {
  it('are answered 413 with a JSON error on the API, not a 500, and reach no step', async () => {
    const response = await service.browser().postJson('/api/recovery/start', { username: 'a@example.com', padding: 'x'.repeat(17 * 1024) });
    expect(response.status).toBe(413);
    expect(response.json()).toMatchObject({ error: { code: 'VALIDATION', field: 'body' } });
    expect(okta.calls).toHaveLength(0);
  });

  it('are answered 413 with an error page on the forms', async () => {
    const browser = service.browser();
    const response = await browser.postForm('/forgot-password', { _csrf: await pageForm(browser, '/forgot-password'), username: 'x'.repeat(17 * 1024) });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.text).toContain('There is a problem');
    expect(okta.calls).toHaveLength(0);
  });

  it('just under the limit are read, and then refused for the field’s length (400), not the body’s', async () => {
    const response = await service.browser().postJson('/api/recovery/start', { username: 'x'.repeat(15 * 1024) });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'VALIDATION', field: 'username', problem: 'too-long' } });
  });
});

describe('values of the wrong shape are VALIDATION, never a crash or a call to Okta', () => {
  const deeplyNested = (depth: number) => '{"username":' + '['.repeat(depth) + '"a@example.com"' + ']'.repeat(depth) + '}';
  const WRONG: Array<[string, string]> = [
    ['an array', JSON.stringify({ x: ['a@example.com'] })],
    ['a number', JSON.stringify({ x: 12345 })],
    ['null', JSON.stringify({ x: null })],
    ['a boolean', JSON.stringify({ x: true })],
    ['an object', JSON.stringify({ x: { toString: 'a@example.com' } })],
    ['an empty string', JSON.stringify({ x: '' })],
    ['the value under __proto__', '{"__proto__":{"x":"a@example.com"}}'],
    ['the value under constructor.prototype', '{"constructor":{"prototype":{"x":"a@example.com"}}}'],
  ];

  it.each([
    ['/api/recovery/start', 'username'],
    ['/api/recovery/verify', 'token'],
    ['/api/recovery/answer', 'answer'],
    ['/api/recovery/reset', 'newPassword'],
  ])('%s: %s as anything but a string', async (route, name) => {
    const browser = route.endsWith('answer') ? await at('answer') : route.endsWith('reset') ? await at('password') : service.browser();
    const callsBefore = okta.calls.length;
    for (const [what, body] of WRONG) {
      const response = await browser.postJson(route, body.replaceAll('"x"', JSON.stringify(name)));
      expect({ what, status: response.status, code: response.json<{ error?: { code?: string } }>().error?.code }).toEqual({ what, status: 400, code: 'VALIDATION' });
    }
    for (const [what, body] of [
      ['JSON nested 3000 deep', deeplyNested(3000).replace('"username"', JSON.stringify(name))],
      ['a top-level array', '[' + JSON.stringify({ [name]: 'a' }) + ']'],
      ['a bare string', JSON.stringify('a@example.com')],
      ['a bare number', '42'],
    ]) {
      const response = await browser.postJson(route, body as string);
      expect({ what, status: response.status, code: response.json<{ error?: { code?: string } }>().error?.code }).toEqual({ what, status: 400, code: 'VALIDATION' });
    }
    expect(okta.calls.length).toBe(callsBefore);
  });

  it('form fields given as arrays or objects (a[]=, a[b]=) are refused like any wrong shape', async () => {
    const browser = service.browser();
    const csrf = await pageForm(browser, '/forgot-password');
    for (const body of ['username[]=a%40example.com&username[]=b%40example.com', 'username[x]=a%40example.com', '__proto__[username]=a%40example.com', 'constructor[prototype][username]=a%40example.com']) {
      const response = await browser.request('POST', '/forgot-password', {
        body: `${body}&_csrf=${encodeURIComponent(csrf)}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: browser.origin },
      });
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
    }
    expect(okta.calls).toHaveLength(0);
  });

  it('pollutes no prototype in the process (the service runs in this one)', async () => {
    const browser = service.browser();
    await browser.postJson('/api/recovery/start', '{"__proto__":{"pollutedByJson":true},"constructor":{"prototype":{"pollutedByCtor":true}}}');
    const csrf = await pageForm(browser, '/forgot-password');
    await browser.request('POST', '/forgot-password', {
      body: `__proto__[pollutedByForm]=1&constructor[prototype][pollutedByFormCtor]=1&_csrf=${encodeURIComponent(csrf)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: browser.origin },
    });
    const probe: Record<string, unknown> = {};
    expect([probe.pollutedByJson, probe.pollutedByCtor, probe.pollutedByForm, probe.pollutedByFormCtor]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

