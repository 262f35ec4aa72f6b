/**
 * What the Redis queue stores about a job is sealed (src/sealing.ts, the flow cookie's sealing
 * with keys of the queue's own, derived from COOKIE_SECRET): the username and request context,
 * and once Okta has answered, the email itself with its recovery link. Redis then holds no
 * username and no usable token, as the limits' HMAC keys already promise (README, "Abuse limits
 * and Redis"), and any instance sharing COOKIE_SECRET can send a job another one accepted.
 *
 * Jobs outlive a rotation of COOKIE_SECRET: those sealed under the old secret, given as
 * COOKIE_SECRET_PREVIOUS, still open, so emails queued in Redis just before a rotation are sent,
 * and so are jobs sealed as JWE by the release before this format.
 */
import { createSealer, type SealingPurpose } from '../sealing.js';

export interface JobSealer {
  seal(value: unknown): Promise<string>;
  /** null for anything sealed under a secret we no longer hold, or damaged. */
  open<T>(sealed: string): Promise<T | null>;
}

/** The queue's own keys, so COOKIE_SECRET's other uses (flow cookie, CSRF) never share one. */
const MAIL_QUEUE: SealingPurpose = { keyIdInfo: 'mail-queue-key-id', keyInfo: 'mail-queue-v2', legacyKeyInfo: 'mail-queue-v1' };

export function createJobSealer(secret: string, previousSecret?: string): JobSealer {
  const sealer = createSealer(MAIL_QUEUE, secret, previousSecret);
  return {
    async seal(value) {
      return sealer.seal(Buffer.from(JSON.stringify(value)));
    },
    async open<T>(sealed: string) {
      const plain = await sealer.open(sealed);
      if (!plain) return null;
      try {
        return JSON.parse(plain.toString('utf8')) as T;
      } catch {
        return null;
      }
    },
  };
}
