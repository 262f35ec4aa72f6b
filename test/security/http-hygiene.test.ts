/**
 * HTTP hygiene on the whole public surface (OWASP Secure Headers, CSRF and Forgot Password cheat
 * sheets; ASVS v4 V14.4, V13.2, V4.2.2; WSTG-CONF-07/12, WSTG-SESS-05, WSTG-CLNT-09): every
 * answer of a complete walk — flow pages at each step, error pages, the API, health, assets, 404
 * and 405 — is collected and held to the same rules; then the ways to get around them (hostile
 * Host, X-Forwarded-*, cross-site calls, missing or foreign CSRF tokens, GET/HEAD) are tried.
 * Okta is the in-process emulator over real HTTP, whose request log shows what reached "Okta".
 */
import { csrfTokenIn, type Browser } from '../helpers/browser.js';
import { LENIENT_LIMITS, startEmulatedService, type EmulatedService } from '../helpers/emulated.js';
import { rawRequest } from '../helpers/raw-http.js';
import { seenFromBrowser, seenFromRaw, urlAttributes, type Seen } from '../helpers/seen.js';
import { afterResponses, startTestService } from '../helpers/service.js';

const PUBLIC_URL = 'http://127.0.0.1:3000';
let emulated: EmulatedService;

beforeAll(async () => {
  emulated = await startEmulatedService({ ...LENIENT_LIMITS, PUBLIC_URL });
});
afterAll(async () => {
  await emulated.close();
});

/** Calls that reached the emulator's authn API: the "did this reach Okta?" counter. */
function oktaCalls(target: EmulatedService = emulated): number {
  return target.emulator.requests.filter((request) => request.path.startsWith('/api/v1/authn')).length;
}

/** Submits the form a user would: the token comes from the page (cancel has none: any page's form). */
async function post(browser: Browser, action: string, fields: Record<string, string> = {}) {
  const form = await browser.get(action === '/reset-password/cancel' ? '/forgot-password' : action);
  return browser.postForm(action, { _csrf: csrfTokenIn(form.text), ...fields });
}

