/**
 * Open redirects through relayState (OWASP Unvalidated Redirects and Forwards cheat sheet; ASVS v4
 * 5.1.5; WSTG-CLNT-04), at the HTTP level: a hostile return URL given at the start (page form or
 * API) is not forwarded to Okta, and one that reaches Okta another way (someone calling Okta's
 * recovery API directly for the victim) never becomes the done page's link or the API's redirectTo.
 * test/unit/return-to.test.ts already checks the resolver for //evil, /\evil, https:evil, https://,
 * a look-alike subdomain, user:pass@, javascript:, %2F%2F and a leading tab; here every hostile form
 * goes through the service and the real emulator, including the ones the unit test lacks.
 */
import { csrfTokenIn } from '../helpers/browser.js';
import { LENIENT_LIMITS, startEmulatedService, type EmulatedService } from '../helpers/emulated.js';
import { urlAttributes } from '../helpers/seen.js';

const PUBLIC_URL = 'http://127.0.0.1:3000';
const INTRANET = 'https://intranet.acme.example';
let emulated: EmulatedService;
let passwords = 0;

beforeAll(async () => {
  emulated = await startEmulatedService({ ...LENIENT_LIMITS, PUBLIC_URL, ALLOWED_REDIRECT_ORIGINS: INTRANET });
});
afterAll(async () => {
  await emulated.close();
});

const HOSTILE = [
  '//evil.example',
  '//evil.example/path',
  'https:evil.example',
  'http:evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '\\/evil.example',
  'https://evil.example',
  'HTTPS://EVIL.EXAMPLE/',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'java\tscript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'http://127.0.0.1:3000@evil.example',
  'http://127.0.0.1:3000%40evil.example',
  'https://evil.example@127.0.0.1:3000/',
  `${INTRANET}@evil.example/`,
  `${INTRANET}.evil.example/`,
  '%2F%2Fevil.example',
  '/%5Cevil.example',
  '%252F%252Fevil.example',
  '/%2F/evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '\r\n//evil.example',
  ' //evil.example',
  '///evil.example',
  '/.//evil.example',
  'ftp://evil.example/',
];

/** Where a link may lead: an allowed origin, with no user-info to smuggle another host in. */
function expectAllowed(what: string, url: string | undefined): void {
  const parsed = new URL(url ?? 'about:blank');
  const allowed = emulated.service.config.allowedRedirectOrigins.includes(parsed.origin);
  expect({ what, url, allowed, userInfo: parsed.username + parsed.password, host: parsed.hostname }).toEqual({
    what,
    url,
    allowed: true,
    userInfo: '',
    host: expect.not.stringContaining('evil') as unknown as string,
  });
}

function decode(attribute: string): string {
  return attribute.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&').replace(/&#x2F;/g, '/').replace(/&#x27;/g, "'").replace(/&quot;/g, '"');
}

function oktaStartBodies(): Array<Record<string, unknown>> {
  return emulated.emulator.requests.filter((request) => request.path === '/api/v1/authn/recovery/password').map((request) => request.body ?? {});
}

/** Through pages: verify the link, set a password, and read where the done page's button leads. */
async function finishOnPages(token: string): Promise<string | undefined> {
  const browser = emulated.service.browser();
  await browser.get(`/reset-password/${token}`);
  const form = await browser.get('/reset-password');
  expect((await browser.postForm('/reset-password', { _csrf: csrfTokenIn(form.text) })).location).toBe('/reset-password/new-password');
  const password = `Relay-Check-${++passwords}-Aa`;
  const passwordPage = await browser.get('/reset-password/new-password');
  const changed = await browser.postForm('/reset-password/new-password', { _csrf: csrfTokenIn(passwordPage.text), newPassword: password, confirmPassword: password });
  expect(changed.location).toBe('/reset-password/done');
  const done = await browser.get('/reset-password/done');
  const button = /<a class="button" href="([^"]*)"/.exec(done.text)?.[1];
  return button === undefined ? undefined : decode(button);
}

async function finishOnApi(token: string): Promise<string | undefined> {
  const browser = emulated.service.browser();
  expect((await browser.postJson('/api/recovery/verify', { token })).json()).toMatchObject({ status: 'PASSWORD_RESET' });
  const done = await browser.postJson('/api/recovery/reset', { newPassword: `Relay-Check-${++passwords}-Aa` });
  return done.json<{ redirectTo?: string }>().redirectTo;
}

describe.each([
  ['pages', finishOnPages],
  ['API', finishOnApi],
] as const)('a relayState Okta holds, finished through the %s', (_surface, finish) => {
  it.each(HOSTILE)('%j never becomes the redirect', async (hostile) => {
    // Someone asked Okta directly for bob's recovery with this relayState: the email is genuine.
    const token = emulated.emulator.issueRecoveryToken('bob@example.com', 'PASSWORD', hostile);
    expectAllowed(hostile, await finish(token));
  });

  it('honours an ALLOWED_REDIRECT_ORIGINS origin exactly, and a path on PUBLIC_URL', async () => {
    expect(await finish(emulated.emulator.issueRecoveryToken('bob@example.com', 'PASSWORD', `${INTRANET}/home?x=1#top`))).toBe(`${INTRANET}/home?x=1#top`);
    expect(await finish(emulated.emulator.issueRecoveryToken('bob@example.com', 'PASSWORD', '/welcome?from=reset'))).toBe(`${PUBLIC_URL}/welcome?from=reset`);
  });
});

describe('a relayState given at the start', () => {
  it.each(HOSTILE)('%j is not forwarded to Okta from the page form or the API, and the form page links nowhere else', async (hostile) => {
    const before = oktaStartBodies().length;
    const browser = emulated.service.browser();
    const form = await browser.get(`/forgot-password?${new URLSearchParams({ relayState: hostile })}`);
    expect(form.status).toBe(200);
    for (const { url } of urlAttributes(form.text)) {
      const target = decode(url);
      // "Back to sign in" is the one absolute link, and it comes from configuration, not the request.
      if (target === emulated.service.config.signInUrl) continue;
      expect({ hostile, target, relative: target.startsWith('#') || (target.startsWith('/') && !target.startsWith('//') && !target.startsWith('/\\')) }).toEqual({ hostile, target, relative: true });
    }
    const posted = await browser.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username: 'bob@example.com', relayState: hostile });
    expect(posted.location).toBe('/forgot-password/sent');
    expect((await browser.postJson('/api/recovery/start', { username: 'bob@example.com', relayState: hostile })).status).toBe(202);
    const forwarded = oktaStartBodies().slice(before);
    expect(forwarded).toHaveLength(2);
    for (const body of forwarded) {
      if (body.relayState !== undefined) expectAllowed(`forwarded ${hostile}`, String(body.relayState));
    }
  });

  it('forwards an allowed one, and the flow then ends on it (page form → email → done page)', async () => {
    const browser = emulated.service.browser();
    const form = await browser.get(`/forgot-password?relayState=${encodeURIComponent(`${INTRANET}/portal`)}`);
    await browser.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username: 'bob@example.com', relayState: `${INTRANET}/portal` });
    expect(oktaStartBodies().at(-1)?.relayState).toBe(`${INTRANET}/portal`);
    const token = emulated.latestLinkPath('bob@example.com').split('/').pop() as string;
    expect(await finishOnPages(token)).toBe(`${INTRANET}/portal`);
  });
});
