/**
 * Identity Engine with EMAIL_DELIVERY=service (idx contract §3.3, path C), over real sockets only:
 * our service → the emulator run as an IDX org (Users API with the SSWS token, then interact with
 * the recovery_token) → our mail queue → a real SMTP server. The start answers before Okta is
 * asked; the emailed link is ours, spent only by the user's POST; the question comes when the
 * org's policy asks for it; every account gets the same answer.
 */
import { Browser, csrfTokenIn, type BrowserResponse } from '../helpers/browser.js';
import { select } from '../helpers/html.js';
import { type EmulatedService, LENIENT_LIMITS, signsIn, startEmulatedService } from '../helpers/emulated.js';
import { SmtpInbox, type ReceivedMail } from '../helpers/smtp-inbox.js';

const PUBLIC_URL = 'https://account.acme.example';
const API_TOKEN = 'ssws-idx-service-token-0123456789';
const ENVIRONMENT = {
  PUBLIC_URL,
  OKTA_ENGINE: 'idx',
  OKTA_CLIENT_ID: '0oa1recoveryemulator',
  EMAIL_DELIVERY: 'service',
  OKTA_API_TOKEN: API_TOKEN,
  MAIL_FROM: 'Acme Accounts <no-reply@acme.example>',
  BRAND_NAME: 'Acme',
  MAIL_RETRY_BASE_MS: '20',
  // Where a relayState may send the user once the password is changed.
  ALLOWED_REDIRECT_ORIGINS: 'https://intranet.acme.example',
  ...LENIENT_LIMITS,
};

let world: EmulatedService;
let inbox: SmtpInbox;

beforeEach(async () => {
  inbox = await SmtpInbox.start();
  world = await startEmulatedService({ ...ENVIRONMENT, SMTP_URL: inbox.url }, { apiToken: API_TOKEN, pipeline: 'idx' });
});
afterEach(async () => {
  await world.close();
  await inbox.stop();
});

/** Everything asked after the response (the Users API, rendering, SMTP) has run. */
async function settled(): Promise<void> {
  await world.service.deps.mailer?.queue.idle();
}

async function post(browser: Browser, page: string, action: string, fields: Record<string, string> = {}): Promise<BrowserResponse> {
  const form = await browser.get(page);
  return browser.postForm(action, { _csrf: csrfTokenIn(form.text), ...fields });
}

async function requestByForm(browser: Browser, login: string): Promise<BrowserResponse> {
  const response = await post(browser, '/forgot-password', '/forgot-password', { username: login });
  expect(response.status).toBe(303);
  expect(response.location).toBe('/forgot-password/sent');
  return response;
}