/** Every kind of answer the service gives, each labelled with what was asked. */
async function walkEverything(target: EmulatedService): Promise<Seen[]> {
  const seen: Seen[] = [];
  const keep = (label: string, response: Parameters<typeof seenFromBrowser>[1]) => {
    seen.push(seenFromBrowser(label, response));
    return response;
  };
  const user = target.service.browser();
  keep('GET /', await user.get('/'));
  const form = keep('GET /forgot-password', await user.get('/forgot-password?relayState=%2Fwelcome'));
  keep('POST /forgot-password (empty)', await user.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username: '' }));
  keep('POST /forgot-password', await user.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username: 'alice@example.com' }));
  keep('GET /forgot-password/sent', await user.get('/forgot-password/sent'));
  keep('HEAD link', await user.request('HEAD', target.latestLinkPath('alice@example.com')));
  keep('GET link', await user.get(target.latestLinkPath('alice@example.com')));
  keep('GET /reset-password', await user.get('/reset-password'));
  keep('GET /reset-password/new-password (out of order)', await user.get('/reset-password/new-password'));
  keep('POST /reset-password', await post(user, '/reset-password'));
  keep('GET /reset-password/question', await user.get('/reset-password/question'));
  keep('POST /reset-password/question (wrong)', await post(user, '/reset-password/question', { answer: 'broccoli' }));
  keep('POST /reset-password/question', await post(user, '/reset-password/question', { answer: 'Brussels sprouts' }));
  keep('GET /reset-password/new-password', await user.get('/reset-password/new-password'));
  keep('POST /reset-password/new-password (mismatch)', await post(user, '/reset-password/new-password', { newPassword: 'Looking-Glass-1', confirmPassword: 'x' }));
  keep('POST /reset-password/new-password (Okta policy)', await post(user, '/reset-password/new-password', { newPassword: 'Wonderland-2024', confirmPassword: 'Wonderland-2024' }));
  keep('POST /reset-password/new-password', await post(user, '/reset-password/new-password', { newPassword: 'Looking-Glass-77', confirmPassword: 'Looking-Glass-77' }));
  keep('GET /reset-password/done', await user.get('/reset-password/done'));

  const stranger = target.service.browser();
  keep('GET /reset-password/question (no flow)', await stranger.get('/reset-password/question'));
  keep('GET /reset-password/<impossible token>', await stranger.get('/reset-password/not%20a%20token'));
  keep('POST /forgot-password (no CSRF)', await stranger.postForm('/forgot-password', { username: 'alice@example.com' }));
  keep('POST /reset-password/cancel (no flow)', await post(stranger, '/reset-password/cancel'));
  keep('GET /nowhere (404)', await stranger.get('/nowhere'));
  keep('DELETE /forgot-password (405)', await stranger.request('DELETE', '/forgot-password'));
  keep('POST /forgot-password (17 KiB body)', await stranger.postForm('/forgot-password', { username: 'x'.repeat(17 * 1024) }));
  keep('GET /healthz', await stranger.get('/healthz'));
  keep('GET /readyz', await stranger.get('/readyz'));
  for (const asset of ['/assets/app.css', '/assets/app.js', '/assets/brand.css']) keep(`GET ${asset}`, await stranger.get(asset));

  const spa = target.service.browser();
  keep('POST /api/recovery/start', await spa.postJson('/api/recovery/start', { username: 'bob@example.com' }));
  const token = target.latestLinkPath('bob@example.com').split('/').pop() ?? '';
  keep('POST /api/recovery/verify', await spa.postJson('/api/recovery/verify', { token }));
  keep('POST /api/recovery/answer (out of order)', await spa.postJson('/api/recovery/answer', { answer: 'x' }));
  keep('POST /api/recovery/reset (policy)', await spa.postJson('/api/recovery/reset', { newPassword: 'short' }));
  keep('POST /api/recovery/reset', await spa.postJson('/api/recovery/reset', { newPassword: 'Builder-Mk9-2025' }));
  keep('POST /api/recovery/cancel', await spa.postJson('/api/recovery/cancel', {}));
  keep('POST /api/recovery/verify (dead link)', await spa.postJson('/api/recovery/verify', { token }));
  keep('POST /api/recovery/answer (no flow)', await spa.postJson('/api/recovery/answer', { answer: 'x' }));
  keep('POST /api/recovery/start (cross-site)', await spa.postJson('/api/recovery/start', { username: 'a@example.com' }, { origin: 'https://evil.example' }));
  keep('POST /api/recovery/start (malformed)', await spa.postJson('/api/recovery/start', '{"username":'));
  keep('GET /api/recovery/start (405)', await spa.get('/api/recovery/start'));
  keep('GET /api/nowhere (404)', await spa.get('/api/nowhere'));
  return seen;
}

let everything: Seen[] = [];
beforeAll(async () => {
  everything = await walkEverything(emulated);
  // The walk must really have gone through the flow, or the rules below would hold vacuously.
  const statuses = new Map(everything.map((answer) => [answer.label, answer.status]));
  expect(statuses.get('POST /reset-password/new-password')).toBe(303);
  expect(statuses.get('POST /api/recovery/reset')).toBe(200);
  expect(new Set(everything.map((answer) => answer.status))).toEqual(new Set([200, 202, 303, 400, 401, 403, 404, 405, 409, 413, 422]));
});

const isHtml = (answer: Seen) => (answer.header('content-type') ?? '').startsWith('text/html');
const isFlowOrApi = (answer: Seen) => !/^(GET|HEAD) \/(assets|healthz|readyz)|\((404|405)\)$/.test(answer.label);

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...sources]) => [name as string, sources]),
  );
}

/** Handlebars escapes = and & in attributes; URLs are judged as the browser reads them. */
function decoded(url: string): string {
  return url.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&').replace(/&#x27;/g, "'").replace(/&#x2F;/g, '/').replace(/&quot;/g, '"');
}

