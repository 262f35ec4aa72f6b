/**
 * Steps in order, whatever the client sends (OWASP Forgot Password cheat sheet; ASVS v4 2.5.x,
 * 4.1.x; WSTG-BUSL-06 "circumvention of work flows", WSTG-ATHN-09): posting the answer or the new
 * password with no flow cookie, a cookie from an earlier step, a forged, tampered, truncated,
 * foreign or expired cookie, or an older cookie replayed after the flow moved on, never gets a
 * password changed at Okta without a verified link and, where the user has a question, its answer.
 * Every case ends in a clean 4xx page or JSON (pages answer a step out of order with a 303 to the
 * step the flow is really at, the outcome table's Post/Redirect/Get), never a 5xx.
 * Okta is the in-process emulator over real HTTP: its request log is what "reached Okta".
 * Already proven elsewhere and not repeated: test/http/api-flow.test.ts "treats a missing,
 * tampered or expired flow cookie as FLOW_EXPIRED without calling Okta" and "refuses a step out
 * of order"; test/http/pages-flow.test.ts "sends forced browsing to the step the flow is really at".
 */
import { csrfTokenIn, type Browser } from '../helpers/browser.js';
import { LENIENT_LIMITS, startEmulatedService, type EmulatedService } from '../helpers/emulated.js';

const RESET = '/api/v1/authn/credentials/reset_password';
const ANSWER = '/api/v1/authn/recovery/answer';
let emulated: EmulatedService;
/** The same deployment with another COOKIE_SECRET: its cookies are real, just not ours. */
let foreign: EmulatedService;

beforeAll(async () => {
  emulated = await startEmulatedService(LENIENT_LIMITS);
  foreign = await startEmulatedService({ ...LENIENT_LIMITS, COOKIE_SECRET: 'another-deployments-cookie-secret-0123456789abcdef' });
});
afterAll(async () => {
  await emulated.close();
  await foreign.close();
});

function callsTo(path: string, target: EmulatedService = emulated): number {
  return target.emulator.requests.filter((request) => request.path === path).length;
}
function oktaCalls(): number {
  return emulated.emulator.requests.filter((request) => request.path.startsWith('/api/v1/authn')).length;
}

async function post(browser: Browser, page: string, fields: Record<string, string> = {}) {
  const form = await browser.get(page);
  return browser.postForm(page, { _csrf: csrfTokenIn(form.text), ...fields });
}

/** The sealed flow cookie after each step of a real flow, stopped before the password is chosen. */
async function cookiesOfAFlow(target: EmulatedService, login: 'alice@example.com' | 'bob@example.com') {
  const browser = target.service.browser();
  await post(browser, '/forgot-password', { username: login });
  const link = target.latestLinkPath(login);
  await browser.get(link);
  const token = link.split('/').pop() as string;
  const linkReceived = browser.cookies.get('recovery-flow') as string;
  await post(browser, '/reset-password');
  let awaitingAnswer: string | undefined;
  if (login === 'alice@example.com') {
    awaitingAnswer = browser.cookies.get('recovery-flow') as string;
    expect((await post(browser, '/reset-password/question', { answer: 'Brussels sprouts' })).location).toBe('/reset-password/new-password');
  }
  const awaitingPassword = browser.cookies.get('recovery-flow') as string;
  expect(new Set([linkReceived, awaitingAnswer, awaitingPassword].filter(Boolean)).size).toBe(login === 'alice@example.com' ? 3 : 2);
  return { browser, token, linkReceived, awaitingAnswer, awaitingPassword };
}

function tampered(sealed: string): string {
  // Flip one character of the ciphertext segment (JWE compact: header.key.iv.ciphertext.tag).
  const parts = sealed.split('.');
  const ciphertext = parts[3] ?? '';
  parts[3] = (ciphertext[0] === 'A' ? 'B' : 'A') + ciphertext.slice(1);
  return parts.join('.');
}

/** An unsigned token claiming the password step: what someone without COOKIE_SECRET can write. */
const UNSIGNED = [
  Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url'),
  Buffer.from(JSON.stringify({ flow: { phase: 'awaiting-password', stateToken: '00forged', expiresAt: 9e15, policy: {}, user: {} } })).toString('base64url'),
  '',
].join('.');

interface Attempt {
  readonly surface: 'page' | 'api';
  readonly status: number;
  readonly location: string | null;
  readonly type: string;
  readonly code: string | undefined;
}

