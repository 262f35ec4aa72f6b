/**
 * Mail jobs in Redis across an upgrade and a rotation: what the release before this one queued
 * (JWE) and what was sealed under the secret COOKIE_SECRET replaced (COOKIE_SECRET_PREVIOUS) still
 * open; anything else is null (the queue then logs it as unreadable), never an exception.
 */
import { hkdfSync } from 'node:crypto';
import { CompactEncrypt } from 'jose';
import { createJobSealer } from '../../src/mail/job-sealer.js';

const OLD = 'job-sealer-old-secret-of-at-least-32-bytes';
const NEW = 'job-sealer-new-secret-of-at-least-32-bytes';
const job = { kind: 'recovery', requestId: 'req-1', input: { username: 'alice@example.com' } };

/** A job as the release before this one sealed it (JWE dir + A256GCM, its own HKDF key). */
function sealedByPreviousRelease(secret: string, value: unknown): Promise<string> {
  const key = new Uint8Array(hkdfSync('sha256', secret, 'okta-recovery', 'mail-queue-v1', 32));
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(value))).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(key);
}

describe('mail job sealing', () => {
  it('opens what it sealed, and Redis sees neither the username nor the JSON', async () => {
    const sealer = createJobSealer(NEW);
    const sealed = await sealer.seal(job);
    expect(sealed).not.toContain('alice');
    expect(await sealer.open(sealed)).toEqual(job);
  });

  it('after a rotation, opens jobs sealed under COOKIE_SECRET_PREVIOUS and seals new ones under COOKIE_SECRET', async () => {
    const queuedBefore = await createJobSealer(OLD).seal(job);
    const rotated = createJobSealer(NEW, OLD);
    expect(await rotated.open(queuedBefore)).toEqual(job);
    // A new seal is readable by an instance that has dropped the old secret.
    expect(await createJobSealer(NEW).open(await rotated.seal(job))).toEqual(job);
  });

  it('opens jobs queued by the release before this one, under either secret', async () => {
    expect(await createJobSealer(NEW, OLD).open(await sealedByPreviousRelease(OLD, job))).toEqual(job);
    expect(await createJobSealer(NEW).open(await sealedByPreviousRelease(NEW, job))).toEqual(job);
  });

  it('returns null, without throwing, for a job under a secret it does not hold or a damaged one', async () => {
    const sealer = createJobSealer(NEW);
    expect(await sealer.open(await createJobSealer(OLD).seal(job))).toBeNull();
    expect(await sealer.open(await sealedByPreviousRelease(OLD, job))).toBeNull();
    const sealed = await sealer.seal(job);
    // The second-to-last character changed (one in 64 seals already ends in "A" there: judge that one, not the last).
    const flipped = `${sealed.slice(0, -2)}${sealed.at(-2) === 'A' ? 'B' : 'A'}${sealed.slice(-1)}`;
    expect(await sealer.open(flipped)).toBeNull();
    expect(await sealer.open('v2.nope.AAAA')).toBeNull();
    expect(await sealer.open('not a job')).toBeNull();
  });
});