function recoveryMailTo(login: string): ReceivedMail {
  const mail = inbox.received.find((received) => received.envelopeTo.includes(login) && /reset-password\//.test(received.parsed.text ?? ''));
  if (!mail) throw new Error(`no recovery email to ${login}`);
  return mail;
}

/** The link's path as the user's browser opens it, and the token it carries. */
function linkIn(mail: ReceivedMail): { path: string; token: string } {
  const match = new RegExp(`${PUBLIC_URL.replaceAll('.', '\\.')}(/reset-password/([A-Za-z0-9_-]+))`).exec(mail.parsed.text ?? '');
  if (!match?.[1] || !match[2]) throw new Error('no link to our own domain in the text part');
  return { path: match[1], token: match[2] };
}

/** The dead-link page: its title, as the catalogue words it (the page escapes nothing in it). */
const DEAD_LINK_TITLE = 'This link has expired or was already used';

const interactCalls = () => world.emulator.requests.filter((request) => request.path.endsWith('/v1/interact')).length;

describe('the emailed link, in the browser', () => {
  it('start answers at once; our email links to our domain; question → new password → done; Okta has the new password; the notice follows', async () => {
    const browser = world.service.browser();
    await requestByForm(browser, 'alice@example.com');
    // Okta was not asked before the answer: the Users API calls come from the queue.
    await settled();
    const lookups = world.emulator.requests.filter((request) => request.path.startsWith('/api/v1/users/'));
    expect(lookups.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /api/v1/users/alice%40example.com',
      expect.stringMatching(/^POST \/api\/v1\/users\/00u[^/]+\/lifecycle\/reset_password$/),
    ]);
    // Okta itself sent nothing: the only email is ours.
    expect(world.emulator.outbox).toHaveLength(0);
    const mail = recoveryMailTo('alice@example.com');
    expect(mail.parsed.subject).toBe('Reset your Acme password');
    // The Users API gives no expiry: the email says RESET_LINK_LIFETIME_MINUTES (60), as the page does.
    expect(mail.parsed.text).toContain('The link works once and expires in 1 hour.');
    expect((await browser.get('/forgot-password/sent')).text).toContain('The link works once and expires in 1 hour.');
    const { path, token } = linkIn(mail);

    // Opening the link (a scanner would do the same) spends nothing, and the URL loses the token.
    const opened = await browser.get(path);
    expect(opened.status).toBe(303);
    expect(opened.location).toBe('/reset-password');
    expect(interactCalls()).toBe(0);

    const verified = await post(browser, '/reset-password', '/reset-password');
    expect(verified.location).toBe('/reset-password/question');
    expect(interactCalls()).toBe(1);
    const question = await browser.get('/reset-password/question');
    expect(question.text).toContain('What is the food you least liked as a child?');
    expect(question.text).not.toContain(token);

    const answered = await post(browser, '/reset-password/question', '/reset-password/question', { answer: 'Brussels sprouts' });
    expect(answered.location).toBe('/reset-password/new-password');
    const page = await browser.get('/reset-password/new-password');
    expect(page.text).toContain('data-rule="minLength"');
    const changed = await post(browser, '/reset-password/new-password', '/reset-password/new-password', {
      newPassword: 'Path-C-Passphrase-77',
      confirmPassword: 'Path-C-Passphrase-77',
      revokeSessions: 'on',
    });
    expect(changed.location).toBe('/reset-password/done');
    // Okta calls of the whole recovery (README): start 2 (after the answer), link 2, question 1, password 1.
    expect(world.emulator.requests.map((request) => request.path.replace(/\/users\/[^/]+/, '/users/{id}'))).toEqual([
      '/api/v1/users/{id}',
      '/api/v1/users/{id}/lifecycle/reset_password',
      '/oauth2/v1/interact',
      '/idp/idx/introspect',
      '/idp/idx/challenge/answer',
      '/idp/idx/challenge/answer',
    ]);
    expect(await signsIn(world.emulator.url, 'alice@example.com', 'Path-C-Passphrase-77')).toBe(true);
    expect(world.emulator.getUser('alice@example.com')?.lastRevokeSessions).toBe(true);

    await settled();
    const notice = inbox.received.find((received) => received !== mail && received.envelopeTo.includes('alice@example.com'));
    expect(notice?.parsed.subject).toBe('Your Acme password was changed');
  });

  it('a user without a question goes straight to the new password', async () => {
    const browser = world.service.browser();
    await requestByForm(browser, 'bob@example.com');
    await settled();
    await browser.get(linkIn(recoveryMailTo('bob@example.com')).path);
    const verified = await post(browser, '/reset-password', '/reset-password');
    expect(verified.location).toBe('/reset-password/new-password');
  });

  it('a link Okta never issued is a dead link', async () => {
    const browser = world.service.browser();
    await browser.get('/reset-password/NeverIssuedToken0123456789');
    const dead = await post(browser, '/reset-password', '/reset-password');
    expect(dead.status).toBe(400);
    expect(dead.text).toContain(DEAD_LINK_TITLE);
    expect(interactCalls()).toBe(1);
  });

  it('a used link is dead: once its POST started IDX, and after the password changed', async () => {
    await requestByForm(world.service.browser(), 'bob@example.com');
    await settled();
    const { path } = linkIn(recoveryMailTo('bob@example.com'));
    const first = world.service.browser();
    await first.get(path);
    expect((await post(first, '/reset-password', '/reset-password')).location).toBe('/reset-password/new-password');

    const second = world.service.browser();
    await second.get(path);
    expect((await post(second, '/reset-password', '/reset-password')).status).toBe(400);

    const changed = await post(first, '/reset-password/new-password', '/reset-password/new-password', { newPassword: 'Once-Only-Pass-88', confirmPassword: 'Once-Only-Pass-88' });
    expect(changed.location).toBe('/reset-password/done');
    const third = world.service.browser();
    await third.get(path);
    expect((await post(third, '/reset-password', '/reset-password')).status).toBe(400);
  });

  it('an expired link is dead', async () => {
    await requestByForm(world.service.browser(), 'bob@example.com');
    await settled();
    const { path } = linkIn(recoveryMailTo('bob@example.com'));
    world.clock.advance(61 * 60_000);
    const browser = world.service.browser();
    await browser.get(path);
    const dead = await post(browser, '/reset-password', '/reset-password');
    expect(dead.status).toBe(400);
    expect(dead.text).toContain(DEAD_LINK_TITLE);
  });
});