/** POSTs `fields` to the step with exactly this flow cookie (or none), the way pages or the API would. */
async function attempt(surface: 'page' | 'api', step: 'answer' | 'password', flowCookie: string | undefined, fields: Record<string, string>): Promise<Attempt> {
  const browser = emulated.service.browser();
  const csrf = csrfTokenIn((await browser.get('/forgot-password')).text);
  if (flowCookie !== undefined) browser.cookies.set('recovery-flow', flowCookie);
  const response =
    surface === 'page'
      ? await browser.postForm(step === 'answer' ? '/reset-password/question' : '/reset-password/new-password', { _csrf: csrf, ...fields })
      : await browser.postJson(step === 'answer' ? '/api/recovery/answer' : '/api/recovery/reset', fields);
  const type = response.headers.get('content-type') ?? '';
  const code = type.startsWith('application/json') ? response.json<{ error?: { code?: string } }>().error?.code : undefined;
  return { surface, status: response.status, location: response.location, type, code };
}

/** A clean refusal: 4xx HTML or JSON, or (pages, step out of order) a 303 back to a step page. */
function expectCleanRefusal(what: string, result: Attempt, outOfOrderTo?: string): void {
  if (result.surface === 'page' && outOfOrderTo) {
    expect({ what, status: result.status, location: result.location }).toEqual({ what, status: 303, location: outOfOrderTo });
    return;
  }
  const expectedType = result.surface === 'page' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8';
  expect({ what, clientError: result.status >= 400 && result.status < 500, type: result.type }).toEqual({ what, clientError: true, type: expectedType });
  if (result.surface === 'api') expect({ what, code: typeof result.code }).toEqual({ what, code: 'string' });
}


