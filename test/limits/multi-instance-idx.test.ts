/**
 * Two Identity Engine service processes behind one "load balancer", one Redis, one Okta emulator
 * run as an IDX org, over real HTTP. A start answers before Okta is asked and walks IDX after its
 * response (okta/idx/start-handoff.ts); the code it sends may be typed into the other instance,
 * which takes the walk's result from Redis, where it is sealed and kept only until the code.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { demoUsers, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { Browser, csrfTokenIn } from '../helpers/browser.js';
import { buildService, startBuiltService, type BuiltService } from '../helpers/built-service.js';
import { signsIn } from '../helpers/emulated.js';
import { describeWithRedis } from '../helpers/redis-server.js';
import { until } from '../helpers/until.js';

const PUBLIC_URL = 'http://127.0.0.1:3000';
describeWithRedis('two Identity Engine instances sharing one Redis', (testRedis) => {
  const keyPrefix = `multi-idx-${randomUUID().slice(0, 8)}`;
  let redis: Redis;
  let emulator: RunningEmulator;
  let instances: BuiltService[] = [];

  beforeAll(async () => {
    const entry = await buildService('dist-test/multi-instance-idx');
    emulator = await startEmulator({ publicUrl: PUBLIC_URL, users: demoUsers(), pipeline: 'idx', idx: { securityQuestion: true } });
    const environment = {
      OKTA_ORG_URL: emulator.url,
      OKTA_ENGINE: 'idx',
      OKTA_CLIENT_ID: '0oa1recoveryemulator',
      PUBLIC_URL,
      COOKIE_SECRET: 'multi-instance-idx-cookie-secret-at-least-32-bytes',
      REDIS_URL: testRedis().url,
      REDIS_KEY_PREFIX: keyPrefix,
      TRUST_PROXY: 'true',
    };
    instances = await Promise.all([startBuiltService(entry, environment), startBuiltService(entry, environment)]);
    redis = new Redis(testRedis().url);
  }, 120_000);

  afterAll(async () => {
    const exits = await Promise.all(instances.map((instance) => instance.stop()));
    await emulator?.close();
    const keys = await redis.keys(`${keyPrefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    expect(exits).toEqual([{ code: 0, signal: null }, { code: 0, signal: null }]);
  });

  /** One person's browser; `on(i)` sends the next request to instance i, the cookie jar travels along. */
  function person(clientIp: string) {
    const browsers = instances.map((instance) => new Browser(instance.url, { origin: PUBLIC_URL, headers: { 'x-forwarded-for': clientIp } }));
    let last = browsers[0]!;
    const on = (index: number): Browser => {
      const next = browsers[index]!;
      if (next !== last) {
        next.cookies.clear();
        for (const [name, value] of last.cookies) next.cookies.set(name, value);
      }
      last = next;
      return next;
    };
    return {
      async submit(index: number, page: string, action: string, fields: Record<string, string> = {}) {
        const form = await on(index).get(page);
        return on(index).postForm(action, { _csrf: csrfTokenIn(form.text), ...fields });
      },
    };
  }

  const mailsTo = (login: string) => emulator.outbox.filter((mail) => mail.to.includes(login));
  const handoffKeys = () => redis.keys(`${keyPrefix}:idx-start:*`);

  it('takes on one instance the code a start on the other sent, through Redis, sealed, until the code', async () => {
    const user = person('198.51.100.40');
    const before = mailsTo('alice@example.com').length;
    expect((await user.submit(0, '/forgot-password', '/forgot-password', { username: 'alice@example.com' })).location).toBe('/forgot-password/sent');
    await until(() => mailsTo('alice@example.com').length > before, 'the code emailed to alice');
    const otp = mailsTo('alice@example.com').at(-1)?.otp ?? '';

    // What instance 0's walk left for the others: sealed, naming neither the user nor Okta's handle.
    // (Kept right after the walk's last call, which sent the email: wait for it a moment.)
    let keys = await handoffKeys();
    for (let tries = 0; keys.length === 0 && tries < 100; tries++) keys = await new Promise((resolve) => setTimeout(resolve, 20)).then(handoffKeys);
    expect(keys).toHaveLength(1);
    const kept = (await redis.get(keys[0]!)) ?? '';
    expect(kept).toMatch(/^v2\.[^.]+\.[A-Za-z0-9_-]+$/);
    expect(kept).not.toContain('alice');

    expect((await user.submit(1, '/forgot-password/sent', '/reset-password/code', { code: otp })).location).toBe('/reset-password/question');
    // Past the code the flow cookie carries the session: nothing is left in Redis.
    expect(await handoffKeys()).toHaveLength(0);
    expect((await user.submit(0, '/reset-password/question', '/reset-password/question', { answer: 'Brussels sprouts' })).location).toBe('/reset-password/new-password');
    const password = 'Two-idx-instances-one-pass-8';
    expect((await user.submit(1, '/reset-password/new-password', '/reset-password/new-password', { newPassword: password, confirmPassword: password })).location).toBe('/reset-password/done');
    expect(await signsIn(emulator.url, 'alice@example.com', password)).toBe(true);

    // The start's POST and the code's POST were served by different instances.
    // (A request's one access line: http.request, or the step's audit event written as it.)
    const served = (index: number, path: string) => instances[index]!.lines.some((line) => line.method === 'POST' && line.path === path && line.status === 303);
    // Log lines reach stdout in batches, at most a moment after the answer (src/log-output.ts).
    await until(() => served(0, '/forgot-password') && served(1, '/reset-password/code'), 'the access lines of the start and the code');
    expect([served(0, '/forgot-password'), served(1, '/forgot-password'), served(1, '/reset-password/code'), served(0, '/reset-password/code')]).toEqual([true, false, true, false]);
  });
});
