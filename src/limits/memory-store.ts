/**
 * The in-memory home of the counters (no REDIS_URL), bounded. rate-limiter-flexible's memory store
 * keeps every key for its whole window with a timer each (about 0.6 KB of heap a key): a client
 * spraying unique usernames from many addresses grows the process without limit inside the hour.
 *
 * Here every per-client key lives in one Map, least recently used first, with at most `maxKeys`
 * entries for all counters together. Expired entries are removed when met; when the Map is full,
 * expired ones at its old end go first, then the least recently used live one (an eviction,
 * counted). An evicted key forgets its count, which would favour whoever caused the evictions, so
 * the store errs toward limiting: for one window after an eviction, a key the store does not hold
 * starts with its limit all but spent (one attempt, not the full count). Users then get fewer
 * tries while the flood lasts; the flooder cannot wash a victim's count out.
 *
 * Counters with one fixed key (the Okta budget) are `pinned`: never evicted, never held down.
 * Time comes from the injected clock, so tests move windows without sleeping.
 */
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Clock } from '../clock.js';
import type { LimitSpec } from '../config.js';
import type { Counter } from './counters.js';

interface Entry {
  value: number;
  expiresAt: number;
}

export interface MemoryStoreStats {
  /** Keys held now, all counters together (pinned ones included). */
  readonly keys: number;
  /** Live keys dropped because the store was full. */
  readonly evictions: number;
}

export interface BoundedMemoryStore {
  counter(name: string, spec: LimitSpec, options?: { pinned?: boolean }): Counter;
  stats(): MemoryStoreStats;
}

/** How many entries at the old end one insertion looks at for expired ones before evicting. */
const EXPIRED_SCAN = 32;

export function createBoundedMemoryStore(options: { maxKeys: number; clock: Clock }): BoundedMemoryStore {
  const { maxKeys, clock } = options;
  const entries = new Map<string, Entry>();
  const pinned = new Map<string, Entry>();
  let evictions = 0;
  /** Until when a key we do not hold is treated as one that may have been evicted. */
  let pressureUntil = 0;

  function live(map: Map<string, Entry>, key: string, now: number): Entry | undefined {
    const entry = map.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      map.delete(key);
      return undefined;
    }
    if (map === entries) {
      // Most recently used goes to the young end.
      map.delete(key);
      map.set(key, entry);
    }
    return entry;
  }

  function makeRoom(now: number, durationMs: number): void {
    if (entries.size < maxKeys) return;
    let scanned = 0;
    for (const [key, entry] of entries) {
      if (scanned++ >= EXPIRED_SCAN || entries.size < maxKeys) break;
      if (entry.expiresAt <= now) entries.delete(key);
    }
    while (entries.size >= maxKeys) {
      const oldest = entries.keys().next().value as string;
      entries.delete(oldest);
      evictions += 1;
      pressureUntil = Math.max(pressureUntil, now + durationMs);
    }
  }

  return {
    stats: () => ({ keys: entries.size + pinned.size, evictions }),
    counter(name, spec, counterOptions = {}) {
      const map = counterOptions.pinned ? pinned : entries;
      const limit = spec.points;
      const durationMs = spec.durationSeconds * 1000;

      /** Whether the latest entryFor created its entry (a flag, not a wrapper object per call). */
      let fresh = false;

      // The store's key for the latest key asked about, kept: the Okta budget asks about the same
      // key on every call, and a flow's steps about the same client, so the string is not rebuilt.
      let lastKey: string | undefined;
      let lastId = '';
      function idOf(key: string): string {
        if (key !== lastKey) {
          lastKey = key;
          lastId = `${name}:${key}`;
        }
        return lastId;
      }

      /** The entry for this key, created (with room made for it) when absent. */
      function entryFor(key: string, now: number, forBlock = false): Entry {
        const id = idOf(key);
        const found = live(map, id, now);
        fresh = found === undefined;
        if (found) return found;
        if (map === entries) makeRoom(now, durationMs);
        const heldDown = map === entries && !forBlock && now < pressureUntil;
        const entry = { value: heldDown ? Math.max(0, limit - 1) : 0, expiresAt: now + durationMs };
        map.set(id, entry);
        return entry;
      }

      const result = (entry: Entry, now: number, created: boolean) =>
        new RateLimiterRes(Math.max(0, limit - entry.value), Math.max(0, entry.expiresAt - now), entry.value, created);

      // Settled promises, not async methods: the counting is synchronous, and an async method
      // costs its suspended-function object besides the promise, on every limit check (three or
      // four a step). Nothing here throws: the settled promise is the whole answer either way.
      const counter: Counter = {
        consume(key, points = 1) {
          const now = clock.now();
          const entry = entryFor(String(key), now);
          entry.value += points;
          const res = result(entry, now, fresh);
          return entry.value > limit ? Promise.reject(res) : Promise.resolve(res);
        },
        penalty(key, points = 1) {
          const now = clock.now();
          const entry = entryFor(String(key), now);
          entry.value += points;
          return Promise.resolve(result(entry, now, fresh));
        },
        reward(key, points = 1) {
          const now = clock.now();
          const entry = live(map, idOf(String(key)), now);
          // Nothing held (never counted, expired or evicted): nothing to give back.
          if (!entry) return Promise.resolve(new RateLimiterRes(limit, 0, 0, false));
          entry.value = Math.max(0, entry.value - points);
          return Promise.resolve(result(entry, now, false));
        },
        block(key, seconds) {
          const now = clock.now();
          const entry = entryFor(String(key), now, true);
          entry.value = limit + 1;
          entry.expiresAt = now + seconds * 1000;
          return Promise.resolve(result(entry, now, false));
        },
      };
      return counter;
    },
  };
}