describe('a relayState given at the start (Okta\'s Users API keeps none: the link carries it)', () => {
  const HOME = 'https://intranet.acme.example/home?tab=1';

  /** The emailed link's URL, with its query (linkIn keeps only the path). */
  function linkUrlIn(mail: ReceivedMail): URL {
    const href = select(mail.parsed.html || '', 'a').map((anchor) => anchor.attributes.href ?? '').find((candidate) => candidate.startsWith(`${PUBLIC_URL}/reset-password/`));
    if (!href) throw new Error('no link to our own domain in the HTML part');
    return new URL(href);
  }

  async function doneLinkAfter(browser: Browser, linkPathAndQuery: string): Promise<string | undefined> {
    await browser.get(linkPathAndQuery);
    expect((await post(browser, '/reset-password', '/reset-password')).location).toBe('/reset-password/new-password');
    const changed = await post(browser, '/reset-password/new-password', '/reset-password/new-password', { newPassword: 'Relay-State-Pass-31', confirmPassword: 'Relay-State-Pass-31' });
    expect(changed.location).toBe('/reset-password/done');
    return select((await browser.get('/reset-password/done')).text, 'a', { class: 'button' })[0]?.attributes.href;
  }

  it('the page flow: the email\'s link carries it, and done sends the user there', async () => {
    const browser = world.service.browser();
    const started = await post(browser, '/forgot-password', '/forgot-password', { username: 'bob@example.com', relayState: HOME });
    expect(started.location).toBe('/forgot-password/sent');
    await settled();
    const link = linkUrlIn(recoveryMailTo('bob@example.com'));
    expect(link.searchParams.get('relayState')).toBe(HOME);
    expect(await doneLinkAfter(world.service.browser(), `${link.pathname}${link.search}`)).toBe(HOME);
  });

  it('a link whose relayState was edited to a foreign target still works, and done goes to SUCCESS_REDIRECT_URL', async () => {
    await post(world.service.browser(), '/forgot-password', '/forgot-password', { username: 'bob@example.com', relayState: HOME });
    await settled();
    const link = linkUrlIn(recoveryMailTo('bob@example.com'));
    const edited = `${link.pathname}?${new URLSearchParams({ relayState: 'https://evil.example/phish' })}`;
    expect(await doneLinkAfter(world.service.browser(), edited)).toBe(world.service.config.successRedirectUrl);
  });

  it('a start without one leaves the link bare', async () => {
    await requestByForm(world.service.browser(), 'bob@example.com');
    await settled();
    expect(linkUrlIn(recoveryMailTo('bob@example.com')).search).toBe('');
  });

  it('the JSON API: verify takes the link\'s relayState, and the reset answers with it', async () => {
    const client = world.service.browser();
    await client.postJson('/api/recovery/start', { username: 'bob@example.com', relayState: HOME });
    await settled();
    const link = linkUrlIn(recoveryMailTo('bob@example.com'));
    const token = link.pathname.split('/').pop();
    const verified = await client.postJson('/api/recovery/verify', { token, relayState: link.searchParams.get('relayState') });
    expect(verified.json()).toMatchObject({ status: 'PASSWORD_RESET' });
    const reset = await client.postJson('/api/recovery/reset', { newPassword: 'Json-Relay-State-7' });
    expect(reset.json()).toEqual({ status: 'SUCCESS', redirectTo: HOME });
  });
});

describe('the start answers before Okta is asked', () => {
  it('sends the 202 while the Users API is still slow to answer; the email follows', async () => {
    world.emulator.setLatency(400);
    // A browser without the test's settling, so the answer is seen as the user sees it.
    const client = new Browser(world.service.url, { origin: world.service.config.publicOrigin });
    const started = await client.postJson('/api/recovery/start', { username: 'bob@example.com' });
    expect(started.status).toBe(202);
    // Okta has not answered any call of this start yet (answered calls are the ones recorded).
    expect(world.emulator.requests).toHaveLength(0);
    await settled();
    expect(world.emulator.requests.map((request) => request.method)).toEqual(['GET', 'POST']);
    expect(recoveryMailTo('bob@example.com')).toBeDefined();
  });
});

