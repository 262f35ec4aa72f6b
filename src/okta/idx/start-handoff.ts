/**
 * The Identity Engine start, answered before Okta is asked (issue 13). A start over IDX takes
 * five calls in a row (interact, introspect, recover, identify, challenge) before Okta has sent
 * the code; holding the user for all five made the start the slowest step by far under load
 * (each call queues for Okta's sockets) and made its time the thing to equalise across accounts.
 * So the start now answers "check your email" at once, as Classic's does, and walks IDX after the
 * response; what the walk ends with (the stateHandle and hrefs, or a refusal) is handed to the
 * browser's next step through this module:
 *  - on the instance that walked, a step waits for the walk itself if it is still running;
 *  - every result is also kept for the flow's lifetime: in this process's memory, bounded, and
 *    with REDIS_URL in Redis as well (sealed there: it holds a stateHandle), so that the code can
 *    be typed into any instance behind the load balancer.
 * The key is a hash of the flow's interact `state`, which only the sealed flow cookie carries.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { createMemoryMailQueue, type MailQueue } from '../../mail/queue.js';
import type { CodeRules, EngineRefusal } from '../../recovery/engine.js';
import type { IdxSession } from './session.js';

/** What a start's walk ended with: the session to continue in, or why there is none. */
export type Handed =
  | { readonly kind: 'session'; readonly session: IdxSession; readonly code: CodeRules; readonly expiresAt: number }
  | { readonly kind: 'refused'; readonly outcome: EngineRefusal };

