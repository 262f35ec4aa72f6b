/**
 * AES-GCM is broken the moment two seals under one key share an IV. IVs come from a pool of
 * random bytes refilled a few hundred seals at a time (sealing.ts), so across several refills
 * every seal must still carry its own IV, and every one must open.
 */
import { createSealer } from '../../src/sealing.js';

const PURPOSE = { keyIdInfo: 'test-key-id', keyInfo: 'test-key', legacyKeyInfo: 'test-legacy' };
const SECRET = 'sealing-test-secret-of-at-least-32-bytes';

/** The IV: the first 12 bytes of `v2.<key id>.<base64url(iv ‖ ciphertext ‖ tag)>`. */
const ivOf = (sealed: string) => Buffer.from(sealed.split('.')[2] as string, 'base64url').subarray(0, 12).toString('hex');

describe('sealing', () => {
  it('gives every seal its own IV across refills of the pool, and opens each', async () => {
    const sealer = createSealer(PURPOSE, SECRET);
    const sealed = Array.from({ length: 2_000 }, (_, i) => sealer.seal(Buffer.from(`value ${i}`)));
    expect(new Set(sealed.map(ivOf)).size).toBe(sealed.length);
    // Two sealers (two purposes, one process) draw from the same pool without sharing an IV.
    const other = createSealer({ ...PURPOSE, keyInfo: 'another-key' }, SECRET);
    const more = Array.from({ length: 500 }, (_, i) => (i % 2 ? sealer : other).seal(Buffer.from('same')));
    expect(new Set([...sealed, ...more].map(ivOf)).size).toBe(sealed.length + more.length);
    const opened = await Promise.all(sealed.map((value) => sealer.open(value)));
    expect(opened.map((bytes) => bytes?.toString())).toEqual(sealed.map((_, i) => `value ${i}`));
  });

  it('opens nothing whose IV was changed', async () => {
    const sealer = createSealer(PURPOSE, SECRET);
    const [version, id, body] = sealer.seal(Buffer.from('value')).split('.') as [string, string, string];
    const bytes = Buffer.from(body, 'base64url');
    bytes[0] = (bytes[0] as number) ^ 1;
    expect(await sealer.open(`${version}.${id}.${bytes.toString('base64url')}`)).toBeNull();
  });
});
