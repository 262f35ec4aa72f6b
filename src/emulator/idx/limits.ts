/**
 * IDX rate limits (contract §6.4, §11.15): 10 requests per stateHandle and 20 per user per 5 s.
 * A violation is 429 with the ION `tooManyRequests` body [F-07b] and the bucket in the
 * X-Rate-Limit headers. The limits follow the run-time settings, so a test can tighten them.
 */
import type Koa from 'koa';
import type { Clock } from '../../clock.js';
import { WindowCounter, setRateLimitHeaders } from '../rate-limit.js';
import { IdxError } from './errors.js';
import type { IdxRateLimits } from './settings.js';
import type { IdxTransaction } from './transactions.js';
import { tooManyRequestsBody } from './views.js';

/** A WindowCounter rebuilt when its configured limit or window changes. */
class SettingCounter {
  #counter: WindowCounter | undefined;
  #shape = '';

  constructor(
    private readonly clock: Clock,
    private readonly limits: () => { limit: number; windowMs: number },
  ) {}

  hit(key: string) {
    const { limit, windowMs } = this.limits();
    if (!this.#counter || this.#shape !== `${limit}/${windowMs}`) {
      this.#counter = new WindowCounter(limit, windowMs, this.clock);
      this.#shape = `${limit}/${windowMs}`;
    }
    return this.#counter.hit(key);
  }
}

export class IdxLimiter {
  readonly #perState: SettingCounter;
  readonly #perUser: SettingCounter;

  constructor(clock: Clock, limits: () => IdxRateLimits) {
    this.#perState = new SettingCounter(clock, () => ({ limit: limits().perStateHandle, windowMs: limits().windowMs }));
    this.#perUser = new SettingCounter(clock, () => ({ limit: limits().perUser, windowMs: limits().windowMs }));
  }

  /** Counts one request of a transaction (and its user, once known); throws the 429 when over. */
  check(ctx: Koa.Context, txn: IdxTransaction, identifier: string | undefined): void {
    const buckets = [this.#perState.hit(txn.interactionHandle)];
    const user = txn.userId ?? identifier?.trim().toLowerCase() ?? txn.identifier?.toLowerCase();
    if (user) buckets.push(this.#perUser.hit(user));
    const over = buckets.find((b) => !b.allowed);
    if (over) {
      setRateLimitHeaders(ctx, over);
      throw new IdxError(429, tooManyRequestsBody(txn));
    }
  }
}