function isSameOriginRelative(url: string): boolean {
  // "/x" and "#x" stay here; "//host" and "/\host" are protocol-relative in browsers.
  return (url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/\\')) || url.startsWith('#') || url.startsWith('?');
}

describe('headers on every answer', () => {
  it('sends a CSP with no inline script or style and no other origin, on every answer', () => {
    for (const answer of everything) {
      const csp = directives(answer.header('content-security-policy') ?? '');
      const context = `${answer.label}: ${answer.header('content-security-policy')}`;
      expect({ context, script: csp.get('script-src') }).toEqual({ context, script: ["'self'"] });
      expect({ context, style: csp.get('style-src') }).toEqual({ context, style: ["'self'"] });
      expect({ context, fallback: csp.get('default-src') }).toEqual({ context, fallback: ["'none'"] });
      expect({ context, base: csp.get('base-uri') }).toEqual({ context, base: ["'none'"] });
      for (const [name, sources] of csp) {
        for (const source of sources) {
          // Only keywords and data: images; no scheme-wide source, no host, no wildcard.
          expect({ context, name, source, allowed: /^'(self|none)'$/.test(source) || (name === 'img-src' && source === 'data:') }).toEqual({ context, name, source, allowed: true });
        }
      }
    }
  });

  it.each([
    ['frame-ancestors', (answer: Seen) => directives(answer.header('content-security-policy') ?? '').get('frame-ancestors')?.join(' '), "'none'"],
    ['X-Frame-Options', (answer: Seen) => answer.header('x-frame-options'), 'DENY'],
    ['Referrer-Policy', (answer: Seen) => answer.header('referrer-policy'), 'no-referrer'],
    ['X-Content-Type-Options', (answer: Seen) => answer.header('x-content-type-options'), 'nosniff'],
  ])('sends %s on every answer', (_name, read, expected) => {
    const wrong = everything.filter((answer) => read(answer) !== expected).map((answer) => `${answer.label}: ${read(answer)}`);
    expect(wrong).toEqual([]);
  });

  it('sends Cache-Control: no-store on every flow page and API answer, errors included', () => {
    const flowAndApi = everything.filter(isFlowOrApi);
    expect(flowAndApi.length).toBeGreaterThan(30);
    const cached = flowAndApi.filter((answer) => answer.header('cache-control') !== 'no-store').map((answer) => `${answer.label}: ${answer.header('cache-control')}`);
    expect(cached).toEqual([]);
  });

  it('sends Cache-Control: no-store on every answer but the static assets, 404 and 405 included (issue 16, item 8)', () => {
    const dynamic = everything.filter((answer) => !answer.label.startsWith('GET /assets/'));
    const cached = dynamic.filter((answer) => answer.header('cache-control') !== 'no-store').map((answer) => `${answer.label}: ${answer.header('cache-control')}`);
    expect(cached).toEqual([]);
    expect(dynamic.map((answer) => answer.label)).toEqual(expect.arrayContaining(['GET /nowhere (404)', 'DELETE /forgot-password (405)', 'GET /api/nowhere (404)']));
  });

  it('sets a CSRF secret only on pages that carry a form (issue 16, item 8)', async () => {
    const minted = async (path: string, method = 'GET') => {
      const response = await emulated.service.browser().request(method, path);
      return response.headers.getSetCookie().some((line) => line.includes('recovery-csrf='));
    };
    expect(await minted('/nowhere')).toBe(false);
    expect(await minted('/forgot-password', 'DELETE')).toBe(false);
    expect(await minted('/reset-password/question')).toBe(false);
    expect(await minted('/forgot-password/sent')).toBe(false);
    // …and still on the ones that do.
    expect(await minted('/forgot-password')).toBe(true);
  });

  it('sends no HSTS when PUBLIC_URL is http (it would pin a host that has no TLS)', () => {
    expect(everything.filter((answer) => answer.header('strict-transport-security') !== undefined).map((answer) => answer.label)).toEqual([]);
  });

  it('sends HSTS on every kind of answer when PUBLIC_URL is https', async () => {
    const service = await startTestService({ PUBLIC_URL: 'https://account.acme.example' });
    try {
      const browser = service.browser();
      const answers = [
        await browser.get('/forgot-password'),
        await browser.get('/nowhere'),
        await browser.get('/reset-password/question'),
        await browser.postJson('/api/recovery/start', '{"username":'),
        await browser.postJson('/api/recovery/answer', { answer: 'x' }),
        await browser.get('/healthz'),
        await browser.get('/assets/app.css'),
      ];
      for (const answer of answers) expect(answer.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    } finally {
      await service.close();
    }
  });
});

describe('header names, in the order they are sent', () => {
  // Pinned as main sent them before the pass-through middlewares shared one layer (issue 13): the
  // layers may be merged, reordered or skipped only as long as every answer's headers stay these.
  it('are the same on every kind of answer', async () => {
    const ask = async (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
      Object.keys((await rawRequest(emulated.service.url, { method, path, headers, ...(body === undefined ? {} : { body }) })).headers).join(' ');
    const json = { 'content-type': 'application/json' };
    const names = {
      page: await ask('GET', '/forgot-password'),
      pageChoosingLanguage: await ask('GET', '/forgot-password?lang=fr'),
      notFoundPage: await ask('GET', '/nowhere'),
      methodNotAllowedPage: await ask('DELETE', '/forgot-password'),
      unknownMethod: await ask('PROPFIND', '/forgot-password'),
      asset: await ask('GET', '/assets/app.css'),
      brandStylesheet: await ask('GET', '/assets/brand.css'),
      assetLookalike: await ask('GET', '/ASSETS/app.css'),
      health: await ask('GET', '/healthz'),
      apiStart: await ask('POST', '/api/recovery/start', json, '{"username":"carol@example.com"}'),
      apiMalformed: await ask('POST', '/api/recovery/start', json, '{"username":'),
      apiCrossSite: await ask('POST', '/api/recovery/start', { ...json, origin: 'https://evil.example' }, '{}'),
      apiNotFound: await ask('GET', '/api/nowhere'),
    };
    const security = 'content-security-policy x-frame-options referrer-policy x-content-type-options cross-origin-opener-policy cross-origin-resource-policy permissions-policy cache-control';
    const end = 'content-length date connection';
    expect(names).toEqual({
      page: `x-request-id ${security} pragma content-type set-cookie ${end}`,
      pageChoosingLanguage: `x-request-id set-cookie ${security} pragma content-type ${end}`,
      notFoundPage: `x-request-id ${security} content-type ${end}`,
      methodNotAllowedPage: `x-request-id ${security} allow content-type ${end}`,
      unknownMethod: `x-request-id ${security} allow content-type ${end}`,
      asset: `x-request-id ${security} content-type ${end}`,
      brandStylesheet: `x-request-id ${security} content-type ${end}`,
      assetLookalike: `x-request-id ${security} content-type ${end}`,
      health: `x-request-id ${security} content-type ${end}`,
      apiStart: `x-request-id ${security} pragma content-type ${end}`,
      apiMalformed: `x-request-id ${security} content-type ${end}`,
      apiCrossSite: `x-request-id ${security} pragma content-type ${end}`,
      apiNotFound: `x-request-id ${security} content-type ${end}`,
    });
  });

  it('come with the JSON API\'s bodies, byte for byte, and their lengths', async () => {
    const ask = async (method: string, path: string, headers: Record<string, string> = {}, body?: string) => {
      const response = await rawRequest(emulated.service.url, { method, path, headers, ...(body === undefined ? {} : { body }) });
      return `${response.headers['content-length']} ${response.body}`;
    };
    const json = { 'content-type': 'application/json' };
    const bodies = {
      start: await ask('POST', '/api/recovery/start', json, '{"username":"dave@example.com"}'),
      malformed: await ask('POST', '/api/recovery/start', json, '{"username":'),
      crossSite: await ask('POST', '/api/recovery/start', { ...json, origin: 'https://evil.example' }, '{}'),
      noToken: await ask('POST', '/api/recovery/verify', json, '{}'),
      noFlow: await ask('POST', '/api/recovery/answer', json, '{"answer":"x"}'),
      cancelled: await ask('POST', '/api/recovery/cancel', json, '{}'),
      methodNotAllowed: await ask('GET', '/api/recovery/start'),
      headMethodNotAllowed: await ask('HEAD', '/api/recovery/start'),
      notFound: await ask('GET', '/api/nowhere'),
    };
    // Pinned as main sent them when Koa serialised the objects the presenter gave it (issue 13).
    expect(bodies).toEqual({
      start: '23 {"status":"EMAIL_SENT"}',
      malformed: '103 {"error":{"code":"VALIDATION","message":"This value is not valid.","field":"body","problem":"invalid"}}',
      crossSite: '118 {"error":{"code":"FORBIDDEN","message":"This request could not be verified. Go back, reload the page and try again."}}',
      noToken: '95 {"error":{"code":"VALIDATION","message":"Enter a value.","field":"token","problem":"required"}}',
      noFlow: '154 {"error":{"code":"FLOW_EXPIRED","message":"For your security, password resets must be finished within a few minutes. Request a new link to start again."}}',
      cancelled: '22 {"status":"CANCELLED"}',
      methodNotAllowed: '85 {"error":{"code":"METHOD_NOT_ALLOWED","message":"There is no page at this address."}}',
      headMethodNotAllowed: '85 ',
      notFound: '76 {"error":{"code":"NOT_FOUND","message":"There is no page at this address."}}',
    });
  });
});

describe('rendered HTML', () => {
  const pages = () => everything.filter((answer) => isHtml(answer) && answer.text.length > 0 && answer.status !== 303);

  it('has no inline script, inline style or event-handler attribute on any page', () => {
    expect(pages().length).toBeGreaterThan(15);
    for (const page of pages()) {
      const scripts = [...page.text.matchAll(/<script\b[^>]*>/gi)].map((match) => match[0]);
      for (const script of scripts) expect({ page: page.label, script, external: /\ssrc="\/assets\/[^"]+"/.test(script) }).toEqual({ page: page.label, script, external: true });
      expect({ page: page.label, inlineScriptBody: /<script\b[^>]*>[^<]+<\/script>/i.test(page.text) }).toEqual({ page: page.label, inlineScriptBody: false });
      expect({ page: page.label, style: /<style\b|\sstyle\s*=/i.test(page.text) }).toEqual({ page: page.label, style: false });
      expect({ page: page.label, handler: /\son[a-z]+\s*=/i.test(page.text) }).toEqual({ page: page.label, handler: false });
    }
  });

  it('puts a non-empty CSRF field in every form that posts', () => {
    let forms = 0;
    for (const page of pages()) {
      for (const form of page.text.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)) {
        if (!/method="post"/i.test(form[0])) continue;
        forms += 1;
        expect({ page: page.label, form: form[0].slice(0, 80), csrf: /<input type="hidden" name="_csrf" value="[^"]{16,}">/.test(form[0]) }).toEqual({
          page: page.label,
          form: form[0].slice(0, 80),
          csrf: true,
        });
      }
    }
    // The forgot-password, link, question, new-password and cancel forms all were seen.
    expect(forms).toBeGreaterThanOrEqual(10);
  });

  it('loads every resource from this origin and links only to this origin or an allowed one', () => {
    const allowed = new Set(emulated.service.config.allowedRedirectOrigins);
    for (const page of pages()) {
      for (const { tag, attribute, url } of urlAttributes(page.text)) {
        const target = decoded(url);
        const link = tag === 'a' && attribute === 'href';
        const ok = isSameOriginRelative(target) || (link && allowed.has(new URL(target).origin));
        expect({ page: page.label, tag, attribute, target, ok }).toEqual({ page: page.label, tag, attribute, target, ok: true });
      }
      // Nor any absolute URL in text, scripts or meta tags, other than an allowed origin.
      for (const absolute of page.text.matchAll(/(?:https?:)?\/\/[a-z0-9.-]+(?::\d+)?/gi)) {
        if (!absolute[0].includes(':')) continue;
        expect({ page: page.label, url: absolute[0], allowed: allowed.has(new URL(absolute[0]).origin) }).toEqual({ page: page.label, url: absolute[0], allowed: true });
      }
    }
  });
});

describe('links and redirects come from PUBLIC_URL, never from the request', () => {
  const HOSTILE = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', forwarded: 'host=evil.example;proto=https' };

  it.each(['false', 'true'])('with TRUST_PROXY=%s, a whole flow sent with a hostile Host and X-Forwarded-Host stays on PUBLIC_URL', async (trustProxy) => {
    const target = await startEmulatedService({ ...LENIENT_LIMITS, PUBLIC_URL, TRUST_PROXY: trustProxy });
    try {
      const jar = target.service.browser();
      const seen: Seen[] = [];
      const hop = async (method: string, path: string, fields?: Record<string, string>) => {
        const cookie = [...jar.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
        const headers: Record<string, string> = { ...HOSTILE, origin: PUBLIC_URL, ...(cookie ? { cookie } : {}) };
        if (fields) headers['content-type'] = 'application/x-www-form-urlencoded';
        const response = await rawRequest(target.service.url, { method, path, headers, body: fields && new URLSearchParams(fields).toString() });
        for (const line of response.headers['set-cookie'] ?? []) jar.remember(line);
        // What the start does after answering (asking Okta for the email) is done before the next hop.
        await afterResponses(target.service.deps);
        const answer = seenFromRaw(`${method} ${path}`, response);
        seen.push(answer);
        return answer;
      };
      const csrf = async (page: string) => csrfTokenIn((await hop('GET', page)).text);
      await hop('GET', '/');
      await hop('GET', '/nowhere');
      await hop('GET', '/reset-password/question');
      await hop('POST', '/forgot-password', { _csrf: await csrf('/forgot-password?relayState=%2Fwelcome'), username: 'alice@example.com', relayState: '/welcome' });
      await hop('GET', '/forgot-password/sent');
      await hop('GET', target.latestLinkPath('alice@example.com'));
      await hop('POST', '/reset-password', { _csrf: await csrf('/reset-password') });
      await hop('POST', '/reset-password/question', { _csrf: await csrf('/reset-password/question'), answer: 'Brussels sprouts' });
      await hop('GET', '/reset-password/question');
      const changed = await hop('POST', '/reset-password/new-password', { _csrf: await csrf('/reset-password/new-password'), newPassword: 'Looking-Glass-88', confirmPassword: 'Looking-Glass-88' });
      expect(changed.location).toBe('/reset-password/done');
      const done = await hop('GET', '/reset-password/done');
      // The allowed relayState came back from Okta and resolves against PUBLIC_URL, not the Host.
      expect(done.text).toContain(`href="${PUBLIC_URL}/welcome"`);

      for (const answer of seen) {
        if (answer.location) expect({ hop: answer.label, location: answer.location, ok: isSameOriginRelative(answer.location) || answer.location.startsWith(`${PUBLIC_URL}/`) }).toEqual({ hop: answer.label, location: answer.location, ok: true });
        expect({ hop: answer.label, mentionsHost: answer.text.includes('evil.example') }).toEqual({ hop: answer.label, mentionsHost: false });
      }
      // The link Okta emailed was built from the org's template on PUBLIC_URL, never from our request.
      expect(target.emulator.outbox.every((mail) => !mail.link || mail.link.startsWith(`${PUBLIC_URL}/reset-password/`))).toBe(true);
    } finally {
      await target.close();
    }
  });

  it.each([
    ['false', (forwarded: string | undefined) => expect(forwarded).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/)],
    ['true', (forwarded: string | undefined) => expect(forwarded).toBe('203.0.113.9')],
  ])('with TRUST_PROXY=%s, forwards to Okta the X-Forwarded-For the trust setting allows', async (trustProxy, expectForwarded) => {
    const target = await startEmulatedService({ ...LENIENT_LIMITS, PUBLIC_URL, TRUST_PROXY: trustProxy });
    try {
      const browser = target.service.browser({ 'x-forwarded-for': '203.0.113.9' });
      expect((await browser.postJson('/api/recovery/start', { username: 'alice@example.com' })).status).toBe(202);
      const form = await browser.get('/forgot-password');
      expect((await browser.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username: 'bob@example.com' })).status).toBe(303);
      const starts = target.emulator.requests.filter((request) => request.path === '/api/v1/authn/recovery/password');
      expect(starts).toHaveLength(2);
      for (const start of starts) expectForwarded(start.xForwardedFor);
    } finally {
      await target.close();
    }
  });
});

