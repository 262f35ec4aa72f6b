/**
 * The limits shared through a real Redis (a redis-server of its own, helpers/redis-server.ts), and
 * what a Redis outage does: fail open (each instance counts alone, with a warning) or fail closed
 * (a retryable 503, and /readyz says so). Two services in this process stand in for two instances
 * here; test/limits/multi-instance.test.ts runs two real processes.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { ManualClock } from '../../src/clock.js';
import { demoUsers, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';
import { describeWithRedis } from '../helpers/redis-server.js';

const PUBLIC_URL = 'http://127.0.0.1:3000';
/** Nothing listens here: Redis is "down" from the first moment. */
const DEAD_REDIS_URL = 'redis://127.0.0.1:1';

describeWithRedis('limits shared through Redis', (testRedis) => {
  /** This suite's own redis-server (helpers/redis-server.ts), known once the outer beforeAll has run. */
  let REDIS_URL = '';
  beforeAll(() => {
    REDIS_URL = testRedis().url;
  });

  let clock: ManualClock;
  let emulator: RunningEmulator;
  let redis: Redis;
  let keyPrefix: string;
  const services: ServiceUnderTest[] = [];

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    keyPrefix = `test-${randomUUID().slice(0, 8)}`;
    emulator = await startEmulator({ publicUrl: PUBLIC_URL, clock, users: demoUsers() });
  });
  afterEach(async () => {
    await Promise.all(services.splice(0).map((service) => service.close()));
    await emulator.close();
    const keys = await redis.keys(`${keyPrefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  });

  async function instance(environment: Record<string, string> = {}): Promise<ServiceUnderTest> {
    const service = await startTestService(
      { PUBLIC_URL, TRUST_PROXY: 'true', REDIS_URL, REDIS_KEY_PREFIX: keyPrefix, ...environment },
      { oktaOrgUrl: emulator.url, clock },
    );
    services.push(service);
    return service;
  }

  function startFrom(service: ServiceUnderTest, ip: string, username: string) {
    return service.browser({ 'x-forwarded-for': ip }).postJson('/api/recovery/start', { username });
  }

  const oktaStarts = () => emulator.requests.filter((request) => request.path === '/api/v1/authn/recovery/password').length;

  it('counts one client’s starts across instances', async () => {
    const [a, b] = [await instance({ RATE_LIMIT_START_PER_IP: '3/15m' }), await instance({ RATE_LIMIT_START_PER_IP: '3/15m' })];
    expect((await startFrom(a, '192.0.2.1', 'u1@example.com')).status).toBe(202);
    expect((await startFrom(b, '192.0.2.1', 'u2@example.com')).status).toBe(202);
    expect((await startFrom(a, '192.0.2.1', 'u3@example.com')).status).toBe(202);
    expect((await startFrom(b, '192.0.2.1', 'u4@example.com')).status).toBe(429);
    expect((await startFrom(a, '192.0.2.1', 'u5@example.com')).status).toBe(429);
    expect(oktaStarts()).toBe(3);
  });

  it('shares the Okta budget across instances', async () => {
    const [a, b] = [await instance({ OKTA_CALL_BUDGET_PER_MINUTE: '4' }), await instance({ OKTA_CALL_BUDGET_PER_MINUTE: '4' })];
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await startFrom(i % 2 ? a : b, `198.51.100.${i}`, `budget${i}@example.com`)).status);
    expect(statuses.filter((status) => status === 202)).toHaveLength(4);
    expect(oktaStarts()).toBe(4);
  });

  it('keeps neither usernames nor client addresses in Redis, only keyed hashes', async () => {
    const service = await instance();
    await startFrom(service, '192.0.2.77', 'Secret.Person@example.com');
    const keys = await redis.keys(`${keyPrefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(' ')).not.toMatch(/secret\.person|example\.com/i);
    // The address is the limit's own key (operators need to see who is limited), hashed usernames are not.
    expect(keys.some((key) => key.includes('start-user'))).toBe(true);
  });

  describe('when Redis is down', () => {
    it('fails open by default: requests are served, limits count per instance, and a warning is logged', async () => {
      const service = await instance({ REDIS_URL: DEAD_REDIS_URL, RATE_LIMIT_START_PER_IP: '2/15m' });
      expect((await startFrom(service, '192.0.2.9', 'a@example.com')).status).toBe(202);
      expect((await startFrom(service, '192.0.2.9', 'b@example.com')).status).toBe(202);
      expect((await startFrom(service, '192.0.2.9', 'c@example.com')).status).toBe(429);
      expect(oktaStarts()).toBe(2);
      const warnings = service.logs.map((line) => JSON.parse(line) as { event?: string; level: number }).filter((line) => line.event === 'limits.redis-unavailable');
      expect(warnings.length).toBeGreaterThanOrEqual(1);
      expect(warnings[0]?.level).toBe(40);
      // Still ready: taking every instance out of the load balancer would be the outage itself.
      expect((await service.browser().get('/readyz')).status).toBe(200);
    });

    it('fails closed when configured: a retryable 503 without calling Okta, and /readyz reports Redis', async () => {
      const service = await instance({ REDIS_URL: DEAD_REDIS_URL, REDIS_FAILURE_MODE: 'closed' });
      const refused = await startFrom(service, '192.0.2.9', 'a@example.com');
      expect(refused.status).toBe(503);
      expect(refused.json()).toMatchObject({ error: { code: 'UPSTREAM_UNAVAILABLE' } });
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      const verify = await service.browser().postJson('/api/recovery/verify', { token: 'aPlausibleToken12345' });
      expect(verify.status).toBe(503);
      expect(oktaStarts()).toBe(0);
      expect(emulator.requests).toHaveLength(0);
      const ready = await service.browser().get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.json()).toMatchObject({ checks: { redis: 'failing' } });
    });

    it('is ready with a live Redis in closed mode', async () => {
      const service = await instance({ REDIS_FAILURE_MODE: 'closed' });
      await startFrom(service, '192.0.2.9', 'a@example.com');
      const ready = await service.browser().get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.json()).toMatchObject({ checks: { redis: 'ok' } });
    });
  });
});
