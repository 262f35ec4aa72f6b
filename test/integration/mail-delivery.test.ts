/**
 * What happens to an email after the response, when SMTP misbehaves: down then back (retried with
 * back-off, delivered once, Okta asked once), a transient 4xx, a permanent 5xx, attempts running
 * out, and a graceful shutdown with mail still in the queue. The service keeps answering throughout.
 * The same cases run with the queue in memory and in Redis (REDIS_URL, BullMQ on the suite's own
 * redis-server); what a crash does to each is test/integration/mail-durable.test.ts's.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { ManualClock } from '../../src/clock.js';
import { demoUsers, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { describeWithRedis } from '../helpers/redis-server.js';
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';
import { SmtpInbox } from '../helpers/smtp-inbox.js';
import { until } from '../helpers/until.js';

const PUBLIC_URL = 'https://account.acme.example';
const API_TOKEN = 'ssws-test-token-0123456789abcdef';

let emulator: RunningEmulator;
let inbox: SmtpInbox;
let service: ServiceUnderTest | undefined;

beforeEach(async () => {
  emulator = await startEmulator({ publicUrl: PUBLIC_URL, apiToken: API_TOKEN, clock: new ManualClock(), users: demoUsers() });
  inbox = await SmtpInbox.start();
});
afterEach(async () => {
  await service?.close();
  service = undefined;
  await inbox.stop();
  await emulator.close();
});

async function startService(home: () => Record<string, string>, environment: Record<string, string> = {}): Promise<ServiceUnderTest> {
  service = await startTestService(
    {
      ...home(),
      PUBLIC_URL,
      EMAIL_DELIVERY: 'service',
      OKTA_API_TOKEN: API_TOKEN,
      SMTP_URL: inbox.url,
      MAIL_FROM: 'no-reply@acme.example',
      MAIL_RETRY_BASE_MS: '10',
      ...environment,
    },
    { oktaOrgUrl: emulator.url },
  );
  return service;
}

function queueOf(running: ServiceUnderTest) {
  if (!running.deps.mailer) throw new Error('no mailer');
  return running.deps.mailer.queue;
}

async function askForLink(running: ServiceUnderTest, username: string): Promise<void> {
  const response = await running.browser().postJson('/api/recovery/start', { username });
  expect(response.status).toBe(202);
  expect(response.json()).toEqual({ status: 'EMAIL_SENT' });
}

const oktaStarts = () => emulator.requests.filter((request) => request.path === '/api/v1/authn/recovery/password');
const logEvents = (running: ServiceUnderTest, event: string) => running.logs.filter((line) => line.includes(`"event":"${event}"`)).map((line) => JSON.parse(line) as Record<string, unknown>);

/** The cases whichever home the queue has; `home` adds its variables to the service's environment. */
function deliveryCases(home: () => Record<string, string>): void {
  it('retries while SMTP is down, delivers once it is back, and asks Okta only once', async () => {
    // Enough attempts that a slow machine cannot run out of them before SMTP is back.
    const running = await startService(home, { MAIL_MAX_ATTEMPTS: '10' });
    await inbox.stop();
    await askForLink(running, 'bob@example.com');
    await until(() => queueOf(running).counters.retried >= 2, 'two failed attempts');

    // Still serving while mail waits for its next attempt.
    expect((await running.browser().get('/healthz')).status).toBe(200);

    await inbox.listen();
    await queueOf(running).idle();
    expect(inbox.received.map((mail) => mail.envelopeTo)).toEqual([['bob@example.com']]);
    expect(queueOf(running).counters).toMatchObject({ sent: 1, failed: 0 });
    expect(oktaStarts()).toHaveLength(1);
    const retries = logEvents(running, 'mail.retry');
    expect(retries.length).toBe(queueOf(running).counters.retried);
    expect(retries[0]).toMatchObject({ kind: 'recovery', attempt: 1, smtpCode: expect.any(String) });
    // Exponential back-off with jitter: retry n waits between half and all of 10 ms × 2^(n-1).
    retries.forEach((retry, index) => {
      const ceiling = 10 * 2 ** index;
      expect(retry.delayMs).toBeGreaterThanOrEqual(ceiling / 2);
      expect(retry.delayMs).toBeLessThanOrEqual(ceiling);
    });
  });

  it('retries a transient 4xx refusal', async () => {
    const running = await startService(home);
    inbox.refuseNext(451);
    await askForLink(running, 'bob@example.com');
    await queueOf(running).idle();
    expect(inbox.received).toHaveLength(1);
    expect(queueOf(running).counters).toMatchObject({ sent: 1, retried: 1, failed: 0 });
    expect(logEvents(running, 'mail.retry')[0]).toMatchObject({ smtpResponseCode: 451 });
  });

  it('gives up at once on a permanent 5xx refusal, and counts it', async () => {
    const running = await startService(home);
    inbox.refuseNext(550);
    await askForLink(running, 'bob@example.com');
    await queueOf(running).idle();
    expect(inbox.received).toHaveLength(0);
    expect(queueOf(running).counters).toMatchObject({ sent: 0, retried: 0, failed: 1 });
    expect(logEvents(running, 'mail.failed')[0]).toMatchObject({ reason: 'refused', smtpResponseCode: 550 });
  });

  it('stops after MAIL_MAX_ATTEMPTS and keeps serving', async () => {
    const running = await startService(home, { MAIL_MAX_ATTEMPTS: '3' });
    await inbox.stop();
    await askForLink(running, 'bob@example.com');
    await queueOf(running).idle();
    expect(queueOf(running).counters).toMatchObject({ sent: 0, retried: 2, failed: 1 });
    expect(logEvents(running, 'mail.failed')[0]).toMatchObject({ reason: 'attempts-exhausted', attempt: 3 });
    await askForLink(running, 'alice@example.com');
  });
}

