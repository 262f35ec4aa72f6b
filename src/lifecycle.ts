/**
 * The process's life after start-up: readiness, and a graceful shutdown on SIGTERM/SIGINT.
 *
 * shutdown():
 *   1. mark "shutting down" — /readyz answers 503 so the load balancer stops sending traffic;
 *   2. stop accepting connections; idle keep-alive connections are closed, and responses still in
 *      flight are sent with `Connection: close`;
 *   3. wait for in-flight requests, at most `timeoutMs`, then cut what is left;
 *   4. run the registered closers in the order they were registered (mail-queue drain, Redis,
 *      SMTP, Okta's sockets, …), each bounded by `timeoutMs`, one failing not stopping the rest.
 * Other modules register their own closers and readiness checks through deps.lifecycle; nothing
 * here knows what a mail queue or Redis is.
 */
import type { Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { InFlightResponses } from './in-flight.js';

export type Closer = () => Promise<void> | void;
/** Resolves true when the dependency can serve; false or a rejection means not ready. */
export type ReadinessCheck = () => Promise<boolean> | boolean;

/** A sentence for the operator when something is served but set up riskily; undefined when all is well. */
export type Advisory = () => string | undefined;

export interface Readiness {
  readonly ready: boolean;
  /** 'warning' (an advisory speaks) never makes the instance unready: it is for the operator, not the balancer. */
  readonly checks: Readonly<Record<string, 'ok' | 'failing' | 'warning'>>;
  /** What to do about each 'warning', by check name; absent when there is none. */
  readonly advice?: Readonly<Record<string, string>>;
}

export interface ShutdownReport {
  /** True when in-flight requests were still running at the bound and were cut. */
  readonly timedOut: boolean;
  readonly failedClosers: readonly string[];
}

export interface Lifecycle {
  registerCloser(name: string, close: Closer): void;
  registerReadinessCheck(name: string, check: ReadinessCheck): void;
  /** A check that can only warn: shown in /readyz with its advice, never failing readiness. */
  registerAdvisory(name: string, advisory: Advisory): void;
  /** Counts the server's in-flight requests so shutdown can wait for them. */
  trackServer(server: Server): void;
  readonly shuttingDown: boolean;
  readiness(): Promise<Readiness>;
  /** Idempotent: a second signal gets the same promise. */
  shutdown(reason: string): Promise<ShutdownReport>;
}

/** How long one readiness check may take before it counts as failing (a probe must answer fast). */
const CHECK_TIMEOUT_MS = 1000;
const IDLE_SWEEP_MS = 50;

function within<T>(ms: number, work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function createLifecycle(options: { logger: Logger; timeoutMs: number }): Lifecycle {
  const { logger, timeoutMs } = options;
  const closers: { name: string; close: Closer }[] = [];
  const checks: { name: string; check: ReadinessCheck }[] = [];
  const advisories: { name: string; advisory: Advisory }[] = [];
  const servers: Server[] = [];
  // Not a Set: one that every response passes through kept them alive past the young-generation
  // collections (in-flight.ts).
  const inFlight = new InFlightResponses();
  let shuttingDown = false;
  let stopped: Promise<ShutdownReport> | undefined;

  /** One listener for every response (`this` is the response): once() would wrap a new closure per request. */
  function forget(this: ServerResponse): void {
    inFlight.delete(this);
  }

  function trackServer(server: Server): void {
    servers.push(server);
    server.on('request', (_request, response: ServerResponse) => {
      inFlight.add(response);
      // A keep-alive client would otherwise send its next request to a server that is leaving.
      if (shuttingDown) response.setHeader('Connection', 'close');
      response.on('close', forget);
    });
  }

  /** Resolves true when every server has closed, false when the bound was reached first. */
  async function drainServers(): Promise<boolean> {
    for (const response of inFlight) if (!response.headersSent) response.setHeader('Connection', 'close');
    const closed = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    // server.close() waits for every connection; keep-alive ones become idle after their response.
    const sweep = setInterval(() => servers.forEach((server) => server.closeIdleConnections()), IDLE_SWEEP_MS);
    servers.forEach((server) => server.closeIdleConnections());
    try {
      await within(timeoutMs, Promise.all(closed), 'in-flight requests');
      return true;
    } catch {
      logger.warn({ event: 'service.shutdown-timeout', inFlight: inFlight.size, timeoutMs }, 'cutting requests still in flight');
      servers.forEach((server) => server.closeAllConnections());
      await Promise.all(closed);
      return false;
    } finally {
      clearInterval(sweep);
    }
  }

  async function runClosers(): Promise<string[]> {
    const failed: string[] = [];
    for (const { name, close } of closers) {
      try {
        await within(timeoutMs, Promise.resolve().then(close), `closer ${name}`);
        logger.info({ event: 'service.closed', closer: name }, `closed ${name}`);
      } catch (error) {
        failed.push(name);
        logger.error({ event: 'service.close-failed', closer: name, err: error }, `could not close ${name}`);
      }
    }
    return failed;
  }

  return {
    registerCloser(name, close) {
      closers.push({ name, close });
    },
    registerReadinessCheck(name, check) {
      checks.push({ name, check });
    },
    registerAdvisory(name, advisory) {
      advisories.push({ name, advisory });
    },
    trackServer,
    get shuttingDown() {
      return shuttingDown;
    },
    async readiness() {
      const results = await Promise.all(
        checks.map(async ({ name, check }) => {
          const ok = await within(CHECK_TIMEOUT_MS, Promise.resolve().then(check), `readiness ${name}`).catch(() => false);
          return [name, ok ? 'ok' : 'failing'] as const;
        }),
      );
      const entries: Record<string, 'ok' | 'failing' | 'warning'> = { config: 'ok', shutdown: shuttingDown ? 'failing' : 'ok', ...Object.fromEntries(results) };
      const ready = Object.values(entries).every((value) => value === 'ok');
      const advice: Record<string, string> = {};
      for (const { name, advisory } of advisories) {
        const text = advisory();
        entries[name] = text ? 'warning' : 'ok';
        if (text) advice[name] = text;
      }
      return Object.keys(advice).length > 0 ? { ready, checks: entries, advice } : { ready, checks: entries };
    },
    shutdown(reason) {
      stopped ??= (async () => {
        shuttingDown = true;
        logger.info({ event: 'service.stopping', reason, inFlight: inFlight.size, timeoutMs }, 'shutting down');
        const drained = await drainServers();
        const failedClosers = await runClosers();
        logger.info({ event: 'service.stopped', timedOut: !drained, failedClosers }, 'stopped');
        return { timedOut: !drained, failedClosers };
      })();
      return stopped;
    },
  };
}
