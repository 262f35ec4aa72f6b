/**
 * The send queue: the web request enqueues and answers at once; the work happens afterwards, so
 * the response cannot depend on (or be timed against) Okta or SMTP. One interface, two homes:
 *  - here, in this process's memory (no REDIS_URL): what is waiting or waiting for a retry is lost
 *    if the process dies;
 *  - in Redis through BullMQ (redis-queue.ts, with REDIS_URL): jobs and their retries survive a
 *    crash or a restart and are sent by whichever instance is up.
 *
 * A job has two halves with different retry rules, the same in both:
 *  - `prepare` runs exactly once. For the recovery email it POSTs to Okta, and a POST that may
 *    have issued a recovery token is never repeated (got's rule, STYLE.md principle 3).
 *  - the SMTP send is retried with exponential back-off and jitter while the failure is
 *    transient (connection refused, timeouts, 4xx replies); a permanent 5xx is not retried.
 *
 * Counters are plain numbers on the queue so a metrics exporter can read them; log events are
 * mail.sent, mail.retry, mail.failed, mail.dropped (prepare logs its own mail.skipped).
 * Nothing here logs a message body, a link or an address.
 */
import type { Logger } from 'pino';
import type { MailJob } from './jobs.js';
import { describeSendFailure, type MailTransport, type OutgoingMail } from './send-failure.js';

export type { MailJob } from './jobs.js';

/** What every job names: its kind and the web request that asked for it, for logs and counters. */
export interface QueuedJob {
  readonly kind: string;
  readonly requestId?: string | undefined;
}

/** Turns a job into the email to send, or null when there is nothing to send. Runs once per job. */
export type PrepareMail<J extends QueuedJob = MailJob> = (job: J) => Promise<OutgoingMail | null>;

export interface MailQueueCounters {
  /** Jobs accepted. */
  enqueued: number;
  /** Emails the SMTP server accepted. */
  sent: number;
  /** Jobs given up on: prepare crashed, a permanent SMTP refusal, attempts exhausted, or shutdown. */
  failed: number;
  /** SMTP attempts scheduled again after a transient failure. */
  retried: number;
  /** Jobs whose prepare found nothing to send (e.g. Okta refused: unknown or suspended user). */
  skipped: number;
  /** Jobs refused because the queue was full or closing. */
  dropped: number;
}

export interface MailQueue<J extends QueuedJob = MailJob> {
  /** 'memory' or 'redis': what a crash loses differs (see above). */
  readonly kind: 'memory' | 'redis';
  /**
   * Resolves once the job is kept (in memory, or written to Redis): false when it was dropped
   * (queue full, closing, or Redis unreachable). The caller answers the user the same either way.
   */
  enqueue(job: J): Promise<boolean>;
  /** This process's counts (in Redis mode: of the jobs this process added or ran). */
  readonly counters: Readonly<MailQueueCounters>;
  /** Jobs waiting, running, or waiting for a retry (in Redis mode: those this process is running). */
  readonly pending: number;
  /** Resolves the next time nothing is pending (in Redis mode: nothing waiting, due or running in Redis). */
  idle(): Promise<void>;
  /** Waits for the queue to empty, up to timeoutMs; true if it did. */
  drain(timeoutMs: number): Promise<boolean>;
  /**
   * Graceful shutdown: refuse new jobs and let running ones finish, up to timeoutMs; close SMTP.
   * In memory the jobs still waiting are then given up on (and logged); in Redis they stay there.
   */
  close(timeoutMs?: number): Promise<void>;
}

export interface MailQueueOptions<J extends QueuedJob = MailJob> {
  /**
   * Absent for a queue whose jobs do all their work in `prepare` and return null (asking Okta to
   * send its own email, okta/classic/okta-emails.ts): the same after-the-response mechanism, no SMTP.
   */
  readonly transport?: MailTransport | undefined;
  readonly prepare: PrepareMail<J>;
  readonly logger: Logger;
  /** Total SMTP attempts per email, the first included. */
  readonly maxAttempts: number;
  /** First retry delay; each further one doubles, up to maxRetryDelayMs, with jitter. */
  readonly retryBaseMs: number;
  readonly maxRetryDelayMs?: number;
  readonly concurrency?: number;
  /** Bound on memory under a flood of requests; beyond it jobs are dropped and counted. */
  readonly maxPending?: number;
  /** Injected for tests that need a fixed jitter; Math.random otherwise. */
  readonly random?: () => number;
}

interface Task<J extends QueuedJob> {
  readonly job: J;
  mail: OutgoingMail | null;
  attempts: number;
}

const DEFAULT_MAX_RETRY_DELAY_MS = 5 * 60 * 1000;

/** Exponential back-off with "equal jitter": at least half the ceiling, so retries spread out but never bunch at zero. */
export function retryDelayMs(attempt: number, options: Pick<MailQueueOptions<QueuedJob>, 'retryBaseMs' | 'maxRetryDelayMs' | 'random'>): number {
  const ceiling = Math.min(options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS, options.retryBaseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + ((options.random ?? Math.random)() * ceiling) / 2);
}