describe('GET and HEAD change nothing', () => {
  const PAGES = ['/', '/forgot-password', '/forgot-password/sent', '/reset-password', '/reset-password/question', '/reset-password/new-password', '/reset-password/done', '/api/recovery/start', '/api/recovery/verify', '/api/recovery/reset', '/healthz'];

  /** GETs and HEADs every page at this point of the flow: none may call Okta or touch the flow cookie. */
  async function browseEverything(browser: Browser, phase: string): Promise<void> {
    const sealed = browser.cookies.get('recovery-flow');
    const before = oktaCalls();
    for (const method of ['GET', 'HEAD']) {
      for (const path of PAGES) {
        const response = await browser.request(method, path);
        const flowCookies = response.headers.getSetCookie().filter((line) => line.startsWith('recovery-flow='));
        expect({ phase, method, path, flowCookies }).toEqual({ phase, method, path, flowCookies: [] });
      }
    }
    expect({ phase, oktaCalls: oktaCalls() - before }).toEqual({ phase, oktaCalls: 0 });
    expect(browser.cookies.get('recovery-flow')).toBe(sealed);
  }

  it('at every step of a flow, browsing every page calls Okta zero times and leaves the flow cookie as it was', async () => {
    const browser = emulated.service.browser();
    await browseEverything(browser, 'no flow');
    await post(browser, '/forgot-password', { username: 'alice@example.com' });
    const link = emulated.latestLinkPath('alice@example.com');
    const before = oktaCalls();
    // The emailed link's GET seals the token and nothing else: no Okta call.
    await browser.request('HEAD', link);
    await browser.get(link);
    expect(oktaCalls()).toBe(before);
    await browseEverything(browser, 'link-received');
    await post(browser, '/reset-password');
    await browseEverything(browser, 'awaiting-answer');
    await post(browser, '/reset-password/question', { answer: 'Brussels sprouts' });
    await browseEverything(browser, 'awaiting-password');
    const changed = await post(browser, '/reset-password/new-password', { newPassword: 'Looking-Glass-99', confirmPassword: 'Looking-Glass-99' });
    expect(changed.location).toBe('/reset-password/done');
    await browseEverything(browser, 'done');
  });
});

