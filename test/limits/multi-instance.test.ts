/**
 * Two service processes behind one "load balancer", one Redis, one Okta emulator, all over real
 * HTTP: a flow started on one instance finishes on the other (the sealed cookie carries it; both
 * share COOKIE_SECRET), and the abuse limits count across both (Redis).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { demoUsers, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { Browser, csrfTokenIn } from '../helpers/browser.js';
import { buildService, startBuiltService, type BuiltService } from '../helpers/built-service.js';
import { latestLinkPath } from '../helpers/emulated.js';
import { describeWithRedis } from '../helpers/redis-server.js';
import { until } from '../helpers/until.js';

const PUBLIC_URL = 'http://127.0.0.1:3000';
describeWithRedis('two instances sharing one Redis', (testRedis) => {
  /** This suite's own redis-server (helpers/redis-server.ts), known once the outer beforeAll has run. */
  let REDIS_URL = '';
  beforeAll(() => {
    REDIS_URL = testRedis().url;
  });

  const keyPrefix = `multi-${randomUUID().slice(0, 8)}`;

  let emulator: RunningEmulator;
  let instances: BuiltService[] = [];

  beforeAll(async () => {
    const entry = await buildService('dist-test/multi-instance');
    emulator = await startEmulator({ publicUrl: PUBLIC_URL, users: demoUsers() });
    const environment = {
      OKTA_ORG_URL: emulator.url,
      PUBLIC_URL,
      COOKIE_SECRET: 'multi-instance-cookie-secret-at-least-32-bytes',
      REDIS_URL,
      REDIS_KEY_PREFIX: keyPrefix,
      TRUST_PROXY: 'true',
      RATE_LIMIT_START_PER_IP: '3/15m',
      MAX_WRONG_ANSWERS: '2',
    };
    instances = await Promise.all([startBuiltService(entry, environment), startBuiltService(entry, environment)]);
  }, 120_000);

  afterAll(async () => {
    const exits = await Promise.all(instances.map((instance) => instance.stop()));
    await emulator?.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${keyPrefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    expect(exits).toEqual([{ code: 0, signal: null }, { code: 0, signal: null }]);
  });

  /**
   * One person's browser behind a load balancer that sends every request to the other instance:
   * the cookie jar travels with the person, nothing else does.
   */
  function roundRobinBrowser(clientIp: string) {
    const browsers = instances.map((instance) => new Browser(instance.url, { origin: PUBLIC_URL, headers: { 'x-forwarded-for': clientIp } }));
    let turn = 0;
    const next = (): Browser => {
      const previous = browsers[turn % browsers.length]!;
      turn += 1;
      const current = browsers[turn % browsers.length]!;
      current.cookies.clear();
      for (const [name, value] of previous.cookies) current.cookies.set(name, value);
      return current;
    };
    return {
      get: (path: string) => next().get(path),
      async submit(path: string, fields: Record<string, string> = {}) {
        const form = await next().get(path);
        return next().postForm(path, { _csrf: csrfTokenIn(form.text), ...fields });
      },
      served: () => turn,
    };
  }

  const emailsTo = (login: string) => emulator.outbox.filter((mail) => mail.to.includes(login)).length;
  /** Okta is asked after the start has answered: wait for the email the user would then open. */
  async function newEmailFor(login: string, emailsBefore: number): Promise<string> {
    await until(() => emailsTo(login) > emailsBefore, `an email to ${login}`);
    return latestLinkPath(emulator, login);
  }

  it('finishes on one instance a flow started on the other', async () => {
    const person = roundRobinBrowser('198.51.100.20');
    const before = emailsTo('alice@example.com');
    expect((await person.submit('/forgot-password', { username: 'alice@example.com' })).location).toBe('/forgot-password/sent');
    expect((await person.get(await newEmailFor('alice@example.com', before))).location).toBe('/reset-password');
    expect((await person.submit('/reset-password')).location).toBe('/reset-password/question');
    expect((await person.submit('/reset-password/question', { answer: 'Brussels sprouts' })).location).toBe('/reset-password/new-password');
    const password = 'Two-instances-one-passphrase-7';
    expect((await person.submit('/reset-password/new-password', { newPassword: password, confirmPassword: password })).location).toBe('/reset-password/done');
    expect((await person.get('/reset-password/done')).status).toBe(200);
    expect(person.served()).toBeGreaterThanOrEqual(10);
    // Both instances really served parts of it.
    // (Log lines reach stdout in batches, at most a moment after the answer: src/log-output.ts.)
    const servedARedirect = (instance: BuiltService) => instance.lines.some((line) => line.event === 'http.request' && line.status === 303);
    await until(() => instances.every(servedARedirect), 'an access line of a redirect from each instance');

    const signIn = await fetch(`${emulator.url}/api/v1/authn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username: 'alice@example.com', password }),
    });
    expect(((await signIn.json()) as { status: string }).status).toBe('SUCCESS');
  });

  it('counts one client’s start requests across both instances', async () => {
    const startsBefore = emulator.requests.filter((request) => request.path === '/api/v1/authn/recovery/password').length;
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const instance = instances[i % 2]!;
      const response = await fetch(`${instance.url}/api/recovery/start`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: PUBLIC_URL, 'x-forwarded-for': '203.0.113.99' },
        body: JSON.stringify({ username: `shared${i}@example.com` }),
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    const reachedOkta = () => emulator.requests.filter((request) => request.path === '/api/v1/authn/recovery/password').length - startsBefore;
    await until(() => reachedOkta() >= 3, 'three starts reaching Okta');
    expect(emulator.requests.filter((request) => request.path === '/api/v1/authn/recovery/password').length - startsBefore).toBe(3);
  });

  it('counts wrong answers to one link across both instances', async () => {
    const person = roundRobinBrowser('198.51.100.21');
    const before = emailsTo('alice@example.com');
    await person.submit('/forgot-password', { username: 'alice@example.com' });
    await person.get(await newEmailFor('alice@example.com', before));
    expect((await person.submit('/reset-password')).location).toBe('/reset-password/question');
    expect((await person.submit('/reset-password/question', { answer: 'wrong once' })).status).toBe(422);
    expect((await person.submit('/reset-password/question', { answer: 'wrong twice' })).status).toBe(403);
  });
});
