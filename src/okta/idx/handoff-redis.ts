/**
 * The start handoff's Redis half (start-handoff.ts), loaded only with REDIS_URL: a result kept
 * here can be taken by whichever instance the browser's next request reaches. It holds a
 * stateHandle, so it is sealed with COOKIE_SECRET under its own purpose (sealing.ts), as queued
 * mail jobs are: Redis never holds it in the clear, and COOKIE_SECRET_PREVIOUS still opens what
 * was kept before a rotation.
 */
import { connectRedis } from '../../redis-client.js';
import { createSealer, type SealingPurpose } from '../../sealing.js';
import type { Handed, HandoffStore } from './start-handoff.js';

const IDX_HANDOFF: SealingPurpose = { keyIdInfo: 'idx-handoff-key-id', keyInfo: 'idx-handoff-v2', legacyKeyInfo: 'idx-handoff-v1' };

export async function createRedisHandoffStore(options: { url: string; keyPrefix: string; secret: string; previousSecret?: string | undefined }): Promise<HandoffStore> {
  const client = await connectRedis(options.url);
  // The counters' client already warns about an outage; this one only has to survive it.
  client.on('error', () => undefined);
  const sealer = createSealer(IDX_HANDOFF, options.secret, options.previousSecret);
  const keyOf = (key: string) => `${options.keyPrefix}:idx-start:${key}`;
  return {
    async put(key, handed, ttlMs) {
      await client.set(keyOf(key), sealer.seal(Buffer.from(JSON.stringify(handed))), 'PX', Math.max(1, Math.round(ttlMs)));
    },
    async get(key) {
      const sealed = await client.get(keyOf(key));
      if (!sealed) return undefined;
      const plain = await sealer.open(sealed);
      return plain ? (JSON.parse(plain.toString('utf8')) as Handed) : undefined;
    },
    async delete(key) {
      await client.del(keyOf(key));
    },
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
