/**
 * The server-rendered pages, as a browser without JavaScript uses them: forms with CSRF tokens,
 * Post/Redirect/Get, the scanner-safe emailed link, forced browsing, and the headers every page sends.
 */
import { csrfTokenIn, type Browser } from '../helpers/browser.js';
import { fresh } from '../helpers/fixtures.js';
import { OktaMock, PATHS } from '../helpers/okta-nock.js';
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';

const TOKEN = 'VBQ0gwBp5LyJJFdbmWCM';
const STATE_TOKEN = '00lMJySRYNz3u_rKQrsLvLrzxiARgivP8FB_1gpmVb';
const okta = new OktaMock();
let service: ServiceUnderTest;

beforeEach(async () => {
  okta.reset();
  service = await startTestService({ ALLOWED_REDIRECT_ORIGINS: 'https://intranet.acme.example' });
});
afterEach(async () => {
  await service.close();
});

async function submit(browser: Browser, page: string, action: string, fields: Record<string, string>) {
  const form = await browser.get(page);
  expect(form.status).toBe(200);
  return browser.postForm(action, { _csrf: csrfTokenIn(form.text), ...fields });
}

async function openLink(browser: Browser) {
  const link = await browser.get(`/reset-password/${TOKEN}`);
  expect(link.status).toBe(303);
  expect(link.location).toBe('/reset-password');
  return link;
}

describe('forgot password page', () => {
  it('sends the link and shows "check your email" after a redirect', async () => {
    okta.reply(PATHS.start, 'recovery-challenge-email.json');
    const browser = service.browser();
    const posted = await submit(browser, '/forgot-password', '/forgot-password', { username: 'dade.murphy@example.com' });
    expect(posted.status).toBe(303);
    expect(posted.location).toBe('/forgot-password/sent');
    const sent = await browser.get('/forgot-password/sent');
    expect(sent.text).toContain('Check your email');
    expect(sent.text).toMatch(/role="status"/);
    expect(okta.callsTo(PATHS.start)[0]?.body).toEqual({ username: 'dade.murphy@example.com', factorType: 'EMAIL' });
  });

  it('shows the form again with a message tied to the field when the username is empty', async () => {
    const browser = service.browser();
    const posted = await submit(browser, '/forgot-password', '/forgot-password', { username: '' });
    expect(posted.status).toBe(400);
    expect(posted.text).toContain('aria-describedby="username-error"');
    expect(posted.text).toContain('id="error-summary"');
    expect(okta.calls).toHaveLength(0);
  });

  it('refuses a form post without a valid CSRF token', async () => {
    const browser = service.browser();
    await browser.get('/forgot-password');
    const forged = await browser.postForm('/forgot-password', { username: 'a@example.com', _csrf: 'forged' });
    expect(forged.status).toBe(403);
    const none = await service.browser().postForm('/forgot-password', { username: 'a@example.com' });
    expect(none.status).toBe(403);
    expect(okta.calls).toHaveLength(0);
  });

  it('answers "check your email" whatever Okta then does, and a clear, retryable page once Okta said to wait', async () => {
    okta.reply(PATHS.start, 'error-internal.json');
    okta.reply(PATHS.start, 'error-rate-limited.json', { 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 30) });
    const browser = service.browser();
    // Okta is asked after the answer (issue 16, item 4): its outage and its 429 are logged, not shown.
    for (let i = 0; i < 2; i++) {
      expect((await submit(browser, '/forgot-password', '/forgot-password', { username: 'a@example.com' })).location).toBe('/forgot-password/sent');
    }
    // Okta said its window is spent: the next start waits for the reset without calling Okta.
    const held = await submit(browser, '/forgot-password', '/forgot-password', { username: 'a@example.com' });
    expect(held.status).toBe(429);
    expect(held.text).toContain('Please wait before trying again');
    expect(held.text).toMatch(/You can try again in \d+ seconds\./);
    expect(Number(held.headers.get('retry-after'))).toBeLessThanOrEqual(30);
    okta.assertAllUsed();
    expect(okta.calls).toHaveLength(2);
  });
});

describe('the emailed link', () => {
  it.each(['GET', 'HEAD'])('%s never spends the token: it is sealed into the cookie and dropped from the URL', async (method) => {
    const browser = service.browser();
    const response = await browser.request(method, `/reset-password/${TOKEN}`);
    expect(response.status).toBe(303);
    expect(response.location).toBe('/reset-password');
    expect(browser.cookies.get('recovery-flow')).toBeTruthy();
    expect(browser.cookies.get('recovery-flow')).not.toContain(TOKEN);
    expect(okta.calls).toHaveLength(0);
  });

  it('accepts the query form ?token= too', async () => {
    const browser = service.browser();
    const response = await browser.get(`/reset-password?token=${TOKEN}`);
    expect(response.location).toBe('/reset-password');
    const page = await browser.get('/reset-password');
    expect(page.text).toContain('action="/reset-password"');
    expect(page.text).not.toContain(TOKEN);
  });

  it('shows an "expired link" page offering a new link when Okta says the token is dead', async () => {
    okta.reply(PATHS.verify, 'error-link-expired.json');
    const browser = service.browser();
    await openLink(browser);
    const posted = await submit(browser, '/reset-password', '/reset-password', {});
    expect(posted.status).toBe(400);
    expect(posted.text).toContain('This link has expired or was already used');
    expect(posted.text).toContain('href="/forgot-password"');
    expect(browser.cookies.has('recovery-flow')).toBe(false);
  });

  it('shows the same page for a link that could never be valid', async () => {
    const response = await service.browser().get('/reset-password/not%20a%20token');
    expect(response.status).toBe(400);
    expect(response.text).toContain('This link has expired or was already used');
  });
});

