/**
 * Secrets stay secret over whole flows through the REAL emulator over HTTP (OWASP Logging and
 * Forgot Password cheat sheets; ASVS v4 7.1.1/7.1.2, 3.2.x, 8.3.x; WSTG-INFO-05, WSTG-ATHN-09):
 * no recovery token, stateToken, answer (right or wrong), password (accepted, rejected or
 * mistyped), cookie value, CSRF token or Okta API token appears in any log line at trace level;
 * and no token, answer or password appears in a response body, a Location, a link in a page, or a
 * Set-Cookie in readable form. Pages and the API, wrong answers, local and Okta policy failures,
 * mismatched confirmation, dead and impossible links, cancel, and EMAIL_DELIVERY=service.
 * test/http/secrets.test.ts proves the same over recorded Okta answers (nock); here the tokens
 * are the emulator's own, learnt the way only a test can: from the emails, and by opening the
 * sealed flow cookie with the COOKIE_SECRET the test gave the service.
 */
import { ManualClock } from '../../src/clock.js';
import { createFlowSealer } from '../../src/recovery/flow-cookie.js';
import { csrfTokenIn, type Browser, type BrowserResponse } from '../helpers/browser.js';
import { LENIENT_LIMITS, startEmulatedService, type EmulatedService } from '../helpers/emulated.js';
import { rawRequest } from '../helpers/raw-http.js';
import { TEST_COOKIE_SECRET } from '../helpers/service.js';
import { SmtpInbox } from '../helpers/smtp-inbox.js';

const API_TOKEN = 'ssws-log-secrets-token-0123456789abcdef';

/** Everything that must stay out of logs, split by whether it may legitimately appear in a page. */
class SecretWatch {
  /** Never in a log line, a body, a Location, a link or a readable cookie. */
  readonly secrets = new Map<string, string>();
  /** Never in a log line; in pages and Set-Cookie by design (CSRF token, cookie values). */
  readonly logOnly = new Map<string, string>();
  readonly answers: Array<{ label: string; body: string; location: string; setCookies: string[] }> = [];
  readonly #sealer = createFlowSealer(TEST_COOKIE_SECRET, new ManualClock(0));

  secret(kind: string, value: string): string {
    this.secrets.set(value, kind);
    return value;
  }

