/**
 * The Okta budget guard: a flood on the reset page must not drain the organisation's Okta authn
 * rate limit, which every sign-in shares. Against the emulator over real HTTP, counting what
 * actually reaches "Okta".
 */
import { ManualClock } from '../../src/clock.js';
import { demoUsers, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { csrfTokenIn } from '../helpers/browser.js';
import { latestLinkPath } from '../helpers/emulated.js';
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';

const PUBLIC_URL = 'http://127.0.0.1:3000';
let clock: ManualClock;
let emulator: RunningEmulator;
let service: ServiceUnderTest;

beforeEach(async () => {
  clock = new ManualClock(Date.now());
  emulator = await startEmulator({ publicUrl: PUBLIC_URL, clock, users: demoUsers() });
});
afterEach(async () => {
  await service.close();
  await emulator.close();
});

const oktaCalls = (path: string) => emulator.requests.filter((request) => request.path === `/api/v1/authn/${path}`).length;

function randomUsername(): string {
  return `${Math.random().toString(36).slice(2, 12)}@example.com`;
}

it('lets a burst of 2,000 starts from 500 client IPs reach Okta at most the budget’s worth of times', async () => {
  const budget = 300;
  service = await startTestService({ PUBLIC_URL, TRUST_PROXY: 'true', OKTA_CALL_BUDGET_PER_MINUTE: String(budget) }, { oktaOrgUrl: emulator.url, clock });
  const requests = Array.from({ length: 2000 }, (_, i) => ({ ip: `10.${Math.floor(i % 500 / 250)}.${i % 250}.${(i % 500) + 1 > 250 ? 2 : 1}`, username: randomUsername() }));
  expect(new Set(requests.map((request) => request.ip)).size).toBe(500);

  const statuses: number[] = [];
  const retryAfters: number[] = [];
  // 50 at a time: a flood, without exhausting the test machine's sockets.
  for (let i = 0; i < requests.length; i += 50) {
    const answers = await Promise.all(
      requests.slice(i, i + 50).map(({ ip, username }) => service.browser({ 'x-forwarded-for': ip }).postJson('/api/recovery/start', { username })),
    );
    for (const answer of answers) {
      statuses.push(answer.status);
      if (answer.status === 429) retryAfters.push(Number(answer.headers.get('retry-after')));
    }
  }

  const reachedOkta = oktaCalls('recovery/password');
  expect(reachedOkta).toBeLessThanOrEqual(budget);
  expect(reachedOkta).toBeGreaterThan(0);
  expect(statuses.filter((status) => status === 202)).toHaveLength(reachedOkta);
  expect(statuses.filter((status) => status === 429)).toHaveLength(2000 - reachedOkta);
  expect(retryAfters.every((seconds) => seconds >= 1 && seconds <= 60)).toBe(true);
  const metrics = await service.deps.metrics.registry.getSingleMetricAsString('recovery_rate_limit_hits_total');
  expect(metrics).toMatch(new RegExp(`source="budget"} ${2000 - reachedOkta}\\b`));
});

it('keeps serving flows already past the emailed link when the budget is spent', async () => {
  service = await startTestService({ PUBLIC_URL, OKTA_CALL_BUDGET_PER_MINUTE: '3', RATE_LIMIT_START_PER_IP: '100/1m' }, { oktaOrgUrl: emulator.url, clock });
  const browser = service.browser();
  const form = await browser.get('/forgot-password');
  expect((await browser.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username: 'alice@example.com' })).status).toBe(303);
  const link = latestLinkPath(emulator, 'alice@example.com');
  // Two more starts spend the budget; the third is refused without reaching Okta.
  for (const expected of [202, 202, 429]) expect((await service.browser().postJson('/api/recovery/start', { username: randomUsername() })).status).toBe(expected);
  expect(oktaCalls('recovery/password')).toBe(3);

  // Alice, holding her link, goes on: verify, answer and reset still reach Okta.
  await browser.get(link);
  let page = await browser.get('/reset-password');
  expect((await browser.postForm('/reset-password', { _csrf: csrfTokenIn(page.text) })).location).toBe('/reset-password/question');
  page = await browser.get('/reset-password/question');
  expect((await browser.postForm('/reset-password/question', { _csrf: csrfTokenIn(page.text), answer: 'Brussels sprouts' })).location).toBe('/reset-password/new-password');
  page = await browser.get('/reset-password/new-password');
  const password = 'A-brand-new-passphrase-42';
  const done = await browser.postForm('/reset-password/new-password', { _csrf: csrfTokenIn(page.text), newPassword: password, confirmPassword: password });
  expect(done.location).toBe('/reset-password/done');
  // …and those calls counted: starts stay refused.
  expect((await service.browser().postJson('/api/recovery/start', { username: randomUsername() })).status).toBe(429);
});

