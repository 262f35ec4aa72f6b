/**
 * The Redis client for what must never wait on Redis (the abuse limits' counters, an Identity
 * Engine start's kept result): a command fails fast instead of stalling a page. Imported only
 * with REDIS_URL, so ioredis stays out of a process that counts in memory.
 */
import type { Redis } from 'ioredis';

/** A Redis command that waits longer than this counts as an outage: a limit must not stall a page. */
const COMMAND_TIMEOUT_MS = 500;

export async function connectRedis(url: string): Promise<Redis> {
  const { Redis } = await import('ioredis');
  return new Redis(url, {
    // Without the offline queue a command fails at once while disconnected instead of waiting for
    // a reconnect that may never come (rate-limiter-flexible's advice for ioredis).
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    // Keep reconnecting, at most every 2 s: Redis coming back must be noticed without a restart.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
}
