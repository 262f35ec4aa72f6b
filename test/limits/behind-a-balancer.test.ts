/**
 * One address, many people (issue 16, item 1). Behind a load balancer with TRUST_PROXY off, every
 * request has the balancer's address; in an office behind NAT, everyone has the office's. The
 * operator is told (log, metric, /readyz), and the per-IP limits degrade — a growing wait, then a
 * hard block — so one guessing client cannot lock a whole address out of a valid link for the
 * window. Counters in memory on the test's manual clock: no sleeps.
 */
import { ManualClock } from '../../src/clock.js';
import { demoUsers, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { UNTRUSTED_FORWARDING_WARNING_INTERVAL_MS } from '../../src/web/proxy-check.js';
import { csrfTokenIn, type Browser } from '../helpers/browser.js';
import { latestLinkPath } from '../helpers/emulated.js';
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';

const PUBLIC_URL = 'http://127.0.0.1:3000';
let clock: ManualClock;
let emulator: RunningEmulator;
let service: ServiceUnderTest;

beforeEach(async () => {
  clock = new ManualClock(Date.now());
  emulator = await startEmulator({ publicUrl: PUBLIC_URL, clock, users: demoUsers(), rateLimits: { perUserPerSecond: 100_000, orgPerMinute: 100_000 } });
});
afterEach(async () => {
  await service?.close();
  await emulator.close();
});

async function start(environment: Record<string, string> = {}): Promise<void> {
  service = await startTestService({ PUBLIC_URL, ...environment }, { oktaOrgUrl: emulator.url, clock });
}

async function postForm(browser: Browser, page: string, fields: Record<string, string> = {}) {
  const form = await browser.get(page);
  return browser.postForm(page, { _csrf: csrfTokenIn(form.text), ...fields });
}

const oktaVerifies = () => emulator.requests.filter((request) => request.path === '/api/v1/authn/recovery/token').length;
const guess = (browser: Browser, i: number) => browser.postJson('/api/recovery/verify', { token: `guessedToken${String(i).padStart(8, '0')}` });
const warnings = () => service.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.event === 'http.untrusted-forwarded-for');

async function readiness(): Promise<{ checks: Record<string, string>; advice?: Record<string, string> }> {
  return (await service.browser().get('/readyz').then((response) => JSON.parse(response.text))) as { checks: Record<string, string>; advice?: Record<string, string> };
}

describe('X-Forwarded-For from a proxy while TRUST_PROXY is off', () => {
  it('warns once per interval with the peer, counts every such request, and says in /readyz what to set', async () => {
    await start();
    expect((await readiness()).checks['trust-proxy']).toBe('ok');
    for (let i = 0; i < 3; i++) await service.browser({ 'x-forwarded-for': `198.51.100.${i}` }).get('/forgot-password');
    expect(warnings()).toEqual([expect.objectContaining({ level: 40, peer: expect.stringMatching(/127\.0\.0\.1$/) })]);
    const metric = await service.deps.metrics.registry.getSingleMetricAsString('recovery_untrusted_forwarded_requests_total');
    expect(metric).toMatch(/recovery_untrusted_forwarded_requests_total 3$/m);
    const ready = await readiness();
    expect(ready.checks['trust-proxy']).toBe('warning');
    expect(ready.advice?.['trust-proxy']).toContain('set TRUST_PROXY=true');
    // Still ready: a warning is for the operator, not a reason to take the instance out.
    expect((await service.browser().get('/readyz')).status).toBe(200);

    clock.advance(UNTRUSTED_FORWARDING_WARNING_INTERVAL_MS);
    await service.browser({ 'x-forwarded-for': '198.51.100.9' }).get('/forgot-password');
    expect(warnings()).toHaveLength(2);
  });

  it('says nothing when TRUST_PROXY is on, or when no X-Forwarded-For arrives', async () => {
    await start({ TRUST_PROXY: 'true' });
    await service.browser({ 'x-forwarded-for': '198.51.100.1' }).get('/forgot-password');
    expect(warnings()).toEqual([]);
    expect((await readiness()).checks['trust-proxy']).toBeUndefined();
    await service.close();
    await start();
    await service.browser().get('/forgot-password');
    expect(warnings()).toEqual([]);
    expect((await readiness()).checks['trust-proxy']).toBe('ok');
  });
});

describe('per-IP limits degrade instead of slamming shut', () => {
  it('lets a user behind the same address as a guessing client verify a valid link after seconds, not 15 minutes', async () => {
    await start();
    const attacker = service.browser({ 'x-forwarded-for': '203.0.113.66' });
    for (let i = 0; i < 20; i++) expect((await guess(attacker, i)).status).toBe(400);

    const user = service.browser({ 'x-forwarded-for': '203.0.113.77' });
    expect((await postForm(user, '/forgot-password', { username: 'alice@example.com' })).status).toBe(303);
    expect((await user.get(latestLinkPath(emulator, 'alice@example.com'))).location).toBe('/reset-password');
    const held = await postForm(user, '/reset-password');
    expect(held.status).toBe(429);
    const wait = Number(held.headers.get('retry-after'));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(2);
    clock.advance(wait * 1000);
    expect((await postForm(user, '/reset-password')).location).toBe('/reset-password/question');
  });

  it('makes a client that keeps guessing wait twice as long each time, then blocks it for the window', async () => {
    await start({ RATE_LIMIT_VERIFY_PER_IP: '3/15m' });
    const browser = service.browser();
    for (let i = 0; i < 3; i++) expect((await guess(browser, i)).status).toBe(400);
    const waits: number[] = [];
    for (let i = 3; i < 6; i++) {
      const held = await guess(browser, i);
      expect(held.status).toBe(429);
      expect(JSON.parse(held.text)).toMatchObject({ error: { code: 'RATE_LIMITED' } });
      waits.push(Number(held.headers.get('retry-after')));
      clock.advance(waits.at(-1)! * 1000);
      expect((await guess(browser, i)).status).toBe(400);
    }
    expect(waits).toEqual([1, 2, 4]);
    const before = oktaVerifies();
    clock.advance(8_000);
    const blocked = await guess(browser, 99);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800);
    // Refused requests never reached Okta.
    expect(oktaVerifies()).toBe(before);
    expect(oktaVerifies()).toBe(6);
  });

  it('degrades the start limit per IP the same way', async () => {
    await start({ RATE_LIMIT_START_PER_IP: '2/15m' });
    const browser = service.browser();
    for (const username of ['a@example.com', 'b@example.com']) expect((await browser.postJson('/api/recovery/start', { username })).status).toBe(202);
    const held = await browser.postJson('/api/recovery/start', { username: 'c@example.com' });
    expect(held.status).toBe(429);
    expect(held.headers.get('retry-after')).toBe('1');
    clock.advance(1_000);
    expect((await browser.postJson('/api/recovery/start', { username: 'c@example.com' })).status).toBe(202);
  });
});