it('stops sending starts when Okta says little is left, until Okta’s window resets', async () => {
  // Okta's remaining count falls to the reserve after one call: 600-call bucket, reserve 599.
  service = await startTestService({ PUBLIC_URL, OKTA_RATE_LIMIT_RESERVE: '599' }, { oktaOrgUrl: emulator.url, clock });
  expect((await service.browser().postJson('/api/recovery/start', { username: randomUsername() })).status).toBe(202);
  const held = await service.browser().postJson('/api/recovery/start', { username: randomUsername() });
  expect(held.status).toBe(429);
  const retryAfter = Number(held.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  // Okta's reset is in whole epoch seconds, so up to a second more than its 60-second window.
  expect(retryAfter).toBeLessThanOrEqual(61);
  expect(oktaCalls('recovery/password')).toBe(1);
  clock.advance(retryAfter * 1000);
  expect((await service.browser().postJson('/api/recovery/start', { username: randomUsername() })).status).toBe(202);
});

describe('an Identity Engine start takes from the budget the calls Okta receives, no more', () => {
  const IDX = { PUBLIC_URL, OKTA_ENGINE: 'idx', OKTA_CLIENT_ID: '0oa1recoveryemulator', RATE_LIMIT_START_PER_IP: '100/1m', RATE_LIMIT_START_PER_USERNAME: '100/1m' };
  const start = (username: string) => service.browser().postJson('/api/recovery/start', { username });

  it('with room for two starts’ calls and one more, a third start is still admitted', async () => {
    // One start, to see how many calls the emulator's IDX org takes (interact, introspect, …).
    service = await startTestService({ ...IDX, OKTA_CALL_BUDGET_PER_MINUTE: '1000' }, { oktaOrgUrl: emulator.url, clock });
    expect((await start('alice@example.com')).status).toBe(202);
    const perStart = emulator.requests.length;
    expect(perStart).toBeGreaterThanOrEqual(4);
    await service.close();

    // The admission takes the first call; the budget's observer counts the rest, and only those.
    // Counted once more each (the admission and the observer both), the third would be refused.
    service = await startTestService({ ...IDX, OKTA_CALL_BUDGET_PER_MINUTE: String(2 * perStart + 1) }, { oktaOrgUrl: emulator.url, clock });
    emulator.clearRecords();
    const statuses: number[] = [];
    for (const username of ['alice@example.com', 'bob@example.com', 'alice@example.com', 'bob@example.com']) statuses.push((await start(username)).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    expect(emulator.requests.length).toBe(3 * perStart);
  });
});

describe('a text-message or unlock start is one call of the budget, as an email start is', () => {
  const PHONE = { PUBLIC_URL, RECOVERY_METHODS: 'email,sms,call', SELF_SERVICE_UNLOCK: 'email,sms', RATE_LIMIT_START_PER_IP: '100/1m', RATE_LIMIT_START_PER_USERNAME: '100/1m' };

  it.each([
    ['an SMS recovery', '/api/recovery/start', { method: 'sms' }, 'recovery/password'],
    ['a voice-call recovery', '/api/recovery/start', { method: 'call' }, 'recovery/password'],
    ['an SMS unlock', '/api/unlock/start', { method: 'sms' }, 'recovery/unlock'],
  ])('admits three of %s within a budget of three, and refuses the fourth before Okta', async (_name, path, body, endpoint) => {
    service = await startTestService({ ...PHONE, OKTA_CALL_BUDGET_PER_MINUTE: '3' }, { oktaOrgUrl: emulator.url, clock });
    const statuses: number[] = [];
    // Unknown usernames: Okta answers each start with one call and sends nothing, so the start's
    // call is all the budget sees (counted at admission; counted again, the third would be refused).
    for (let i = 0; i < 4; i += 1) statuses.push((await service.browser().postJson(path, { username: randomUsername(), ...body })).status);
    expect(statuses.slice(0, 3).every((status) => status < 400)).toBe(true);
    expect(statuses[3]).toBe(429);
    expect(oktaCalls(endpoint)).toBe(3);
  });
});

describe('failed link verifications take only their share of the budget (issue 16, item 2)', () => {
  /** Made-up tokens, as a spray would send them: plausible in shape, unknown to Okta. */
  const badToken = (i: number) => `sprayedToken${String(i).padStart(10, '0')}`;

  async function spray(count: number, addresses: number) {
    const statuses: number[] = [];
    const retryAfters: number[] = [];
    for (let i = 0; i < count; i++) {
      const response = await service.browser({ 'x-forwarded-for': `198.51.100.${(i % addresses) + 1}` }).postJson('/api/recovery/verify', { token: badToken(i) });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(JSON.parse(response.text)).toMatchObject({ error: { code: 'RATE_LIMITED' } });
        retryAfters.push(Number(response.headers.get('retry-after')));
      }
    }
    return { statuses, retryAfters };
  }

  it('keeps a spray of bad tokens from many addresses to a third of the budget, and the rest for starts', async () => {
    // A third of 30 is 10 a minute; six addresses each stay far below the per-IP count (20).
    service = await startTestService({ PUBLIC_URL, TRUST_PROXY: 'true', OKTA_CALL_BUDGET_PER_MINUTE: '30' }, { oktaOrgUrl: emulator.url, clock });
    expect(service.config.limits.failedVerifiesPerMinute).toBe(9);
    const { statuses, retryAfters } = await spray(60, 6);
    expect(oktaCalls('recovery/token')).toBe(9);
    expect(statuses.filter((status) => status === 400)).toHaveLength(9);
    expect(statuses.filter((status) => status === 429)).toHaveLength(51);
    expect(retryAfters.every((seconds) => seconds >= 1 && seconds <= 60)).toBe(true);

    // The other two thirds are untouched: 21 starts still reach Okta, the 22nd meets the budget.
    const starts: number[] = [];
    for (let i = 0; i < 22; i++) starts.push((await service.browser({ 'x-forwarded-for': `192.0.2.${i + 1}` }).postJson('/api/recovery/start', { username: randomUsername() })).status);
    expect(starts.filter((status) => status === 202)).toHaveLength(21);
    expect(starts.at(-1)).toBe(429);

    // The share is a per-minute one: a minute later verifications reach Okta again.
    clock.advance(60_000);
    await spray(1, 1);
    expect(oktaCalls('recovery/token')).toBe(10);
  });

  it('keeps counting an attempt that Okta answered 429', async () => {
    await emulator.close();
    // Okta's org bucket allows two calls a minute here: from the third on, Okta answers 429.
    emulator = await startEmulator({ publicUrl: PUBLIC_URL, clock, users: demoUsers(), rateLimits: { orgPerMinute: 2 } });
    service = await startTestService(
      { PUBLIC_URL, TRUST_PROXY: 'true', OKTA_CALL_BUDGET_PER_MINUTE: '30', OKTA_RATE_LIMIT_RESERVE: '0' },
      { oktaOrgUrl: emulator.url, clock },
    );
    const { statuses } = await spray(40, 8);
    expect(statuses.slice(0, 2)).toEqual([400, 400]);
    expect(statuses.slice(2).every((status) => status === 429)).toBe(true);
    // Given back, Okta's 429s would have let all 40 through.
    expect(oktaCalls('recovery/token')).toBe(9);
  });

  it('gives a link that verifies back to the share', async () => {
    service = await startTestService({ PUBLIC_URL, OKTA_CALL_BUDGET_PER_MINUTE: '3', RATE_LIMIT_START_PER_IP: '100/1m' }, { oktaOrgUrl: emulator.url, clock });
    // The share is one verification a minute; a genuine link does not use it up.
    for (let i = 0; i < 2; i++) {
      const browser = service.browser();
      const form = await browser.get('/forgot-password');
      expect((await browser.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username: 'alice@example.com' })).status).toBe(303);
      clock.advance(1_100);
      const token = latestLinkPath(emulator, 'alice@example.com').split('/').pop() as string;
      expect((await browser.postJson('/api/recovery/verify', { token })).status).toBe(200);
      clock.advance(30_000);
    }
  });
});
