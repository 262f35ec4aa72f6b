/**
 * A per-client-IP limit that degrades instead of slamming shut. One address is often many people
 * (an office behind NAT, a school, a mobile carrier, or every user when a load balancer's address
 * is all we see): a hard block after N requests would lock them all out for the whole window
 * because of one of them.
 *
 *  admitted requests in the window | what the next request meets
 *  ------------------------------- | -----------------------------------------------------------
 *  up to N                         | nothing
 *  N + k (k = 1, 2, …)             | a wait of 2^(k-1) s since the previous admitted one (1, 2,
 *                                  | 4, 8 … s): refused meanwhile with 429 and that Retry-After
 *  2 N                             | a hard block for the rest of the window
 *
 * Only admitted requests count (a refused one costs nothing, so it buys nothing); a request that
 * turns out innocent is given back (giveBack). So a user behind a busy address waits seconds, not
 * the window, while a client that keeps going waits twice as long each time: at 20 per 15 minutes
 * that is at most about 30 admitted requests in a window. The wait is a second counter (`pace`)
 * held over its limit for the delay, so it works the same in memory and in Redis.
 */
import { ignoreFailure, isLimitReached, type Counter } from './counters.js';
import { OK, toOk } from './verdict.js';

export type PacedVerdict =
  | { readonly kind: 'ok' }
  | { readonly kind: 'limited'; readonly retryAfterSeconds: number; readonly hard: boolean }
  | { readonly kind: 'store-down' };

export interface DegradingLimit {
  take(key: string): Promise<PacedVerdict>;
  giveBack(key: string): Promise<void>;
}

/** The longest wait between two admitted requests: past it, the hard block does the rest. */
const MAX_DELAY_SECONDS = 3600;

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export function createDegradingLimit(options: { count: Counter; pace: Counter; points: number }): DegradingLimit {
  const { count, pace, points } = options;

  const undo = (key: string): Promise<void> => count.reward(key, 1).then(ignoreFailure, ignoreFailure);

  /** Past the count (the rare path, so an async function is fine here): a wait, or the hard block. */
  async function overCount(key: string, rejection: unknown): Promise<PacedVerdict> {
    if (!isLimitReached(rejection)) return { kind: 'store-down' };
    const consumed = rejection.consumedPoints;
    if (consumed > 2 * points) {
      await undo(key);
      return { kind: 'limited', retryAfterSeconds: seconds(rejection.msBeforeNext), hard: true };
    }
    try {
      // One point a second: two parallel requests cannot both pass between waits.
      await pace.consume(key, 1);
    } catch (paced) {
      await undo(key);
      if (!isLimitReached(paced)) return { kind: 'store-down' };
      return { kind: 'limited', retryAfterSeconds: seconds(paced.msBeforeNext), hard: false };
    }
    // The (N+k)-th was admitted after a wait of 2^(k-1) s; the next one waits twice as long.
    const excess = consumed - points;
    await pace.block(key, Math.min(2 ** excess, MAX_DELAY_SECONDS)).catch(ignoreFailure);
    return OK;
  }

  return {
    // A then-chain, not an async method: nearly every request takes the first branch, and an async
    // method's suspended frame and await cost more than these two closures, on every start and
    // every link verification.
    take(key) {
      return count.consume(key, 1).then(
        // The N-th admitted request starts the first wait, so the (N+1)-th is never immediate.
        (result) => (result.consumedPoints === points ? pace.block(key, 1).then(toOk, toOk) : OK),
        (rejection: unknown) => overCount(key, rejection),
      );
    },
    giveBack: undo,
  };
}