/** Where results wait for the browser's next step, for `ttlMs`; null/undefined when unreachable or gone. */
export interface HandoffStore {
  put(key: string, value: Handed, ttlMs: number): Promise<void>;
  get(key: string): Promise<Handed | undefined>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

export interface StartHandoff {
  /** Walks after the response; false when the walk could not even be queued (full, shutting down). */
  begin(state: string, requestId: string | undefined, walk: () => Promise<Handed>): Promise<boolean>;
  /**
   * The walk's result for this flow: waited for if it runs here, else read from the store, which
   * another instance may still be filling (polled for a moment). undefined: not there (yet).
   */
  take(state: string): Promise<Handed | undefined>;
  /** The flow has moved on (the code was right): its result is no longer needed. */
  forget(state: string): Promise<void>;
  /** Walks waiting or running here, for shutdown and for tests. */
  idle(): Promise<void>;
  close(timeoutMs: number): Promise<void>;
}

/** The job on the after-the-response queue: only its key and request id are data; the walk is the closure. */
interface WalkJob {
  readonly kind: 'idx-start';
  readonly requestId?: string | undefined;
  readonly state: string;
  readonly walk: () => Promise<Handed>;
}

/**
 * How long a start answered before Okta may wait for its code: the stateHandle's usual window
 * (the emulator's default; Okta documents none, contract §12), after which Okta refuses it anyway.
 * The pending flow cookie and the kept result both live this long.
 */
export const PENDING_START_LIFETIME_MS = 10 * 60 * 1000;

/** How long a step polls the store for a walk another instance is still running. */
const OTHER_INSTANCE_WAIT_MS = 2000;
const POLL_EVERY_MS = 50;

export const handoffKey = (state: string): string => createHash('sha256').update(state).digest('base64url');

export function createStartHandoff(deps: {
  store: HandoffStore;
  logger: Logger;
  /** How long a result is kept: the pending flow's lifetime. */
  ttlMs: number;
  /** Walks at once; each holds at most one Okta socket at a time. */
  concurrency: number;
  maxPending?: number;
  /** Default OTHER_INSTANCE_WAIT_MS; 0 where there is no other instance to wait for (tests). */
  otherInstanceWaitMs?: number;
}): StartHandoff {
  const { store, logger, ttlMs } = deps;
  /** Walks queued or running on this instance, by state. */
  const running = new Map<string, Promise<Handed>>();

  const queue: MailQueue<WalkJob> = createMemoryMailQueue<WalkJob>({
    logger,
    prepare: async (job) => {
      await job.walk();
      return null;
    },
    maxAttempts: 1,
    retryBaseMs: 1,
    concurrency: deps.concurrency,
    maxPending: deps.maxPending ?? 10_000,
  });

  async function keep(state: string, handed: Handed): Promise<void> {
    await store.put(handoffKey(state), handed, ttlMs).catch((error: unknown) => {
      logger.warn({ event: 'okta.idx.handoff-unavailable', err: { name: (error as Error)?.name } }, 'could not keep a start for other instances; it is kept here only');
    });
  }

  return {
    async begin(state, requestId, walk) {
      let settle: (handed: Handed) => void = () => undefined;
      const settled = new Promise<Handed>((resolve) => (settle = resolve));
      running.set(state, settled);
      const finish = async (handed: Handed): Promise<Handed> => {
        await keep(state, handed);
        running.delete(state);
        settle(handed);
        return handed;
      };
      const job: WalkJob = {
        kind: 'idx-start',
        requestId,
        state,
        // A walk never throws to the queue: whatever went wrong is a refusal the next step shows.
        walk: () => walk().then(finish, (error: unknown) => {
          logger.error({ event: 'okta.idx.start-crashed', err: { name: (error as Error)?.name } }, 'an Identity Engine start failed after its response');
          return finish({ kind: 'refused', outcome: { kind: 'upstream-unavailable' } });
        }),
      };
      const accepted = await queue.enqueue(job);
      if (!accepted) await finish({ kind: 'refused', outcome: { kind: 'upstream-unavailable' } });
      return accepted;
    },

    async take(state) {
      const here = running.get(state);
      if (here) return here;
      const key = handoffKey(state);
      // Another instance may still be walking: poll briefly rather than fail a user who was quick.
      for (let waited = 0; ; waited += POLL_EVERY_MS) {
        const found = await store.get(key).catch(() => undefined);
        if (found || waited >= (deps.otherInstanceWaitMs ?? OTHER_INSTANCE_WAIT_MS)) return found;
        await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
      }
    },

    async forget(state) {
      await store.delete(handoffKey(state)).catch(() => undefined);
    },

    idle: () => queue.idle(),

    async close(timeoutMs) {
      await queue.close(timeoutMs);
      await store.close();
    },
  };
}

/**
 * This process's store: a Map in insertion order, so the oldest result is dropped first when
 * full. Bounded because every start adds one, and a start flood is bounded only by the Okta
 * budget; a flow whose result was dropped is told it expired and asks again.
 */
export function createMemoryHandoffStore(options: { maxEntries: number; now: () => number }): HandoffStore {
  const entries = new Map<string, { handed: Handed; until: number }>();
  return {
    async put(key, handed, ttl) {
      const now = options.now();
      entries.delete(key);
      entries.set(key, { handed, until: now + ttl });
      // One lifetime for every entry, so insertion order is expiry order: the expired are in front.
      for (const [oldest, entry] of entries) {
        if (entry.until > now && entries.size <= options.maxEntries) break;
        entries.delete(oldest);
      }
    },
    async get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.until > options.now()) return entry.handed;
      entries.delete(key);
      return undefined;
    },
    async delete(key) {
      entries.delete(key);
    },
    async close() {
      entries.clear();
    },
  };
}

/** Both: this process's memory answers first (and when Redis is down); Redis serves the other instances. */
export function layeredHandoffStore(near: HandoffStore, far: HandoffStore): HandoffStore {
  return {
    async put(key, handed, ttl) {
      await near.put(key, handed, ttl);
      await far.put(key, handed, ttl);
    },
    async get(key) {
      return (await near.get(key)) ?? far.get(key);
    },
    async delete(key) {
      await near.delete(key);
      await far.delete(key);
    },
    async close() {
      await near.close();
      await far.close();
    },
  };
}
