/**
 * A small in-process send queue: the web request enqueues and answers at once; the work happens
 * afterwards, so the response cannot depend on (or be timed against) Okta or SMTP.
 *
 * A job has two halves with different retry rules:
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
import { describeSendFailure, type MailTransport, type OutgoingMail } from './transport.js';

export interface MailJob {
  /** What kind of email this is, for logs and counters ("recovery", "password-changed"). */
  readonly kind: string;
  /** The web request that asked for it, to match log lines. */
  readonly requestId?: string | undefined;
  /** Runs once, never retried: the email to send, or null when there is nothing to send. */
  prepare(): Promise<OutgoingMail | null>;
}

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

export interface MailQueue {
  /** false when the job was dropped (queue full or closed); the caller answers the user the same either way. */
  enqueue(job: MailJob): boolean;
  readonly counters: Readonly<MailQueueCounters>;
  /** Jobs waiting, running, or waiting for a retry. */
  readonly pending: number;
  /** Resolves the next time nothing is pending (at once if nothing is). */
  idle(): Promise<void>;
  /** Waits for the queue to empty, up to timeoutMs; true if it did. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Graceful shutdown: refuse new jobs, drain up to timeoutMs, give up on the rest, close SMTP. */
  close(timeoutMs?: number): Promise<void>;
}

export interface MailQueueOptions {
  /**
   * Absent for a queue whose jobs do all their work in `prepare` and return null (asking Okta to
   * send its own email, okta/classic/okta-emails.ts): the same after-the-response mechanism, no SMTP.
   */
  readonly transport?: MailTransport | undefined;
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

interface Task {
  readonly job: MailJob;
  mail: OutgoingMail | null;
  attempts: number;
}

export function createMailQueue(options: MailQueueOptions): MailQueue {
  const { transport, logger, maxAttempts, retryBaseMs } = options;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 5 * 60 * 1000;
  const concurrency = options.concurrency ?? 4;
  const maxPending = options.maxPending ?? 1000;
  const random = options.random ?? Math.random;

  const counters: MailQueueCounters = { enqueued: 0, sent: 0, failed: 0, retried: 0, skipped: 0, dropped: 0 };
  const waiting: Task[] = [];
  const retryTimers = new Map<NodeJS.Timeout, Task>();
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

  function facts(task: Task): Record<string, unknown> {
    return { kind: task.job.kind, requestId: task.job.requestId, attempt: task.attempts };
  }

  function pump(): void {
    while (running < concurrency && waiting.length > 0) {
      const task = waiting.shift() as Task;
      running += 1;
      void run(task).finally(() => {
        running -= 1;
        pump();
        settleIfIdle();
      });
    }
  }

  async function run(task: Task): Promise<void> {
    if (!task.mail) {
      try {
        task.mail = await task.job.prepare();
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
      const delayMs = backoff(task.attempts);
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

  function backoff(attempt: number): number {
    const ceiling = Math.min(maxRetryDelayMs, retryBaseMs * 2 ** (attempt - 1));
    // "Equal jitter": at least half the ceiling, so retries spread out but never bunch at zero.
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
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
    enqueue(job) {
      if (closed || pending() >= maxPending) {
        counters.dropped += 1;
        logger.warn({ event: 'mail.dropped', kind: job.kind, requestId: job.requestId, reason: closed ? 'closing' : 'queue-full' }, 'email dropped');
        return false;
      }
      counters.enqueued += 1;
      waiting.push({ job, mail: null, attempts: 0 });
      // After the current request's response: the web step must never wait on this work.
      setImmediate(pump);
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
