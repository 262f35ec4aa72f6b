/**
 * Random bytes for the values drawn on every request (the sealing IVs, our request ids), taken
 * from a pool filled ~4 KiB at a time: each randomFillSync call crosses into C++ and OpenSSL's
 * generator, and at one call per value that crossing was 2 % of the service's busy CPU (README
 * "Benchmark"). The same CSPRNG, batched as Node batches randomUUID's; each byte is handed out
 * once, and what is left at the pool's end when a request does not fit is drawn over, not reused.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafeSlow(POOL_BYTES);
let used = POOL_BYTES;

/** Fills `target` (at most 4 KiB) with random bytes no other call was given. */
export function fillRandom(target: Buffer): void {
  if (used + target.length > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  pool.copy(target, 0, used, used + target.length);
  used += target.length;
}