describe('queue in memory', () => {
  deliveryCases(() => ({}));

  it('drains on shutdown, then gives up on what could not be sent and refuses new work', async () => {
    // A long back-off, so the email is still waiting for its retry when shutdown begins.
    const running = await startService(() => ({}), { MAIL_RETRY_BASE_MS: '600000' });
    await inbox.stop();
    await askForLink(running, 'bob@example.com');
    const queue = queueOf(running);
    await until(() => queue.counters.retried === 1, 'the first failed attempt');

    expect(await queue.drain(20)).toBe(false);
    expect(queue.pending).toBe(1);
    await queue.close(20);
    expect(queue.pending).toBe(0);
    expect(queue.counters).toMatchObject({ sent: 0, failed: 1 });
    expect(logEvents(running, 'mail.failed')[0]).toMatchObject({ reason: 'shutdown' });

    await askForLink(running, 'alice@example.com');
    expect(queue.counters.dropped).toBe(1);
    expect(logEvents(running, 'mail.dropped')[0]).toMatchObject({ reason: 'closing' });
  });
});

describeWithRedis('queue in Redis (BullMQ)', (redis) => {
  // A key prefix per service, so no test meets another's jobs.
  deliveryCases(() => ({ REDIS_URL: redis().url, REDIS_KEY_PREFIX: `delivery-${randomUUID().slice(0, 8)}` }));

  it('answers the same, and logs the email as dropped, when Redis cannot take the job', async () => {
    // Nothing listens on port 1: the queue's Redis never answers (the limits fail open meanwhile).
    const running = await startService(() => ({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_KEY_PREFIX: 'nowhere' }));
    await askForLink(running, 'bob@example.com');
    expect(logEvents(running, 'mail.dropped')).toEqual([expect.objectContaining({ kind: 'recovery', reason: 'queue-unavailable' })]);
    expect(queueOf(running).counters).toMatchObject({ enqueued: 0, dropped: 1 });
    expect(oktaStarts()).toHaveLength(0);
  });

  it('keeps no username, address or link in Redis in the clear while an email waits there', async () => {
    const keyPrefix = `sealed-${randomUUID().slice(0, 8)}`;
    // A long back-off: the prepared email (with its link) sits in Redis, waiting for its retry.
    const running = await startService(() => ({ REDIS_URL: redis().url, REDIS_KEY_PREFIX: keyPrefix }), { MAIL_RETRY_BASE_MS: '600000' });
    await inbox.stop();
    await askForLink(running, 'bob@example.com');
    await until(() => queueOf(running).counters.retried === 1, 'the first failed attempt');

    const client = new Redis(redis().url);
    const stored: unknown[] = [];
    for (const key of await client.keys(`${keyPrefix}:*`)) {
      const type = await client.type(key);
      if (type === 'hash') stored.push(await client.hgetall(key));
      else if (type === 'string') stored.push(await client.get(key));
      else if (type === 'list') stored.push(await client.lrange(key, '0', '-1'));
      else if (type === 'zset') stored.push(await client.zrange(key, '0', '-1'));
      else if (type === 'set') stored.push(await client.smembers(key));
      else if (type === 'stream') stored.push(await client.xrange(key, '-', '+'));
    }
    await client.quit();
    const everything = JSON.stringify(stored);
    expect(everything).toMatch(/stage\W+prepared/);
    expect(everything).not.toContain('bob@example.com');
    expect(everything).not.toContain('reset-password');
  });
});
