/**
 * The send queue in Redis (REDIS_URL), through BullMQ: jobs and their retries outlive the process
 * that accepted them. An instance killed mid-queue leaves its jobs in Redis; the next instance up
 * (another one behind the load balancer, or this one restarted) sends them. The rules are
 * queue.ts's: prepare once, retry only the SMTP send.
 *
 * Exactly once, and where it cannot be:
 *  - A job's stage is written to Redis before each step. A job that was still waiting, or had
 *    already been prepared, is sent once by whoever picks it up.
 *  - A recovery job whose process died *while asking Okta* may have had a token issued that no
 *    one will ever mail, and asking again could issue a second one (got's rule: no POST is
 *    repeated). Such a job is not retried: it ends as mail.failed, reason "interrupted", and the
 *    log says the user must ask for a new link.
 *  - A process that dies between the SMTP server's "250 accepted" and marking the job done sends
 *    that email again: SMTP itself cannot tell (RFC 5321 §6.1 accepts duplicates over losses).
 *
 * A running job is taken up again once its lock lapses (LOCK_MS, renewed every LOCK_MS / 2 while
 * its process lives) at the next stalled-job check (STALLED_CHECK_MS). What is stored is sealed
 * (job-sealer.ts): Redis holds no username, address or link in the clear.
 */
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { MailJob } from './jobs.js';
import { createJobSealer } from './job-sealer.js';
import { retryDelayMs, type MailQueue, type MailQueueCounters, type MailQueueOptions } from './queue.js';
import { describeSendFailure, type MailTransport, type OutgoingMail } from './send-failure.js';

export interface RedisMailQueueOptions extends MailQueueOptions<MailJob> {
  readonly transport: MailTransport;
  readonly redisUrl: string;
  /** REDIS_KEY_PREFIX: the queue's keys are `<prefix>:queue:mail:…`. */
  readonly keyPrefix: string;
  /** COOKIE_SECRET, shared by every instance: what one seals, another opens. */
  readonly secret: string;
  /** COOKIE_SECRET_PREVIOUS: jobs queued before a rotation still open (never used to seal). */
  readonly previousSecret?: string | undefined;
}

/** What Redis keeps per job: the stage in the clear (for the rules above), the rest sealed. */
interface StoredJob {
  readonly kind: MailJob['kind'];
  readonly requestId?: string | undefined;
  readonly stage: 'queued' | 'preparing' | 'prepared';
  /** The sealed MailJob. */
  readonly job: string;
  /** The sealed OutgoingMail, once prepared. */
  readonly mail?: string;
}

const QUEUE_NAME = 'mail';
const LOCK_MS = 10_000;
const STALLED_CHECK_MS = 5_000;
/** The web step waits this long at most for Redis to take a job; past it the job is dropped (and logged). */
const ENQUEUE_TIMEOUT_MS = 1_000;
/** Failed jobs stay this long in Redis, for an operator to look at; completed ones go at once. */
const KEEP_FAILED_SECONDS = 24 * 60 * 60;
const WARNING_INTERVAL_MS = 30_000;
const IDLE_POLL_MS = 50;
/** Bound on each closing step after the running jobs' drain. */
const CLOSE_STEP_MS = 1_000;