/** The in-memory queue: no REDIS_URL (and the Okta-mode start step's after-the-response work). */
export function createMemoryMailQueue<J extends QueuedJob = MailJob>(options: MailQueueOptions<J>): MailQueue<J> {
  const { transport, logger, maxAttempts, prepare } = options;
  const concurrency = options.concurrency ?? 4;
  const maxPending = options.maxPending ?? 1000;

  const counters: MailQueueCounters = { enqueued: 0, sent: 0, failed: 0, retried: 0, skipped: 0, dropped: 0 };
  const waiting: Task<J>[] = [];
  const retryTimers = new Map<NodeJS.Timeout, Task<J>>();
  let running = 0;
  /** No new jobs (shutdown began). */
  let closed = false;
  /** Drain time is over: a failing send is given up on instead of retried. */
  let stopped = false;
  let idleWaiters: Array<() => void> = [];
  let closing: Promise<void> | undefined;

  const pending = () => waiting.length + running + retryTimers.size;

  function settleIfIdle(): void {
    if (pending() > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  function facts(task: Task<J>): Record<string, unknown> {
    return { kind: task.job.kind, requestId: task.job.requestId, attempt: task.attempts };
  }

  function pump(): void {
    while (running < concurrency && waiting.length > 0) {
      const task = waiting.shift() as Task<J>;
      running += 1;
      void run(task).finally(ranOne);
    }
  }

  // Made once, not per job: what follows each job, and the one pump scheduled for the jobs a turn
  // of the event loop enqueued (Classic's start enqueues one per request).
  function ranOne(): void {
    running -= 1;
    pump();
    settleIfIdle();
  }
  let pumpScheduled = false;
  function scheduledPump(): void {
    pumpScheduled = false;
    pump();
  }

  async function run(task: Task<J>): Promise<void> {
    if (!task.mail) {
      try {
        task.mail = await prepare(task.job);
      } catch (error) {
        counters.failed += 1;
        logger.error({ event: 'mail.failed', stage: 'prepare', ...facts(task), err: { name: (error as Error)?.name } }, 'could not prepare an email');
        return;
      }
      if (!task.mail) {
        counters.skipped += 1;
        return;
      }
    }
    task.attempts += 1;
    if (!transport) {
      counters.failed += 1;
      logger.error({ event: 'mail.failed', stage: 'send', reason: 'no-transport', ...facts(task) }, 'an email to send on a queue without SMTP');
      return;
    }
    try {
      const messageId = await transport.send(task.mail);
      counters.sent += 1;
      logger.info({ event: 'mail.sent', ...facts(task), messageId, locale: task.mail.locale }, 'email sent');
    } catch (error) {
      const failure = describeSendFailure(error);
      const smtp = { smtpCode: failure.code, smtpResponseCode: failure.responseCode };
      if (failure.permanent || task.attempts >= maxAttempts || stopped) {
        counters.failed += 1;
        const reason = failure.permanent ? 'refused' : stopped ? 'shutdown' : 'attempts-exhausted';
        logger.error({ event: 'mail.failed', stage: 'send', reason, ...facts(task), ...smtp }, 'email not delivered');
        return;
      }
      const delayMs = retryDelayMs(task.attempts, options);
      counters.retried += 1;
      logger.warn({ event: 'mail.retry', ...facts(task), ...smtp, delayMs }, 'email send failed; will retry');
      const timer = setTimeout(() => {
        retryTimers.delete(timer);
        waiting.push(task);
        pump();
      }, delayMs);
      retryTimers.set(timer, task);
    }
  }

  function idle(): Promise<void> {
    if (pending() === 0) return Promise.resolve();
    return new Promise((resolve) => idleWaiters.push(resolve));
  }

  async function drain(timeoutMs: number): Promise<boolean> {
    if (pending() === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([idle().then(() => true as const), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Refuse new jobs, let the queue empty for up to timeoutMs, then give up on what is left. */
  async function shutDown(timeoutMs: number): Promise<void> {
    closed = true;
    await drain(timeoutMs);
    stopped = true;
    for (const [timer, task] of retryTimers) {
      clearTimeout(timer);
      counters.failed += 1;
      logger.error({ event: 'mail.failed', stage: 'send', reason: 'shutdown', ...facts(task) }, 'email not delivered before shutdown');
    }
    retryTimers.clear();
    const unstarted = waiting.splice(0);
    for (const task of unstarted) {
      counters.failed += 1;
      logger.error({ event: 'mail.failed', stage: task.mail ? 'send' : 'prepare', reason: 'shutdown', ...facts(task) }, 'email not delivered before shutdown');
    }
    transport?.close();
    settleIfIdle();
  }

  return {
    kind: 'memory',
    async enqueue(job) {
      if (closed || pending() >= maxPending) {
        counters.dropped += 1;
        logger.warn({ event: 'mail.dropped', kind: job.kind, requestId: job.requestId, reason: closed ? 'closing' : 'queue-full' }, 'email dropped');
        return false;
      }
      counters.enqueued += 1;
      waiting.push({ job, mail: null, attempts: 0 });
      // After the current request's response: the web step must never wait on this work.
      if (!pumpScheduled) {
        pumpScheduled = true;
        setImmediate(scheduledPump);
      }
      return true;
    },
    counters,
    get pending() {
      return pending();
    },
    idle,
    drain,
    close(timeoutMs = 10_000) {
      closing ??= shutDown(timeoutMs);
      return closing;
    },
  };
}
