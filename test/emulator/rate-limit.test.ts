/**
 * Rate limits and injected faults (contract §8): per-username and org buckets, the three headers
 * on every response, a forced 429, a forced outage and simulated latency.
 */
import { fixture } from '../helpers/fixtures.js';
import { closeAll, emulator } from './helpers.js';
import type { Reply } from './helpers.js';

afterEach(closeAll);

const forgot = (login: string) => ({ username: login, factorType: 'EMAIL' });
const headersOf = (r: Reply) => [
  r.headers.get('x-rate-limit-limit'),
  r.headers.get('x-rate-limit-remaining'),
  r.headers.get('x-rate-limit-reset'),
];
const seconds = (ms: number): string => String(Math.ceil(ms / 1000));

it('sends the three headers on every response, errors included, Reset in epoch seconds', async () => {
  const e = await emulator();
  const t0 = e.clock.now();
  const ok = await e.post('/recovery/password', forgot('alice@example.com'));
  expect(headersOf(ok)).toEqual(['600', '599', seconds(t0 + 60_000)]);
  const bad = await e.post('/recovery/token', '{nope');
  expect(bad.status).toBe(400);
  expect(headersOf(bad)).toEqual(['600', '598', seconds(t0 + 60_000)]);
});

it('allows 4 requests per second per username, then 429 E0000047 until the second passes', async () => {
  const e = await emulator();
  const t0 = e.clock.now();
  for (let i = 0; i < 4; i++) expect((await e.post('/recovery/password', forgot('alice@example.com'))).status).toBe(200);
  const limited = await e.post('/recovery/password', forgot('ALICE@example.com'));
  expect(limited.status).toBe(429);
  expect(limited.body).toMatchObject({ errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit due to too many requests.', errorCauses: [] });
  expect(headersOf(limited)).toEqual(['4', '0', seconds(t0 + 1000)]);
  // Another user is not affected, and the limited user may go on after a second.
  expect((await e.post('/recovery/password', forgot('bob@example.com'))).status).toBe(200);
  e.clock.advance(1000);
  expect((await e.post('/recovery/password', forgot('alice@example.com'))).status).toBe(200);
  // The limited request sent nothing: four e-mails before it, one after.
  expect(e.outbox.filter((m) => m.to === 'alice@example.com')).toHaveLength(5);
});

it('applies configurable per-user and org buckets', async () => {
  const e = await emulator({ rateLimits: { perUserPerSecond: 1, orgPerMinute: 3 } });
  const t0 = e.clock.now();
  expect((await e.post('/recovery/password', forgot('alice@example.com'))).status).toBe(200);
  expect((await e.post('/recovery/password', forgot('alice@example.com'))).status).toBe(429);
  expect((await e.post('/recovery/password', forgot('bob@example.com'))).status).toBe(200);
  const org = await e.post('/recovery/password', forgot('carol@example.com'));
  expect([org.status, org.body.errorCode]).toEqual([429, 'E0000047']);
  expect(headersOf(org)).toEqual(['3', '0', seconds(t0 + 60_000)]);
  e.clock.advance(60_000);
  expect((await e.post('/recovery/password', forgot('carol@example.com'))).status).toBe(200);
});

it('forceRateLimit answers 429 with Reset = now + N s until cleared', async () => {
  const e = await emulator();
  e.forceRateLimit(30);
  const res = await e.post('/recovery/password', forgot('alice@example.com'));
  expect([res.status, res.body.errorCode]).toEqual([429, 'E0000047']);
  expect(headersOf(res)).toEqual(['600', '0', seconds(e.clock.now() + 30_000)]);
  expect(e.outbox).toHaveLength(0);
  e.clearFaults();
  expect((await e.post('/recovery/password', forgot('alice@example.com'))).status).toBe(200);
});

it('a forced rate limit ends by itself when its time has passed', async () => {
  const e = await emulator();
  e.forceRateLimit(10);
  e.clock.advance(10_000);
  expect((await e.post('/recovery/password', forgot('alice@example.com'))).status).toBe(200);
});

it('forceOutage answers the recorded 500 E0000009 until switched off', async () => {
  const { body: recorded } = fixture('error-internal.json');
  const e = await emulator();
  e.forceOutage(true);
  const res = await e.post('/recovery/token', { recoveryToken: 'x' });
  expect(res.status).toBe(500);
  expect({ ...res.body, errorId: 'x' }).toEqual({ ...recorded, errorId: 'x' });
  expect(res.headers.get('x-rate-limit-limit')).toBe('600');
  e.forceOutage(false);
  expect((await e.post('/recovery/token', { recoveryToken: 'x' })).body.errorCode).toBe('E0000011');
});

it('simulates latency', async () => {
  const e = await emulator({ latencyMs: 150 });
  const started = performance.now();
  await e.post('/recovery/password', forgot('alice@example.com'));
  // Timers never fire early, so a lower bound cannot flake on a loaded machine (no upper bounds here).
  expect(performance.now() - started).toBeGreaterThanOrEqual(140);
});

it('turns simulated latency off with setLatency(0)', async () => {
  // With a minute of latency still in force, this request would outlive the test's timeout.
  const e = await emulator({ latencyMs: 60_000 });
  e.setLatency(0);
  const res = await e.post('/recovery/password', forgot('bob@example.com'));
  expect(res.status).toBe(200);
});