describe('CSRF on every form', () => {
  /** A browser whose flow is at the step `page` serves, so only the CSRF token can stop the POST. */
  async function at(page: string): Promise<{ browser: Browser; fields: Record<string, string> }> {
    const browser = emulated.service.browser();
    if (page === '/forgot-password' || page === '/reset-password/cancel') {
      await browser.get('/forgot-password');
      return { browser, fields: { username: 'alice@example.com' } };
    }
    await post(browser, '/forgot-password', { username: 'alice@example.com' });
    await browser.get(emulated.latestLinkPath('alice@example.com'));
    if (page === '/reset-password') return { browser, fields: {} };
    await post(browser, '/reset-password');
    if (page === '/reset-password/question') return { browser, fields: { answer: 'Brussels sprouts' } };
    await post(browser, '/reset-password/question', { answer: 'Brussels sprouts' });
    return { browser, fields: { newPassword: 'Looking-Glass-55', confirmPassword: 'Looking-Glass-55' } };
  }

  it.each(['/forgot-password', '/reset-password', '/reset-password/question', '/reset-password/new-password', '/reset-password/cancel'])(
    'POST %s without a token, with a wrong one, another session’s, or without the secret cookie is refused (403) before Okta',
    async (page) => {
      const { browser, fields } = await at(page);
      const other = emulated.service.browser();
      const othersToken = csrfTokenIn((await other.get('/forgot-password')).text);
      const sealed = browser.cookies.get('recovery-flow');
      const before = oktaCalls();
      const attempts: Array<[string, Record<string, string>, Record<string, string>?]> = [
        ['no token', {}],
        ['a wrong token', { _csrf: 'forged-token-value' }],
        ['another session’s token', { _csrf: othersToken }],
        ['an empty token', { _csrf: '' }],
      ];
      for (const [what, extra] of attempts) {
        const refused = await browser.postForm(page, { ...fields, ...extra });
        expect({ what, status: refused.status }).toEqual({ what, status: 403 });
        expect({ what, flowCookieTouched: refused.headers.getSetCookie().some((line) => /recovery-flow=/.test(line)) }).toEqual({ what, flowCookieTouched: false });
      }
      // A token from this very page, but sent without the secret cookie it was made from.
      const ownToken = csrfTokenIn((await browser.get('/forgot-password')).text);
      const bare = emulated.service.browser();
      if (sealed) bare.cookies.set('recovery-flow', sealed);
      const withoutSecret = await bare.postForm(page, { ...fields, _csrf: ownToken });
      expect(withoutSecret.status).toBe(403);
      expect(oktaCalls()).toBe(before);
      // The same POST with this session's token goes through: the refusals were the CSRF check's.
      const accepted = await browser.postForm(page, { ...fields, _csrf: ownToken });
      expect(accepted.status).toBe(303);
    },
  );
});

