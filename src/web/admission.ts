/**
 * Admission (MAX_CONCURRENT_REQUESTS): at most that many requests are worked on at once; the
 * others wait, in arrival order, before anything is built for them.
 *
 * Why: nearly every request that takes long here is waiting for Okta, and Okta gets at most
 * OKTA_MAX_SOCKETS connections (the default limit here too). Without admission, a burst beyond
 * that starts every request anyway: each parses its body, opens its flow cookie, builds its Okta
 * call and its chain of pending promises (~13 KB, measured with heap snapshots of 200 verifies
 * waiting for Okta), and then waits in the HTTP agent's queue for a socket holding all of it. Held
 * for hundreds of ms under load, all of it outlived two young-generation collections and was
 * copied twice and promoted: ~11 KiB of every request at saturation, which made the collector the
 * largest cost above the relay's (README "Benchmark", tenth round). Waiting here, a request holds
 * its connection, Koa's context and the headers it will answer with (~6.6 KB), and the work it
 * then does is the same.
 *
 * What waits and what does not: the probes (/healthz, /readyz), the scrape (/metrics) and the
 * static assets never wait, so an instance whose requests are all waiting for Okta still says it
 * is alive, is still scraped and still serves its stylesheet. A request that has waited longer than OKTA_TIMEOUT_MS (it would by then have
 * had Okta's timeout) is answered "try again in a few minutes" (503) without being worked on, as is
 * one whose client has gone: neither reaches Okta.
 */
import type { Context, Middleware, Next } from 'koa';
import type { Clock } from '../clock.js';

/** A request turned away at admission; the error boundary presents it (503, try again later). */
export class OverloadedError extends Error {
  override readonly name = 'OverloadedError';
  constructor(readonly reason: 'waited-too-long' | 'client-gone') {
    super(reason === 'client-gone' ? 'the client left while the request waited' : 'waited longer than OKTA_TIMEOUT_MS for admission');
  }
}

export interface AdmissionCounts {
  /** Requests being worked on now. */
  readonly inProgress: number;
  /** Requests waiting for one of them to finish. */
  readonly waiting: number;
  /** Requests turned away at admission since start-up. */
  readonly turnedAway: number;
}

export interface AdmissionOptions {
  /** How many requests are worked on at once; 0 admits every request at once (no admission). */
  readonly limit: number;
  /** A request that waited longer than this is turned away instead of worked on. */
  readonly maxWaitMs: number;
  /** For how long a request has waited (the service's clock: tests move it). */
  readonly clock: Clock;
  /** Requests that never wait (the probes and the scrape). */
  readonly exempt: (ctx: Context) => boolean;
}

export interface Admission {
  readonly middleware: Middleware;
  counts(): AdmissionCounts;
}

/**
 * One waiting request. The queue is linked through these small records, not an array or a Set:
 * a long-lived table that short-lived objects pass through keeps them alive past young-generation
 * collections when it is resized (in-flight.ts), the very cost this module is here to remove.
 */
interface Waiting {
  readonly since: number;
  readonly admit: () => void;
  next: Waiting | undefined;
}

export function createAdmission(options: AdmissionOptions): Admission {
  const { limit, maxWaitMs, clock, exempt } = options;
  let inProgress = 0;
  let waiting = 0;
  let turnedAway = 0;
  let head: Waiting | undefined;
  let tail: Waiting | undefined;

  /** A request is done: its place goes to the first one waiting, if any, else it is free. */
  function release(): void {
    const first = head;
    if (first === undefined) {
      inProgress--;
      return;
    }
    head = first.next;
    if (head === undefined) tail = undefined;
    // Unlinked: a record promoted to the old generation must not keep the next one alive.
    first.next = undefined;
    waiting--;
    first.admit();
  }

  /** Runs the rest of the request in an admitted place, and frees the place when it settles. */
  function work(next: Next): Promise<void> {
    const done = next();
    // The same function for both: the request's own rejection still reaches the error boundary
    // through `done`; this derived promise only frees the place.
    done.then(release, release);
    return done;
  }

  function wait(ctx: Context, next: Next): Promise<void> {
    const since = clock.now();
    return new Promise<void>((admit) => {
      const entry: Waiting = { since, admit, next: undefined };
      if (tail === undefined) head = entry;
      else tail.next = entry;
      tail = entry;
      waiting++;
    }).then(() => {
      const gone = ctx.req.socket.destroyed;
      if (gone || clock.now() - since > maxWaitMs) {
        turnedAway++;
        release();
        throw new OverloadedError(gone ? 'client-gone' : 'waited-too-long');
      }
      return work(next);
    });
  }

  const middleware: Middleware = (ctx, next) => {
    if (limit === 0 || exempt(ctx)) return next();
    if (inProgress < limit) {
      inProgress++;
      return work(next);
    }
    return wait(ctx, next);
  };

  return { middleware, counts: () => ({ inProgress, waiting, turnedAway }) };
}
