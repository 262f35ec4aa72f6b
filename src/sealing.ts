/**
 * Sealing with COOKIE_SECRET, shared by everything that hands data to a place we do not trust to
 * keep it secret or unchanged: the flow cookie (the browser) and the mail queue (Redis).
 * AES-256-GCM from node:crypto (synchronous: no WebCrypto round trip, ~10× cheaper than the JWE it
 * replaced, see README "Benchmark"), so anything tampered with, truncated or foreign fails to open.
 *
 * Format: `v2.<key id>.<base64url(iv ‖ ciphertext ‖ tag)>`, the first two parts authenticated as
 * associated data. Each purpose derives its own key and key id from the secret with HKDF (the id
 * says nothing about the secret, and no two purposes share a key): what was sealed names the
 * secret that sealed it, so after COOKIE_SECRET is rotated the old one, given as
 * COOKIE_SECRET_PREVIOUS, still opens what is under way (flows, queued emails), while every new
 * seal uses the new one.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { compactDecrypt } from 'jose';

const VERSION = 'v2';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** HKDF info strings of one purpose: changing any of them makes everything sealed before unreadable. */
export interface SealingPurpose {
  readonly keyIdInfo: string;
  readonly keyInfo: string;
  /** The JWE (dir + A256GCM) key of the format before v2, still opened for what was sealed before the upgrade. */
  readonly legacyKeyInfo: string;
}

export interface Sealer {
  seal(plain: Buffer): string;
  /** The plaintext, or null when no secret we hold sealed it or it was changed on the way. */
  open(sealed: string): Promise<Buffer | null>;
}

interface SealingKey {
  readonly id: string;
  readonly key: Buffer;
  readonly legacyKey: Uint8Array;
}

function sealingKey(secret: string, purpose: SealingPurpose): SealingKey {
  return {
    id: Buffer.from(hkdfSync('sha256', secret, 'okta-recovery', purpose.keyIdInfo, 6)).toString('base64url'),
    key: Buffer.from(hkdfSync('sha256', secret, 'okta-recovery', purpose.keyInfo, 32)),
    legacyKey: new Uint8Array(hkdfSync('sha256', secret, 'okta-recovery', purpose.legacyKeyInfo, 32)),
  };
}

/** Seals with `secret`; opens what `secret` or `previousSecret` (COOKIE_SECRET_PREVIOUS) sealed. */
export function createSealer(purpose: SealingPurpose, secret: string, previousSecret?: string): Sealer {
  const current = sealingKey(secret, purpose);
  const keys = previousSecret === undefined ? [current] : [current, sealingKey(previousSecret, purpose)];
  return {
    seal(plain) {
      const header = `${VERSION}.${current.id}`;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(Buffer.from(header));
      const body = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return `${header}.${body.toString('base64url')}`;
    },

    async open(sealed) {
      const [version, id, body, extra] = sealed.split('.');
      if (version !== VERSION || body === undefined || extra !== undefined) return openLegacy(keys, sealed);
      const key = keys.find((candidate) => candidate.id === id);
      const bytes = Buffer.from(body, 'base64url');
      if (!key || bytes.length < IV_BYTES + TAG_BYTES) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(`${version}.${id}`));
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
      } catch {
        return null; // the tag did not match: changed on the way
      }
    },
  };
}

/**
 * Sealed as JWE by the release before v2: still opened, so an upgrade neither sends users who are
 * mid-way back to the start nor drops queued emails. Only for as long as those live; then removable.
 */
async function openLegacy(keys: readonly SealingKey[], sealed: string): Promise<Buffer | null> {
  for (const { legacyKey } of keys) {
    try {
      const { plaintext } = await compactDecrypt(sealed, legacyKey, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      return Buffer.from(plaintext);
    } catch {
      // not this key (or not ours at all)
    }
  }
  return null;
}