describe('the JSON API refuses cross-site and non-JSON calls before Okta', () => {
  const ROUTES = ['/api/recovery/start', '/api/recovery/verify', '/api/recovery/answer', '/api/recovery/reset', '/api/recovery/cancel'];
  const BODY = JSON.stringify({ username: 'alice@example.com', token: 'VBQ0gwBp5LyJJFdbmWCM', answer: 'Brussels sprouts', newPassword: 'Looking-Glass-66' });

  it.each(ROUTES)('%s', async (route) => {
    // A live flow at the question, so a call that got through would reach Okta.
    const browser = emulated.service.browser();
    await post(browser, '/forgot-password', { username: 'alice@example.com' });
    await browser.get(emulated.latestLinkPath('alice@example.com'));
    await post(browser, '/reset-password');
    const before = oktaCalls();
    const refusals: Array<[string, Record<string, string>, number, string]> = [
      ['a foreign Origin', { origin: 'https://evil.example' }, 403, 'FORBIDDEN'],
      ['Origin: null (sandboxed frame, file:)', { origin: 'null' }, 403, 'FORBIDDEN'],
      ['a sibling origin', { origin: 'http://127.0.0.1:3001' }, 403, 'FORBIDDEN'],
      ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }, 403, 'FORBIDDEN'],
      ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }, 403, 'FORBIDDEN'],
      ['text/plain (a simple cross-site request)', { 'content-type': 'text/plain' }, 400, 'VALIDATION'],
      ['a form body', { 'content-type': 'application/x-www-form-urlencoded' }, 400, 'VALIDATION'],
      ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }, 400, 'VALIDATION'],
    ];
    for (const [what, headers, status, code] of refusals) {
      const response = await browser.request('POST', route, { body: BODY, headers: { 'content-type': 'application/json', origin: PUBLIC_URL, ...headers } });
      expect({ what, status: response.status, code: response.json<{ error?: { code?: string } }>().error?.code }).toEqual({ what, status, code });
    }
    const noType = await browser.request('POST', route, { body: BODY, headers: { origin: PUBLIC_URL } });
    expect(noType.status).toBe(400);
    expect(oktaCalls()).toBe(before);
  });
});

describe('X-Request-Id from a client (issue 16, item 8)', () => {
  it('keeps our own id without TRUST_PROXY, and logs the client\'s beside it', async () => {
    const { service } = emulated;
    const response = await service.browser({ 'x-request-id': 'client-chosen-id-0001' }).get('/forgot-password');
    const ours = response.headers.get('x-request-id');
    expect(ours).not.toBe('client-chosen-id-0001');
    expect(ours).toMatch(/^[0-9a-f-]{36}$/);
    const line = service.logs.map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => entry.event === 'http.request' && entry.requestId === ours);
    expect(line).toMatchObject({ requestId: ours, clientRequestId: 'client-chosen-id-0001' });
  });

  it('adopts a sane id from our load balancer with TRUST_PROXY', async () => {
    const service = await startTestService({ TRUST_PROXY: 'true' });
    try {
      const response = await service.browser({ 'x-request-id': 'balancer-id-000000001' }).get('/forgot-password');
      expect(response.headers.get('x-request-id')).toBe('balancer-id-000000001');
    } finally {
      await service.close();
    }
  });
});
