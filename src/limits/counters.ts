/**
 * Where the abuse limits and the Okta budget keep their counts: this process's memory by default
 * (memory-store.ts: bounded, RATE_LIMIT_MEMORY_MAX_KEYS), or Redis (REDIS_URL) so that every
 * instance behind the load balancer shares them. In Redis, counting is rate-limiter-flexible's job
 * (atomic INCR + TTL in one Lua script); this module only chooses the store and decides what a
 * Redis outage means.
 *
 * A Redis outage must not take password recovery down with it:
 *  - failureMode "open" (the default): each instance falls back to its own in-memory counters
 *    (rate-limiter-flexible's insurance limiter) and logs a warning. Limits still hold, per
 *    instance, so N instances allow at most N times the configured numbers until Redis is back.
 *    Default because a reset page that goes dark with the cache is itself a lock-out of every user
 *    who forgot a password, and Okta's own rate limits remain behind us.
 *  - failureMode "closed": a count that cannot reach Redis refuses the request with a retryable
 *    503, and /readyz reports Redis, for organisations that prefer no recovery to weaker limits.
 */
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Clock } from '../clock.js';
import type { Config, LimitSpec } from '../config.js';
import { connectRedis } from '../redis-client.js';
import { createBoundedMemoryStore, type MemoryStoreStats } from './memory-store.js';

/**
 * A named count over a window that starts at a key's first hit (rate-limiter-flexible's fixed
 * window). consume rejects with a RateLimiterRes once over the limit; block holds a key over it.
 */
export interface Counter {
  consume(key: string, points?: number): Promise<RateLimiterRes>;
  penalty(key: string, points?: number): Promise<RateLimiterRes>;
  reward(key: string, points?: number): Promise<RateLimiterRes>;
  block(key: string, seconds: number): Promise<RateLimiterRes>;
}

export interface CounterOptions {
  /** One fixed key (the Okta budget): in memory never evicted and never held down under a flood. */
  readonly pinned?: boolean;
}

export interface CounterStore {
  counter(name: string, spec: LimitSpec, options?: CounterOptions): Counter;
  /** 'redis' or 'memory': only a Redis store can be unreachable (deps.ts adds its readiness check). */
  readonly kind: 'redis' | 'memory';
  /** The memory store's size and evictions, for metrics; undefined for Redis (Redis bounds itself). */
  stats(): MemoryStoreStats | undefined;
  /**
   * Resolves once Redis is connected, has refused, or a bound has passed: the service starts either
   * way (failure modes above), but does not count its first requests alone just for starting fast.
   */
  connected(): Promise<void>;
  /** Resolves true when counts are shared as configured (always true in memory). */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** How long start-up waits for Redis before serving with the failure mode's behaviour. */
const STARTUP_WAIT_MS = 2000;
/** Warn at most this often while Redis is down, not once per request. */
const WARNING_INTERVAL_MS = 30_000;

/**
 * The handler for a counter call whose failure changes nothing (a give-back, a penalty, a pace
 * block): made once, not as a new closure on every request that gives a point back.
 */
export const ignoreFailure = (): undefined => undefined;

/** True when the limiter refused because the count is used up; false for a store failure. */
export function isLimitReached(rejection: unknown): rejection is RateLimiterRes {
  return rejection instanceof RateLimiterRes;
}

/**
 * Async because ioredis is imported only when REDIS_URL is set: a service counting in memory
 * never loads a Redis client (ioredis and its command table stay out of its heap).
 */
export async function createCounterStore(config: Pick<Config, 'redis' | 'limits'>, logger: Logger, clock: Clock): Promise<CounterStore> {
  const redisConfig = config.redis;
  if (!redisConfig) {
    const memory = createBoundedMemoryStore({ maxKeys: config.limits.memoryMaxKeys, clock });
    return {
      kind: 'memory',
      counter: (name, spec, options) => memory.counter(name, spec, options),
      stats: () => memory.stats(),
      connected: async () => undefined,
      healthy: async () => true,
      close: async () => undefined,
    };
  }

  // rate-limiter-flexible is loaded either way (RateLimiterRes, above, comes from its index).
  const client = await connectRedis(redisConfig.url);
  let lastWarning = 0;
  client.on('error', (error: Error) => {
    const now = Date.now();
    if (now - lastWarning < WARNING_INTERVAL_MS) return;
    lastWarning = now;
    logger.warn(
      { event: 'limits.redis-unavailable', failureMode: redisConfig.failureMode, err: { name: error.name, message: error.message } },
      redisConfig.failureMode === 'open'
        ? 'Redis is unavailable: abuse limits and the Okta budget now count per instance'
        : 'Redis is unavailable: recovery requests are refused until it is back (REDIS_FAILURE_MODE=closed)',
    );
  });
  client.on('ready', () => {
    if (lastWarning !== 0) logger.info({ event: 'limits.redis-ready' }, 'Redis is back: limits are shared again');
    lastWarning = 0;
  });

  return {
    kind: 'redis',
    stats: () => undefined,
    counter(name, spec) {
      const options = { keyPrefix: `${redisConfig.keyPrefix}:${name}`, points: spec.points, duration: spec.durationSeconds };
      return new RateLimiterRedis({
        ...options,
        storeClient: client,
        rejectIfRedisNotReady: true,
        insuranceLimiter: redisConfig.failureMode === 'open' ? new RateLimiterMemory(options) : undefined,
      });
    },
    async connected() {
      if (client.status === 'ready') return;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          client.off('ready', done).off('error', done);
          resolve();
        };
        const timer = setTimeout(done, STARTUP_WAIT_MS);
        // A refused connection is an answer too: serve now, in the configured failure mode.
        client.once('ready', done).once('error', done);
      });
    },
    async healthy() {
      if (client.status !== 'ready') return false;
      return (await client.ping().catch(() => 'down')) === 'PONG';
    },
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