  /** Records an answer, and learns the secrets it carries (the sealed flow, CSRF tokens, cookies). */
  async record(label: string, browser: Browser, response: BrowserResponse): Promise<BrowserResponse> {
    this.answers.push({ label, body: response.text, location: response.location ?? '', setCookies: response.headers.getSetCookie() });
    for (const match of response.text.matchAll(/name="_csrf" value="([^"]+)"/g)) this.logOnly.set(match[1] as string, 'CSRF token');
    for (const [name, value] of browser.cookies) {
      this.logOnly.set(value, `cookie ${name}`);
      if (!name.endsWith('recovery-flow')) continue;
      // The sealer checks expiry against its clock: 0 keeps every cookie the test saw openable.
      const flow = (await this.#sealer.open(value)) as (Record<string, unknown> & { session?: Record<string, string> }) | null;
      // Okta's transaction handle lives in the engine's session: Classic's stateToken, IDX's stateHandle.
      if (flow?.session?.stateToken) this.secret('stateToken', flow.session.stateToken);
      if (flow?.session?.h) this.secret('stateHandle', flow.session.h);
      if (flow?.session?.s) this.secret('state', flow.session.s);
      if (typeof flow?.recoveryToken === 'string') this.secret('recoveryToken', flow.recoveryToken);
    }
    return response;
  }

  expectNothingLeaked(logs: readonly string[], expectedKinds = ['recoveryToken', 'stateToken', 'answer', 'password']): void {
    const kinds = new Set(this.secrets.values());
    // The flows really handled every kind of secret, or the search below proves nothing.
    for (const kind of expectedKinds) expect({ kind, seen: kinds.has(kind) }).toEqual({ kind, seen: true });
    // A step's request writes one line (its audit event with the access fields), so a flow's worth is fewer than one per request and event.
    expect(logs.length).toBeGreaterThan(15);
    const leaks: string[] = [];
    for (const [value, kind] of [...this.secrets, ...this.logOnly]) {
      const line = logs.find((entry) => entry.includes(value));
      if (line) leaks.push(`${kind} in log: ${line.slice(0, 300)}`);
    }
    for (const [value, kind] of this.secrets) {
      for (const answer of this.answers) {
        if (answer.body.includes(value)) leaks.push(`${kind} in the body of ${answer.label}`);
        if (answer.location.includes(value)) leaks.push(`${kind} in the Location of ${answer.label}`);
        if (answer.setCookies.some((line) => line.includes(value))) leaks.push(`${kind} readable in a Set-Cookie of ${answer.label}`);
      }
    }
    expect(leaks).toEqual([]);
  }
}

async function post(watch: SecretWatch, browser: Browser, page: string, fields: Record<string, string> = {}): Promise<BrowserResponse> {
  const form = await watch.record(`GET ${page}`, browser, await browser.get(page === '/reset-password/cancel' ? '/forgot-password' : page));
  return watch.record(`POST ${page}`, browser, await browser.postForm(page, { _csrf: csrfTokenIn(form.text), ...fields }));
}

describe('EMAIL_DELIVERY=okta (Okta sends the link)', () => {
  let emulated: EmulatedService;
  beforeEach(async () => {
    emulated = await startEmulatedService({ ...LENIENT_LIMITS, LOG_LEVEL: 'trace' });
  });
  afterEach(async () => {
    await emulated.close();
  });

  function linkOf(watch: SecretWatch, login: string): string {
    const path = emulated.latestLinkPath(login);
    watch.secret('recoveryToken', path.split('/').pop() as string);
    return path;
  }

  it('keeps every secret out of the logs and the answers over page flows', async () => {
    const watch = new SecretWatch();
    const browser = emulated.service.browser();
    await post(watch, browser, '/forgot-password', { username: 'alice@example.com' });
    const link = linkOf(watch, 'alice@example.com');
    await watch.record('GET link (scanner)', browser, await emulated.service.browser().get(link));
    await watch.record('GET link', browser, await browser.get(link));
    await watch.record('GET link, query form', browser, await browser.get(`/reset-password?token=${link.split('/').pop()}`));
    await post(watch, browser, '/reset-password');
    for (const wrong of ['Wrong-Answer-Kale-1', 'Wrong-Answer-Leek-2']) await post(watch, browser, '/reset-password/question', { answer: watch.secret('answer', wrong) });
    await post(watch, browser, '/reset-password/question', { answer: watch.secret('answer', 'Brussels sprouts') });
    await post(watch, browser, '/reset-password/new-password', { newPassword: watch.secret('password', 'Mistyped-Pass-111'), confirmPassword: watch.secret('password', 'Mistyped-Pass-112') });
    await post(watch, browser, '/reset-password/new-password', { newPassword: watch.secret('password', 'weakpw'), confirmPassword: 'weakpw' });
    // Her current password: only Okta knows to refuse it (history).
    const current = await post(watch, browser, '/reset-password/new-password', { newPassword: watch.secret('password', 'Wonderland-2024'), confirmPassword: 'Wonderland-2024' });
    expect(current.status).toBe(422);
    const done = await post(watch, browser, '/reset-password/new-password', { newPassword: watch.secret('password', 'Looking-Glass-Secret-7'), confirmPassword: 'Looking-Glass-Secret-7' });
    expect(done.location).toBe('/reset-password/done');
    await watch.record('GET done', browser, await browser.get('/reset-password/done'));

    // A spent link, an impossible one, then a flow that is cancelled at the question.
    const stranger = emulated.service.browser();
    await watch.record('GET spent link', stranger, await stranger.get(link));
    expect((await post(watch, stranger, '/reset-password')).status).toBe(400);
    await watch.record('GET impossible link', stranger, await stranger.get('/reset-password/not%20a%20token'));
    const canceller = emulated.service.browser();
    await post(watch, canceller, '/forgot-password', { username: 'alice@example.com' });
    await watch.record('GET link', canceller, await canceller.get(linkOf(watch, 'alice@example.com')));
    await post(watch, canceller, '/reset-password');
    expect((await post(watch, canceller, '/reset-password/cancel')).location).toBe('/forgot-password');

    watch.expectNothingLeaked(emulated.service.logs);
  });

  it('keeps every secret out of the logs and the JSON over API flows', async () => {
    const watch = new SecretWatch();
    const spa = emulated.service.browser();
    await watch.record('start', spa, await spa.postJson('/api/recovery/start', { username: 'bob@example.com' }));
    const bobToken = linkOf(watch, 'bob@example.com').split('/').pop() as string;
    await watch.record('verify', spa, await spa.postJson('/api/recovery/verify', { token: bobToken }));
    await watch.record('reset, local policy', spa, await spa.postJson('/api/recovery/reset', { newPassword: watch.secret('password', 'short') }));
    await watch.record('reset, Okta history', spa, await spa.postJson('/api/recovery/reset', { newPassword: watch.secret('password', 'Builder-2024') }));
    const done = await watch.record('reset', spa, await spa.postJson('/api/recovery/reset', { newPassword: watch.secret('password', 'Builder-Secret-Mk5') }));
    expect(done.status).toBe(200);
    await watch.record('verify, spent', spa, await spa.postJson('/api/recovery/verify', { token: bobToken }));
    await watch.record('verify, impossible', spa, await spa.postJson('/api/recovery/verify', { token: watch.secret('recoveryToken', 'Never-Issued-Token-42') }));

    const other = emulated.service.browser();
    await watch.record('start', other, await other.postJson('/api/recovery/start', { username: 'alice@example.com' }));
    await watch.record('verify', other, await other.postJson('/api/recovery/verify', { token: linkOf(watch, 'alice@example.com').split('/').pop() }));
    await watch.record('answer, wrong', other, await other.postJson('/api/recovery/answer', { answer: watch.secret('answer', 'Wrong-Api-Answer-Okra') }));
    await watch.record('answer', other, await other.postJson('/api/recovery/answer', { answer: watch.secret('answer', 'Brussels sprouts') }));
    expect((await watch.record('cancel', other, await other.postJson('/api/recovery/cancel', {}))).json()).toEqual({ status: 'CANCELLED' });

    watch.expectNothingLeaked(emulated.service.logs);
  });
});

describe('EMAIL_DELIVERY=service (this service fetches the token and sends the email)', () => {
  it('keeps the recovery token, the API token and every answer and password out of the logs', async () => {
    const inbox = await SmtpInbox.start();
    const emulated = await startEmulatedService(
      { ...LENIENT_LIMITS, LOG_LEVEL: 'trace', EMAIL_DELIVERY: 'service', OKTA_API_TOKEN: API_TOKEN, SMTP_URL: inbox.url, MAIL_FROM: 'Acme <no-reply@acme.example>', MAIL_RETRY_BASE_MS: '20' },
      { apiToken: API_TOKEN },
    );
    try {
      const watch = new SecretWatch();
      watch.logOnly.set(API_TOKEN, 'Okta API token');
      const browser = emulated.service.browser();
      await post(watch, browser, '/forgot-password', { username: 'alice@example.com' });
      await emulated.service.deps.mailer?.queue.idle();
      const [mail] = await inbox.waitForCount(1);
      const link = /https?:\/\/[^\s"<>]+\/reset-password\/[A-Za-z0-9_-]+/.exec(mail?.parsed.text ?? '')?.[0] ?? '';
      const path = new URL(link).pathname;
      watch.secret('recoveryToken', path.split('/').pop() as string);
      await watch.record('GET link', browser, await browser.get(path));
      await post(watch, browser, '/reset-password');
      await post(watch, browser, '/reset-password/question', { answer: watch.secret('answer', 'Wrong-Service-Answer-Yam') });
      await post(watch, browser, '/reset-password/question', { answer: watch.secret('answer', 'Brussels sprouts') });
      const done = await post(watch, browser, '/reset-password/new-password', { newPassword: watch.secret('password', 'Service-Secret-Pass-9'), confirmPassword: 'Service-Secret-Pass-9' });
      expect(done.location).toBe('/reset-password/done');
      await emulated.service.deps.mailer?.queue.idle();
      expect(emulated.service.logs.some((line) => line.includes('"event":"mail.sent"'))).toBe(true);
      watch.expectNothingLeaked(emulated.service.logs);
    } finally {
      await emulated.close();
      await inbox.stop();
    }
  });
});

/** GET the page that carries the form, then POST its form to `action` (IDX forms post elsewhere). */
async function postFrom(watch: SecretWatch, browser: Browser, page: string, action: string, fields: Record<string, string> = {}): Promise<BrowserResponse> {
  const form = await watch.record(`GET ${page}`, browser, await browser.get(page));
  return watch.record(`POST ${action}`, browser, await browser.postForm(action, { _csrf: csrfTokenIn(form.text), ...fields }));
}

describe('Identity Engine (OKTA_ENGINE=idx)', () => {
  it('keeps the emailed code, the stateHandle, our state, answers and passwords out of the logs and the answers', async () => {
    const emulated = await startEmulatedService({ ...LENIENT_LIMITS, LOG_LEVEL: 'trace', OKTA_ENGINE: 'idx', OKTA_CLIENT_ID: '0oa1recoveryemulator' }, { pipeline: 'idx' });
    try {
      const watch = new SecretWatch();
      const newest = (login: string) => {
        const mail = [...emulated.emulator.outbox].reverse().find((message) => message.to.includes(login));
        return { code: watch.secret('code', mail?.otp ?? 'no-code'), link: new URL(mail?.magicLink ?? 'http://x/') };
      };
      // Pages: a wrong code, the right one typed, the question, the new password.
      const browser = emulated.service.browser();
      await post(watch, browser, '/forgot-password', { username: 'alice@example.com' });
      await postFrom(watch, browser, '/forgot-password/sent', '/reset-password/code', { code: watch.secret('code', '000000') });
      await postFrom(watch, browser, '/forgot-password/sent', '/reset-password/code', { code: newest('alice@example.com').code });
      await post(watch, browser, '/reset-password/question', { answer: watch.secret('answer', 'Wrong-Idx-Answer-Fig') });
      await post(watch, browser, '/reset-password/question', { answer: watch.secret('answer', 'Brussels sprouts') });
      const done = await post(watch, browser, '/reset-password/new-password', { newPassword: watch.secret('password', 'Idx-Secret-Pass-31'), confirmPassword: 'Idx-Secret-Pass-31' });
      expect(done.location).toBe('/reset-password/done');

      // The magic link in the same browser, then the API with a resend.
      const linked = emulated.service.browser();
      await post(watch, linked, '/forgot-password', { username: 'bob@example.com' });
      const { link } = newest('bob@example.com');
      await watch.record('GET magic link', linked, await linked.get(`${link.pathname}${link.search}`));
      await watch.record('GET landing', linked, await linked.get('/reset-password/verify-email'));
      expect((await post(watch, linked, '/reset-password/verify-email')).location).toBe('/reset-password/new-password');
      const spa = emulated.service.browser();
      await watch.record('start', spa, await spa.postJson('/api/recovery/start', { username: 'carol@example.com' }));
      emulated.clock.advance(31_000);
      await watch.record('resend', spa, await spa.postJson('/api/recovery/resend', {}));
      await watch.record('verify-code', spa, await spa.postJson('/api/recovery/verify-code', { code: newest('carol@example.com').code }));
      await watch.record('cancel', spa, await spa.postJson('/api/recovery/cancel', {}));

      watch.expectNothingLeaked(emulated.service.logs, ['code', 'stateHandle', 'state', 'answer', 'password']);
    } finally {
      await emulated.close();
    }
  });
});

describe('tokens in paths the router reads differently from how they are spelt (issue 16, item 6)', () => {
  let emulated: EmulatedService;
  beforeEach(async () => {
    emulated = await startEmulatedService({ ...LENIENT_LIMITS, LOG_LEVEL: 'trace' });
  });
  afterEach(() => emulated.close());

  it.each([
    ['upper case', (token: string) => `/RESET-PASSWORD/${token}`],
    ['mixed case', (token: string) => `/Reset-Password/${token}`],
    ['a doubled slash from a template base URL ending in /', (token: string) => `//reset-password/${token}`],
    ['doubled slashes inside', (token: string) => `/reset-password//${token}`],
    ['an upper-case path with the query form', (token: string) => `/RESET-PASSWORD?token=${token}`],
  ])('works as a link and keeps the token out of the log: %s', async (_label, spell) => {
    const { service } = emulated;
    const browser = service.browser();
    const form = await browser.get('/forgot-password');
    await browser.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username: 'alice@example.com' });
    const token = emulated.latestLinkPath('alice@example.com').split('/').pop() as string;
    // Raw: fetch would read `//reset-password/…` as a host name.
    const opened = await rawRequest(service.url, { method: 'GET', path: spell(token) });
    expect(opened.headers.location).toBe('/reset-password');
    for (const line of opened.headers['set-cookie'] ?? []) browser.remember(line);
    const page = await browser.get('/reset-password');
    expect((await browser.postForm('/reset-password', { _csrf: csrfTokenIn(page.text) })).location).toBe('/reset-password/question');
    const accessLines = service.logs.filter((line) => line.includes('"http.request"'));
    expect(accessLines.some((line) => line.includes('[token]'))).toBe(true);
    expect(service.logs.filter((line) => line.includes(token))).toEqual([]);
  });

  it('keeps a token out of the log even when no route answers', async () => {
    const { service } = emulated;
    const token = 'abcdefghijKLMNOPQRST0123';
    for (const path of [`//reset-password/${token}/extra`, `/RESET-PASSWORD/${token}/x`, `/reset-password/${token}//x`]) {
      expect((await rawRequest(service.url, { method: 'GET', path })).status).toBe(404);
    }
    // Query names are case-sensitive, so this is no link; it is still redacted.
    expect((await rawRequest(service.url, { method: 'GET', path: `/RESET-PASSWORD?TOKEN=${token}` })).status).toBe(401);
    expect(service.logs.filter((line) => line.includes(token))).toEqual([]);
  });
});
