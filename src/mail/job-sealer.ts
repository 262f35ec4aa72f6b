/**
 * What the Redis queue stores about a job is sealed (JWE, dir + A256GCM from `jose`, with a key
 * derived from COOKIE_SECRET): the username and request context, and once Okta has answered, the
 * email itself with its recovery link. Redis then holds no username and no usable token, as the
 * limits' HMAC keys already promise (README, "Abuse limits and Redis"), and any instance sharing
 * COOKIE_SECRET can send a job another one accepted.
 */
import { hkdfSync } from 'node:crypto';
import { compactDecrypt, CompactEncrypt } from 'jose';

export interface JobSealer {
  seal(value: unknown): Promise<string>;
  /** null for anything sealed under another secret, or damaged. */
  open<T>(sealed: string): Promise<T | null>;
}

export function createJobSealer(secret: string): JobSealer {
  // A key of its own, so COOKIE_SECRET's other uses (flow cookie, CSRF) never share one.
  const key = new Uint8Array(hkdfSync('sha256', secret, 'okta-recovery', 'mail-queue-v1', 32));
  return {
    async seal(value) {
      return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(value))).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(key);
    },
    async open<T>(sealed: string) {
      try {
        const { plaintext } = await compactDecrypt(sealed, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
        return JSON.parse(new TextDecoder().decode(plaintext)) as T;
      } catch {
        return null;
      }
    },
  };
}