describe('the whole flow through pages', () => {
  it('goes link → question → wrong answer → right answer → new password → done, sending the user to an allowed relayState', async () => {
    const browser = service.browser({ 'user-agent': 'Mozilla/5.0 (TestOS) Safari/18' });
    await openLink(browser);
    okta.reply(PATHS.verify, fresh('recovery-question.json', service.clock.now(), { stateToken: STATE_TOKEN, relayState: 'https://intranet.acme.example/home' }));
    const verified = await submit(browser, '/reset-password', '/reset-password', {});
    expect(verified.location).toBe('/reset-password/question');
    expect(okta.callsTo(PATHS.verify)[0]?.body).toEqual({ recoveryToken: TOKEN });

    okta.reply(PATHS.answer, 'error-wrong-answer.json');
    const wrong = await submit(browser, '/reset-password/question', '/reset-password/question', { answer: 'Calamity Jane' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('That answer does not match our records');
    expect(wrong.text).toContain("What was your first pet&#x27;s name?");

    okta.reply(PATHS.answer, fresh('password-reset-with-policy.json', service.clock.now()));
    const right = await submit(browser, '/reset-password/question', '/reset-password/question', { answer: 'Annie Oakley' });
    expect(right.location).toBe('/reset-password/new-password');

    const passwordPage = await browser.get('/reset-password/new-password');
    expect(passwordPage.text).toContain('autocomplete="new-password"');
    expect(passwordPage.text).toContain('At least 8 characters');
    expect(passwordPage.text).toContain('value="jordan.lee@acme.example"');

    const mismatch = await browser.postForm('/reset-password/new-password', {
      _csrf: csrfTokenIn(passwordPage.text),
      newPassword: 'Correct-Horse-9',
      confirmPassword: 'Correct-Horse-8',
      revokeSessions: 'on',
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.text).toContain('The passwords do not match');

    okta.reply(PATHS.reset, 'success.json');
    const changed = await submit(browser, '/reset-password/new-password', '/reset-password/new-password', {
      newPassword: 'Correct-Horse-9',
      confirmPassword: 'Correct-Horse-9',
      revokeSessions: 'on',
    });
    expect(changed.location).toBe('/reset-password/done');
    // Each Okta answer may carry a new stateToken; the flow always sends the latest one.
    expect(okta.callsTo(PATHS.reset)[0]?.body).toEqual({
      stateToken: '00fixturePolicyStateToken00000000000000003',
      newPassword: 'Correct-Horse-9',
      revokeSessions: true,
    });
    expect(okta.callsTo(PATHS.reset)[0]?.headers['user-agent']).toBe('Mozilla/5.0 (TestOS) Safari/18');

    const done = await browser.get('/reset-password/done');
    expect(done.text).toContain('Password changed');
    expect(done.text).toContain('href="https://intranet.acme.example/home"');
  });

  it('falls back to SUCCESS_REDIRECT_URL when the relayState points anywhere not allowed', async () => {
    const browser = service.browser();
    await openLink(browser);
    okta.reply(PATHS.verify, fresh('recovery-question.json', service.clock.now(), { relayState: '//evil.example/x' }));
    await submit(browser, '/reset-password', '/reset-password', {});
    okta.reply(PATHS.answer, fresh('password-reset.json', service.clock.now()));
    await submit(browser, '/reset-password/question', '/reset-password/question', { answer: 'a' });
    okta.reply(PATHS.reset, 'success.json');
    await submit(browser, '/reset-password/new-password', '/reset-password/new-password', { newPassword: 'x', confirmPassword: 'x' });
    const done = await browser.get('/reset-password/done');
    expect(done.text).toContain('href="https://acme.okta.example"');
    expect(done.text).not.toContain('evil.example');
  });

  it('sends forced browsing to the step the flow is really at, and shows "expired" without a flow', async () => {
    const browser = service.browser();
    await openLink(browser);
    const skipAhead = await browser.get('/reset-password/new-password');
    expect(skipAhead.status).toBe(303);
    expect(skipAhead.location).toBe('/reset-password');
    const noFlow = await service.browser().get('/reset-password/question');
    expect(noFlow.status).toBe(401);
    expect(noFlow.text).toContain('Your session has expired');
    const page = await browser.get('/reset-password');
    const postedAhead = await browser.postForm('/reset-password/new-password', { _csrf: csrfTokenIn(page.text), newPassword: 'x', confirmPassword: 'x' });
    expect(postedAhead.status).toBe(303);
    expect(postedAhead.location).toBe('/reset-password');
    expect(okta.calls).toHaveLength(0);
  });
});

describe('headers on every page', () => {
  it.each(['/forgot-password', '/forgot-password/sent', '/reset-password', '/nowhere'])('%s', async (path) => {
    const response = await service.browser().get(path);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    if (path !== '/nowhere') expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.text).not.toMatch(/<script>|style="/);
  });

  it('answers unknown routes with a 404 page and no stack trace', async () => {
    const response = await service.browser().get('/does/not/exist');
    expect(response.status).toBe(404);
    expect(response.text).toContain('Page not found');
    expect(response.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('serves /healthz', async () => {
    const response = await service.browser().get('/healthz');
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('sets Secure __Host- cookies and HSTS when PUBLIC_URL is https', async () => {
    await service.close();
    service = await startTestService({ PUBLIC_URL: 'https://account.acme.example' });
    const response = await service.browser().get(`/reset-password/${TOKEN}`);
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toMatch(/^__Host-recovery-flow=/);
    expect(cookie).toMatch(/; secure/i);
  });
});