describe('the JSON API', () => {
  it('start → verify with the token → reset, every answer as documented', async () => {
    const client = world.service.browser();
    const started = await client.postJson('/api/recovery/start', { username: 'bob@example.com' });
    expect(started.status).toBe(202);
    expect(started.json()).toEqual({ status: 'EMAIL_SENT' });
    await settled();
    const { token } = linkIn(recoveryMailTo('bob@example.com'));

    const verified = await client.postJson('/api/recovery/verify', { token });
    expect(verified.status).toBe(200);
    expect(verified.json()).toMatchObject({ status: 'PASSWORD_RESET' });
    expect(verified.text).not.toContain(token);
    const reset = await client.postJson('/api/recovery/reset', { newPassword: 'Json-Path-C-Pass-5' });
    expect(reset.status).toBe(200);
    expect(await signsIn(world.emulator.url, 'bob@example.com', 'Json-Path-C-Pass-5')).toBe(true);

    const again = await world.service.browser().postJson('/api/recovery/verify', { token });
    expect(again.status).toBe(400);
    expect(again.json()).toMatchObject({ error: { code: 'INVALID_TOKEN' } });
  });
});

describe('every account gets the same answer', () => {
  /** What the user can see of a start: status, where it leads, the cookies' names and the JSON body. */
  async function startAs(login: string) {
    const page = await requestByForm(world.service.browser(), login);
    const api = await world.service.browser().postJson('/api/recovery/start', { username: login });
    const cookieNames = (response: BrowserResponse) => response.headers.getSetCookie().map((cookie) => cookie.split('=')[0]).sort();
    return { page: { status: page.status, location: page.location, cookies: cookieNames(page) }, api: { status: api.status, body: api.text, cookies: cookieNames(api) } };
  }

  it.each([
    ['an unknown user', 'nobody@example.com', 'E0000007'],
    ['a suspended user', 'dave@example.com', 'E0000034'],
  ])('%s: the same answer as a real one, no email, and the refusal in the log', async (_who, login, errorCode) => {
    const real = await startAs('bob@example.com');
    const other = await startAs(login);
    expect(other).toEqual(real);
    await settled();
    expect(inbox.received.filter((mail) => mail.envelopeTo.includes(login))).toHaveLength(0);
    expect(inbox.received.filter((mail) => mail.envelopeTo.includes('bob@example.com'))).toHaveLength(2);
    const skipped = world.service.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.event === 'mail.skipped');
    expect(skipped).toHaveLength(2);
    expect(skipped.every((line) => line.reason === 'okta-refused' && line.oktaErrorCode === errorCode)).toBe(true);
    const audited = world.service.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.event === 'recovery.start');
    expect(audited.map((line) => line.outcome)).toEqual(['email-sent', 'email-sent', 'email-sent', 'email-sent']);
  });
});

it('keeps the token, the answer and the new password out of every log line', async () => {
  const browser = world.service.browser();
  await requestByForm(browser, 'alice@example.com');
  await settled();
  const { path, token } = linkIn(recoveryMailTo('alice@example.com'));
  await browser.get(path);
  await post(browser, '/reset-password', '/reset-password');
  await post(browser, '/reset-password/question', '/reset-password/question', { answer: 'Brussels sprouts' });
  const done = await post(browser, '/reset-password/new-password', '/reset-password/new-password', { newPassword: 'Secret-Log-Probe-19', confirmPassword: 'Secret-Log-Probe-19' });
  expect(done.location).toBe('/reset-password/done');
  await settled();
  const logs = world.service.logs.join('\n');
  expect(logs).toContain('recovery.reset');
  for (const secret of [token, 'Brussels sprouts', 'Secret-Log-Probe-19', API_TOKEN]) expect(logs).not.toContain(secret);
  // Nor the login in an Okta call's name (metrics labels and debug lines use the endpoint's template).
  const metrics = await world.service.deps.metrics.registry.getSingleMetricAsString('recovery_okta_call_duration_seconds').catch(() => '');
  expect(metrics).not.toContain('alice');
});