export function createRedisMailQueue(options: RedisMailQueueOptions): MailQueue {
  const { transport, logger, maxAttempts, prepare } = options;
  const sealer = createJobSealer(options.secret, options.previousSecret);
  const counters: MailQueueCounters = { enqueued: 0, sent: 0, failed: 0, retried: 0, skipped: 0, dropped: 0 };
  const prefix = `${options.keyPrefix}:queue`;
  const reconnect = { retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000), connectTimeout: 2000 };
  // Adding fails at once while Redis is away (no offline queue): a web step never waits on it.
  const producer = new Redis(options.redisUrl, { ...reconnect, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  // The worker's blocking reads wait as long as Redis is away (BullMQ requires maxRetriesPerRequest: null).
  const consumer = new Redis(options.redisUrl, { ...reconnect, maxRetriesPerRequest: null });
  let lastWarning = 0;
  const warn = (error: Error) => {
    if (Date.now() - lastWarning < WARNING_INTERVAL_MS) return;
    lastWarning = Date.now();
    logger.warn({ event: 'mail.queue-unavailable', err: { name: error.name, message: error.message } }, 'Redis is unavailable: emails wait there until it is back');
  };
  producer.on('error', warn);
  consumer.on('error', warn);

  // Jobs accepted while the first connection is still being made wait for it (bounded in enqueue);
  // once Redis has been up, a lost connection fails adds at once instead.
  let everReady = false;
  const firstReady = new Promise<void>((resolve) => producer.once('ready', () => resolve()));
  producer.once('ready', () => (everReady = true));
  const producerReady = (): Promise<void> => {
    if (producer.status === 'ready') return Promise.resolve();
    return everReady ? Promise.reject(new Error('Redis is unavailable')) : firstReady;
  };

  const queue = new Queue<StoredJob>(QUEUE_NAME, { connection: producer, prefix });
  queue.on('error', warn);
  let running = 0;
  let adding = 0;
  let closed = false;

  function facts(job: Job<StoredJob>): Record<string, unknown> {
    return { kind: job.data.kind, requestId: job.data.requestId, attempt: job.attemptsMade + 1 };
  }

  function fail(job: Job<StoredJob>, stage: string, reason: string, message: string, extra: Record<string, unknown> = {}): void {
    counters.failed += 1;
    logger.error({ event: 'mail.failed', stage, reason, ...facts(job), ...extra }, message);
  }

  async function processJob(job: Job<StoredJob>): Promise<void> {
    running += 1;
    try {
      await run(job);
    } finally {
      running -= 1;
    }
  }

  async function run(job: Job<StoredJob>): Promise<void> {
    let stored = job.data;
    if (stored.stage === 'preparing' && stored.kind === 'recovery') {
      fail(
        job,
        'prepare',
        'interrupted',
        'an instance stopped while asking Okta for this recovery token: Okta may have issued one, which was never mailed and is not asked for again; the user must request a new link',
      );
      return;
    }
    if (stored.stage !== 'prepared') {
      const request = await sealer.open<MailJob>(stored.job);
      if (!request) return fail(job, 'prepare', 'unreadable', 'job sealed under a secret that is neither COOKIE_SECRET nor COOKIE_SECRET_PREVIOUS; not sent');
      // Written before Okta is called, so that whoever finds this job after a crash knows.
      await job.updateData({ ...stored, stage: 'preparing' });
      let mail: OutgoingMail | null;
      try {
        mail = await prepare(request);
      } catch (error) {
        return fail(job, 'prepare', 'error', 'could not prepare an email', { err: { name: (error as Error)?.name } });
      }
      if (!mail) {
        counters.skipped += 1;
        return;
      }
      stored = { ...stored, stage: 'prepared', mail: await sealer.seal(mail) };
      await job.updateData(stored);
    }
    const mail = stored.mail ? await sealer.open<OutgoingMail>(stored.mail) : null;
    if (!mail) return fail(job, 'send', 'unreadable', 'email sealed under a secret that is neither COOKIE_SECRET nor COOKIE_SECRET_PREVIOUS; not sent');
    let messageId: string;
    try {
      messageId = await transport.send(mail);
    } catch (error) {
      const failure = describeSendFailure(error);
      const smtp = { smtpCode: failure.code, smtpResponseCode: failure.responseCode };
      if (failure.permanent || job.attemptsMade + 1 >= maxAttempts) {
        fail(job, 'send', failure.permanent ? 'refused' : 'attempts-exhausted', 'email not delivered', smtp);
        throw new UnrecoverableError('email not delivered');
      }
      // BullMQ schedules the retry (backoffStrategy below logs it); the job waits in Redis.
      throw Object.assign(new Error('email send failed; will retry'), { smtp });
    }
    counters.sent += 1;
    logger.info({ event: 'mail.sent', ...facts(job), messageId, locale: mail.locale }, 'email sent');
  }

  const worker = new Worker<StoredJob>(QUEUE_NAME, processJob, {
    connection: consumer,
    prefix,
    concurrency: options.concurrency ?? 4,
    lockDuration: LOCK_MS,
    stalledInterval: STALLED_CHECK_MS,
    settings: {
      backoffStrategy(attemptsMade, _type, error, job) {
        const delayMs = retryDelayMs(attemptsMade, options);
        counters.retried += 1;
        const data = job?.data as StoredJob | undefined;
        const smtp = (error as { smtp?: Record<string, unknown> } | undefined)?.smtp;
        logger.warn({ event: 'mail.retry', kind: data?.kind, requestId: data?.requestId, attempt: attemptsMade, ...smtp, delayMs }, 'email send failed; will retry');
        return delayMs;
      },
    },
  });
  worker.on('error', warn);

  async function enqueue(job: MailJob): Promise<boolean> {
    const drop = (reason: string) => {
      counters.dropped += 1;
      logger.warn({ event: 'mail.dropped', kind: job.kind, requestId: job.requestId, reason }, 'email dropped');
      return false;
    };
    if (closed) return drop('closing');
    adding += 1;
    let gaveUp = false;
    try {
      const stored: StoredJob = { kind: job.kind, requestId: job.requestId, stage: 'queued', job: await sealer.seal(job) };
      const added = producerReady().then(async () => {
        if (gaveUp) return false;
        await queue.add(job.kind, stored, {
          attempts: maxAttempts,
          backoff: { type: 'mail' },
          removeOnComplete: true,
          removeOnFail: { age: KEEP_FAILED_SECONDS },
        });
        return true;
      });
      added.catch(() => undefined);
      // Bounded, so the web step never waits long; an add already on the wire when the bound
      // passes may still land, and that email is then sent although logged as dropped.
      if (!(await withTimeout(added, ENQUEUE_TIMEOUT_MS))) {
        gaveUp = true;
        return drop('queue-unavailable');
      }
      counters.enqueued += 1;
      return true;
    } catch {
      return drop('queue-unavailable');
    } finally {
      adding -= 1;
    }
  }

  async function waiting(): Promise<number> {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  }

  async function idle(): Promise<void> {
    while (running + adding > 0 || (await waiting().catch(() => 1)) > 0) await new Promise((resolve) => setTimeout(resolve, IDLE_POLL_MS));
  }

  let closing: Promise<void> | undefined;
  async function shutDown(timeoutMs: number): Promise<void> {
    closed = true;
    // Running jobs finish (or fail into a retry kept in Redis); waiting ones stay for the next instance.
    const finished = running === 0 || (await withTimeout(worker.close().then(() => true, () => true), timeoutMs));
    if (!finished) logger.warn({ event: 'mail.shutdown', running }, 'emails still sending at shutdown: their jobs run again from Redis');
    // Each step is bounded: with Redis away, BullMQ and quit() would wait for it indefinitely.
    await withTimeout(worker.close(true).catch(() => undefined), CLOSE_STEP_MS);
    await withTimeout(queue.close().catch(() => undefined), CLOSE_STEP_MS);
    transport.close();
    await Promise.all(
      [producer, consumer].map(async (client) => {
        if (client.status === 'ready') await withTimeout(client.quit().catch(() => undefined), CLOSE_STEP_MS);
        client.disconnect();
      }),
    );
  }

  return {
    kind: 'redis',
    enqueue,
    counters,
    get pending() {
      return running + adding;
    },
    idle,
    async drain(timeoutMs) {
      return (await withTimeout(idle().then(() => true), timeoutMs)) === true;
    },
    close(timeoutMs = 10_000) {
      closing ??= shutDown(timeoutMs);
      return closing;
    },
  };
}

/** Resolves with the promise's value, or false once timeoutMs has passed. */
async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T | false> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([promise, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
