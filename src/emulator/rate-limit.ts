/**
 * Okta's rate limits (contract §8): an org bucket for `/api/v1/authn*` (default 600/min) and a
 * per-username bucket (4 req/s). Windows open at their first request, not on wall-clock minutes,
 * as Okta's do. Every response carries X-Rate-Limit-Limit/Remaining/Reset (Reset in epoch seconds).
 */
import type Koa from 'koa';
import type { Clock } from '../clock.js';
import { bodyOf } from './body.js';
import { OktaApiError } from './errors.js';

export interface BucketState {
  limit: number;
  remaining: number;
  resetMs: number;
  allowed: boolean;
}

/** Keys kept before stale windows are dropped, so per-user buckets stay bounded. */
const MAX_KEYS = 10_000;

export class WindowCounter {
  readonly #windows = new Map<string, { startMs: number; count: number }>();
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #clock: Clock;

  constructor(limit: number, windowMs: number, clock: Clock) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#clock = clock;
  }

  hit(key: string): BucketState {
    const now = this.#clock.now();
    let w = this.#windows.get(key);
    if (!w || now >= w.startMs + this.#windowMs) {
      if (this.#windows.size >= MAX_KEYS) this.#prune(now);
      w = { startMs: now, count: 0 };
      this.#windows.set(key, w);
    }
    w.count += 1;
    return {
      limit: this.#limit,
      remaining: Math.max(0, this.#limit - w.count),
      resetMs: w.startMs + this.#windowMs,
      allowed: w.count <= this.#limit,
    };
  }

  #prune(now: number): void {
    for (const [k, w] of this.#windows) if (now >= w.startMs + this.#windowMs) this.#windows.delete(k);
  }
}

export function setRateLimitHeaders(ctx: Koa.Context, b: Pick<BucketState, 'limit' | 'remaining' | 'resetMs'>): void {
  ctx.set('X-Rate-Limit-Limit', String(b.limit));
  ctx.set('X-Rate-Limit-Remaining', String(b.remaining));
  ctx.set('X-Rate-Limit-Reset', String(Math.ceil(b.resetMs / 1000)));
}

/** The org bucket: counts every API request and sets the headers every response carries. */
export function orgRateLimit(counter: WindowCounter): Koa.Middleware {
  return async (ctx, next) => {
    const bucket = counter.hit('org');
    setRateLimitHeaders(ctx, bucket);
    if (!bucket.allowed) throw new OktaApiError('E0000047');
    await next();
  };
}

/**
 * "Authenticate the same user" (§8, rl2-limits): keyed on the `username` of the body, so it covers
 * primary auth and the start of recovery. A violation reports the per-user bucket in the headers.
 */
export function perUserRateLimit(counter: WindowCounter): Koa.Middleware {
  return async (ctx, next) => {
    const username = bodyOf(ctx)?.['username'];
    if (typeof username === 'string' && username.trim() !== '') {
      const bucket = counter.hit(username.trim().toLowerCase());
      if (!bucket.allowed) {
        setRateLimitHeaders(ctx, bucket);
        throw new OktaApiError('E0000047');
      }
    }
    await next();
  };
}
