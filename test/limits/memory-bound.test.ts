/**
 * Memory under a spray of unique usernames (issue 16, item 9). Without Redis the limiter keys live
 * in this process; the store holds at most RATE_LIMIT_MEMORY_MAX_KEYS of them, evicts the least
 * recently used when full, and then errs toward limiting. Observed through /metrics' key gauge and
 * eviction counter (deterministic), plus a generous bound on heap growth (noisy, so loose).
 */
import { jest } from '@jest/globals';
import { ManualClock } from '../../src/clock.js';
import { demoUsers, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';

const PUBLIC_URL = 'http://127.0.0.1:3000';
const MAX_KEYS = 200;
// Thousands of HTTP requests on a shared, busy machine.
jest.setTimeout(90_000);
let clock: ManualClock;
let emulator: RunningEmulator;
let service: ServiceUnderTest;

beforeEach(async () => {
  clock = new ManualClock(Date.now());
  emulator = await startEmulator({ publicUrl: PUBLIC_URL, clock, users: demoUsers() });
  // A small Okta budget: the spray is refused before Okta, as a real one would mostly be, but
  // every request still leaves its per-IP and per-username keys behind.
  service = await startTestService(
    { PUBLIC_URL, TRUST_PROXY: 'true', RATE_LIMIT_MEMORY_MAX_KEYS: String(MAX_KEYS), OKTA_CALL_BUDGET_PER_MINUTE: '20' },
    { oktaOrgUrl: emulator.url, clock },
  );
});
afterEach(async () => {
  await service.close();
  await emulator.close();
});

async function metric(name: string): Promise<number> {
  const text = await service.deps.metrics.registry.getSingleMetricAsString(name);
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
}

const start = (ip: string, username: string) => service.browser({ 'x-forwarded-for': ip }).postJson('/api/recovery/start', { username });

it('holds at most RATE_LIMIT_MEMORY_MAX_KEYS keys, and a bounded heap, under 1,200 unique usernames from 120 addresses', async () => {
  const heapBefore = process.memoryUsage().heapUsed;
  for (let i = 0; i < 1200; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, j) => start(`10.1.0.${(i + j) % 120}`, `sprayed-${i + j}@example.com`)));
  }
  // 1,320 distinct per-username and per-IP keys went in; the store kept its bound and said so.
  const keys = await metric('recovery_limit_store_keys');
  expect(keys).toBeGreaterThan(MAX_KEYS / 2);
  expect(keys).toBeLessThanOrEqual(MAX_KEYS + 2);
  expect(await metric('recovery_limit_store_evictions_total')).toBeGreaterThan(1000);
  // Generous on purpose: jest, the emulator and 3,000 HTTP exchanges share this heap.
  expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(150 * 1024 * 1024);
});

it('errs toward limiting after evictions: a username it no longer holds gets one request, not five', async () => {
  for (let i = 0; i < MAX_KEYS * 2; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, j) => start(`10.2.${(i + j) >> 8}.${(i + j) % 256}`, `filler-${i + j}@example.com`)));
  }
  expect(await metric('recovery_limit_store_evictions_total')).toBeGreaterThan(0);
  clock.advance(61_000); // a fresh Okta budget minute; the username window (an hour) still runs
  expect((await start('192.0.2.1', 'victim@example.com')).status).toBe(202);
  expect((await start('192.0.2.2', 'victim@example.com')).status).toBe(429);
});

it('counts usernames in full while the store has room', async () => {
  const statuses = [];
  for (let i = 0; i < 6; i++) {
    statuses.push((await start(`192.0.2.${i + 1}`, 'carol@example.com')).status);
    clock.advance(1_100); // past Okta's own per-user limit (4 a second)
  }
  expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
  expect(await metric('recovery_limit_store_evictions_total')).toBe(0);
});