describe.each(['page', 'api'] as const)('through the %s surface', (surface) => {
  // Distinct per surface: Okta refuses a password the user already has (history), which is not this test's point.
  const PASSWORD = { newPassword: `Forced-Browse-${surface}-42`, confirmPassword: `Forced-Browse-${surface}-42` };

  it('a new password never reaches Okta’s reset_password before the link is verified and the question answered', async () => {
    const alice = await cookiesOfAFlow(emulated, 'alice@example.com');
    const other = await cookiesOfAFlow(foreign, 'bob@example.com');
    const resetsBefore = callsTo(RESET);
    const oktaBefore = oktaCalls();
    const cases: Array<[string, string | undefined, string | undefined]> = [
      ['no cookie', undefined, undefined],
      ['the cookie of a link never verified', alice.linkReceived, '/reset-password'],
      ['the cookie of an unanswered question', alice.awaitingAnswer, '/reset-password/question'],
      ['garbage', 'not-a-cookie', undefined],
      ['an unsigned token claiming the password step', UNSIGNED, undefined],
      ['a tampered password-step cookie', tampered(alice.awaitingPassword), undefined],
      ['a truncated password-step cookie', alice.awaitingPassword.slice(0, -10), undefined],
      ['a password-step cookie from a deployment with another secret', other.awaitingPassword, undefined],
      ['an oversized cookie', 'A'.repeat(3900), undefined],
    ];
    for (const [what, cookie, outOfOrderTo] of cases) expectCleanRefusal(what, await attempt(surface, 'password', cookie, PASSWORD), outOfOrderTo);
    expect(callsTo(RESET)).toBe(resetsBefore);
    // Refused before Okta altogether: nothing to spend, nothing to count against the user.
    expect(oktaCalls()).toBe(oktaBefore);
    // The real password-step cookie still works: the refusals were about the cookie, not the flow.
    expect((await attempt(surface, 'password', alice.awaitingPassword, PASSWORD)).status).toBe(surface === 'page' ? 303 : 200);
    expect(callsTo(RESET)).toBe(resetsBefore + 1);
  });

  it('an answer never reaches Okta from a flow that is not waiting for one', async () => {
    const alice = await cookiesOfAFlow(emulated, 'alice@example.com');
    const bob = await cookiesOfAFlow(emulated, 'bob@example.com');
    const answersBefore = callsTo(ANSWER);
    const cases: Array<[string, string | undefined, string | undefined]> = [
      ['no cookie', undefined, undefined],
      ['the cookie of a link never verified', alice.linkReceived, '/reset-password'],
      ['a flow already at the password step', alice.awaitingPassword, '/reset-password/new-password'],
      ['a user with no question, at the password step', bob.awaitingPassword, '/reset-password/new-password'],
      ['a tampered question-step cookie', tampered(alice.awaitingAnswer as string), undefined],
      ['an unsigned token', UNSIGNED, undefined],
    ];
    for (const [what, cookie, outOfOrderTo] of cases) expectCleanRefusal(what, await attempt(surface, 'answer', cookie, { answer: 'Brussels sprouts' }), outOfOrderTo);
    expect(callsTo(ANSWER)).toBe(answersBefore);
  });

  it('an expired cookie is refused before Okta, even one that was at the password step', async () => {
    const alice = await cookiesOfAFlow(emulated, 'alice@example.com');
    const before = oktaCalls();
    emulated.clock.advance(6 * 60 * 1000);
    expectCleanRefusal('expired password step', await attempt(surface, 'password', alice.awaitingPassword, PASSWORD));
    expectCleanRefusal('expired question step', await attempt(surface, 'answer', alice.awaitingAnswer, { answer: 'Brussels sprouts' }));
    expect(oktaCalls()).toBe(before);
  });

  it('replaying older cookies after the flow moved on changes nothing: the password stays the one the user chose', async () => {
    const alice = await cookiesOfAFlow(emulated, 'alice@example.com');
    const chosen = `Chosen-${surface}-Pass-1`;
    const finished = await attempt(surface, 'password', alice.awaitingPassword, { newPassword: chosen, confirmPassword: chosen });
    expect(finished.status).toBe(surface === 'page' ? 303 : 200);
    const resetsAfterFinish = callsTo(RESET);

    // The question-step cookie again: Okta no longer has that transaction waiting for an answer.
    expectCleanRefusal('replayed question step', await attempt(surface, 'answer', alice.awaitingAnswer, { answer: 'Brussels sprouts' }));
    // The link again (its cookie on pages, its token on the API): spent by the verify, so dead.
    const relinked = emulated.service.browser();
    const csrf = csrfTokenIn((await relinked.get('/forgot-password')).text);
    relinked.cookies.set('recovery-flow', alice.linkReceived);
    const reverify = surface === 'page' ? await relinked.postForm('/reset-password', { _csrf: csrf }) : await relinked.postJson('/api/recovery/verify', { token: alice.token });
    expect(reverify.status).toBe(400);
    expect(callsTo(RESET)).toBe(resetsAfterFinish);
    // The password-step cookie again: Okta refuses the spent stateToken; the user's choice holds.
    expectCleanRefusal('replayed password step', await attempt(surface, 'password', alice.awaitingPassword, { newPassword: 'Attacker-Pass-99', confirmPassword: 'Attacker-Pass-99' }));
    expect(await signInWorks(chosen)).toBe(true);
    expect(await signInWorks('Attacker-Pass-99')).toBe(false);
  });
});

async function signInWorks(password: string): Promise<boolean> {
  const response = await fetch(`${emulated.emulator.url}/api/v1/authn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ username: 'alice@example.com', password }),
  });
  return response.status === 200 && ((await response.json()) as { status: string }).status === 'SUCCESS';
}

describe('the emailed link survives mail scanners', () => {
  it('is spent by nobody who only GETs or HEADs it, even following the redirect, and still works for the user', async () => {
    const user = emulated.service.browser();
    await post(user, '/forgot-password', { username: 'bob@example.com' });
    const link = emulated.latestLinkPath('bob@example.com');
    const verifiesBefore = callsTo('/api/v1/authn/recovery/token');
    for (let scanner = 0; scanner < 3; scanner++) {
      const browser = emulated.service.browser({ 'user-agent': `LinkScanner/${scanner}` });
      const opened = await browser.request(scanner === 1 ? 'HEAD' : 'GET', link);
      expect(opened.status).toBe(303);
      // A scanner that follows the redirect sees the "continue" page, which spends nothing either.
      expect((await browser.get(opened.location ?? '')).status).toBe(200);
    }
    expect(callsTo('/api/v1/authn/recovery/token')).toBe(verifiesBefore);
    await user.get(link);
    expect((await post(user, '/reset-password')).location).toBe('/reset-password/new-password');
    expect(callsTo('/api/v1/authn/recovery/token')).toBe(verifiesBefore + 1);
  });
});
