/**
 * Durable mail (REDIS_URL): the built service, killed with SIGKILL while its queue holds emails,
 * then started again, delivers every email it had accepted exactly once; a recovery email whose
 * Okta call was under way at the kill is not asked for twice, and the log says the user must ask
 * again. Real processes, a real Redis of the suite's own, a real SMTP server, the real emulator.
 */
import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { demoUsers, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { Browser } from '../helpers/browser.js';
import { buildService, startBuiltService, type BuiltService } from '../helpers/built-service.js';
import { LENIENT_LIMITS } from '../helpers/emulated.js';
import { describeWithRedis } from '../helpers/redis-server.js';
import { SmtpInbox } from '../helpers/smtp-inbox.js';
import { until } from '../helpers/until.js';

const PUBLIC_URL = 'http://127.0.0.1:3000';
const API_TOKEN = 'ssws-test-token-0123456789abcdef';
const ACCEPTED = 8;
/** A job running at the kill is taken up again once its lock lapses (redis-queue.ts: 10 s + a 5 s check). */
const TAKEN_UP_AGAIN_MS = 30_000;
const OLD_SECRET = 'durable-mail-cookie-secret-at-least-32-bytes';
const NEW_SECRET = 'rotated-durable-mail-cookie-secret-of-32-bytes';

jest.setTimeout(120_000);

describeWithRedis('durable mail queue across a SIGKILL', (redis) => {
  let entry: string;
  let emulator: RunningEmulator;
  let inbox: SmtpInbox;
  let running: BuiltService[] = [];

  beforeAll(async () => {
    entry = await buildService('dist-test/mail-durable');
  }, 120_000);

  beforeEach(async () => {
    emulator = await startEmulator({ publicUrl: PUBLIC_URL, apiToken: API_TOKEN, users: demoUsers(), rateLimits: { perUserPerSecond: 100_000, orgPerMinute: 100_000 } });
    inbox = await SmtpInbox.start();
  });
  afterEach(async () => {
    await Promise.all(running.map((service) => service.stop()));
    running = [];
    await inbox.stop();
    await emulator.close();
  });

  /** One configuration for both lives of the service: only the process changes. */
  function environment(keyPrefix: string): Record<string, string> {
    return {
      ...LENIENT_LIMITS,
      OKTA_ORG_URL: emulator.url,
      PUBLIC_URL,
      COOKIE_SECRET: OLD_SECRET,
      EMAIL_DELIVERY: 'service',
      OKTA_API_TOKEN: API_TOKEN,
      SMTP_URL: inbox.url,
      MAIL_FROM: 'Acme <no-reply@acme.example>',
      MAIL_RETRY_BASE_MS: '200',
      MAIL_MAX_ATTEMPTS: '20',
      REDIS_URL: redis().url,
      REDIS_KEY_PREFIX: keyPrefix,
    };
  }

  async function start(keyPrefix: string, overrides: Record<string, string> = {}): Promise<BuiltService> {
    const service = await startBuiltService(entry, { ...environment(keyPrefix), ...overrides });
    running.push(service);
    return service;
  }

  async function kill(service: BuiltService): Promise<void> {
    service.child.kill('SIGKILL');
    expect(await service.stop()).toEqual({ code: null, signal: 'SIGKILL' });
  }

  const events = (service: BuiltService, event: string) => service.lines.filter((line) => line.event === event);
  const recoveryCalls = () => emulator.requests.filter((request) => request.path === '/api/v1/authn/recovery/password').length;
  const linkOf = (text: string | undefined) => /\/reset-password\/[^\s"<]+/.exec(text ?? '')?.[0];

  it('delivers every accepted email exactly once after a kill while SMTP refused them', async () => {
    const keyPrefix = `durable-${randomUUID().slice(0, 8)}`;
    await inbox.stop(); // the relay is down: every email waits in Redis for a retry
    const first = await start(keyPrefix);
    const browser = new Browser(first.url, { origin: PUBLIC_URL });
    for (let i = 0; i < ACCEPTED; i++) {
      expect((await browser.postJson('/api/recovery/start', { username: 'alice@example.com' })).status).toBe(202);
    }
    // Every job has asked Okta (once) and failed at least one SMTP attempt: all are in Redis, waiting.
    await until(() => new Set(events(first, 'mail.retry').map((line) => line.requestId)).size === ACCEPTED, 'every email to fail once');
    await kill(first);
    expect(recoveryCalls()).toBe(ACCEPTED);

    await inbox.listen();
    const second = await start(keyPrefix);
    await until(() => inbox.received.length >= ACCEPTED, 'every accepted email to arrive', TAKEN_UP_AGAIN_MS);
    await until(() => events(second, 'mail.sent').length === ACCEPTED, 'the restarted service to send them all', TAKEN_UP_AGAIN_MS);
    // A graceful stop with the queue in Redis: nothing running, nothing given up on.
    expect(await second.stop()).toEqual({ code: 0, signal: null });

    expect(inbox.received).toHaveLength(ACCEPTED);
    expect(new Set(inbox.received.map((mail) => linkOf(mail.parsed.text))).size).toBe(ACCEPTED);
    expect(recoveryCalls()).toBe(ACCEPTED); // nobody asked Okta again
    expect(events(second, 'mail.failed')).toEqual([]);
    // Redis held sealed jobs only: the log never carried a link either.
    for (const line of [...first.lines, ...second.lines]) expect(JSON.stringify(line)).not.toMatch(/reset-password\//);
  });

  it('says in the log that a recovery email was lost when the kill came during its Okta call, and never repeats the call', async () => {
    const keyPrefix = `durable-${randomUUID().slice(0, 8)}`;
    const first = await start(keyPrefix);
    emulator.setLatency(5_000);
    const browser = new Browser(first.url, { origin: PUBLIC_URL });
    expect((await browser.postJson('/api/recovery/start', { username: 'alice@example.com' })).status).toBe(202);
    await until(() => recoveryCalls() === 1, 'the queue to call Okta');
    await kill(first);
    emulator.setLatency(0);

    const second = await start(keyPrefix);
    await until(() => events(second, 'mail.failed').length === 1, 'the interrupted job to be taken up', TAKEN_UP_AGAIN_MS);
    const [failed] = events(second, 'mail.failed');
    expect(failed).toMatchObject({ stage: 'prepare', reason: 'interrupted', kind: 'recovery' });
    expect(String(failed?.msg)).toMatch(/must request a new link/);
    // An email accepted after the restart still goes out: the queue goes on.
    expect((await new Browser(second.url, { origin: PUBLIC_URL }).postJson('/api/recovery/start', { username: 'alice@example.com' })).status).toBe(202);
    await inbox.waitForCount(1);
    expect(recoveryCalls()).toBe(2);
    expect(inbox.received).toHaveLength(1);
  });

  /** Emails accepted while SMTP is down, so they wait in Redis; then a graceful stop leaves them there. */
  async function queueAndStop(keyPrefix: string, count: number): Promise<void> {
    await inbox.stop();
    const first = await start(keyPrefix);
    const browser = new Browser(first.url, { origin: PUBLIC_URL });
    for (let i = 0; i < count; i++) expect((await browser.postJson('/api/recovery/start', { username: 'alice@example.com' })).status).toBe(202);
    await until(() => new Set(events(first, 'mail.retry').map((line) => line.requestId)).size === count, 'every email to wait in Redis');
    expect(await first.stop()).toEqual({ code: 0, signal: null });
    await inbox.listen();
  }

  it('sends the emails queued before COOKIE_SECRET was rotated when the old secret is COOKIE_SECRET_PREVIOUS', async () => {
    const keyPrefix = `rotated-${randomUUID().slice(0, 8)}`;
    await queueAndStop(keyPrefix, 2);
    const second = await start(keyPrefix, { COOKIE_SECRET: NEW_SECRET, COOKIE_SECRET_PREVIOUS: OLD_SECRET });
    await until(() => events(second, 'mail.sent').length === 2, 'the rotated service to send both', TAKEN_UP_AGAIN_MS);
    expect(inbox.received).toHaveLength(2);
    expect(events(second, 'mail.failed')).toEqual([]);
  });

  it('drops, with a log line and no crash, emails sealed under a secret it no longer holds', async () => {
    const keyPrefix = `rotated-${randomUUID().slice(0, 8)}`;
    await queueAndStop(keyPrefix, 2);
    const second = await start(keyPrefix, { COOKIE_SECRET: NEW_SECRET });
    await until(() => events(second, 'mail.failed').length === 2, 'both jobs to be given up on', TAKEN_UP_AGAIN_MS);
    for (const failed of events(second, 'mail.failed')) {
      expect(failed).toMatchObject({ event: 'mail.failed', reason: 'unreadable' });
      expect(String(failed.msg)).toMatch(/COOKIE_SECRET_PREVIOUS/);
    }
    // The service goes on: an email accepted now is sealed under the new secret and sent.
    expect((await new Browser(second.url, { origin: PUBLIC_URL }).postJson('/api/recovery/start', { username: 'alice@example.com' })).status).toBe(202);
    await until(() => events(second, 'mail.sent').length === 1, 'the new email to be sent');
    expect(inbox.received).toHaveLength(1);
    expect(await second.stop()).toEqual({ code: 0, signal: null });
  });
});
