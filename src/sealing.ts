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
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import type * as Jose from 'jose';
import { fillRandom } from './random-pool.js';

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

/**
 * One secret's keys for one purpose, with what every seal and open would otherwise rebuild: the
 * header (`v2.<key id>`) as text and as the associated data, and the AES key as a KeyObject
 * (a raw key is turned into one inside every createCipheriv).
 */
interface SealingKey {
  readonly id: string;
  readonly header: string;
  readonly aad: Buffer;
  readonly key: KeyObject;
  readonly legacyKey: Uint8Array;
}

function sealingKey(secret: string, purpose: SealingPurpose): SealingKey {
  const id = Buffer.from(hkdfSync('sha256', secret, 'okta-recovery', purpose.keyIdInfo, 6)).toString('base64url');
  const header = `${VERSION}.${id}`;
  return {
    id,
    header,
    aad: Buffer.from(header),
    key: createSecretKey(Buffer.from(hkdfSync('sha256', secret, 'okta-recovery', purpose.keyInfo, 32))),
    legacyKey: new Uint8Array(hkdfSync('sha256', secret, 'okta-recovery', purpose.legacyKeyInfo, 32)),
  };
}

/** Seals with `secret`; opens what `secret` or `previousSecret` (COOKIE_SECRET_PREVIOUS) sealed. */
export function createSealer(purpose: SealingPurpose, secret: string, previousSecret?: string): Sealer {
  const current = sealingKey(secret, purpose);
  const keys = previousSecret === undefined ? [current] : [current, sealingKey(previousSecret, purpose)];
  const prefix = `${current.header}.`;

  function keyNamed(id: string): SealingKey | undefined {
    for (const key of keys) if (key.id === id) return key;
    return undefined;
  }

  return {
    seal(plain) {
      // iv ‖ ciphertext ‖ tag written into one buffer (GCM's ciphertext is as long as the plaintext).
      const body = Buffer.allocUnsafe(IV_BYTES + plain.length + TAG_BYTES);
      const iv = body.subarray(0, IV_BYTES);
      // From the shared pool (random-pool.ts): a crossing into OpenSSL per seal cost 2 % of busy CPU.
      fillRandom(iv);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(current.aad);
      let at = IV_BYTES + cipher.update(plain).copy(body, IV_BYTES);
      at += cipher.final().copy(body, at);
      cipher.getAuthTag().copy(body, at);
      return prefix + body.toString('base64url');
    },

    // A settled promise, not an async method: only the legacy format needs to wait (for jose), and
    // an async method costs its suspended-function object on every step that reads a cookie.
    open(sealed) {
      // `v2.<id>.<body>`, exactly three parts; anything else may be the format before v2.
      const idAt = VERSION.length + 1;
      const bodyAt = sealed.indexOf('.', idAt) + 1;
      if (!sealed.startsWith(prefix.slice(0, idAt)) || bodyAt === 0 || sealed.includes('.', bodyAt)) return openLegacy(keys, sealed);
      return Promise.resolve(openCurrent(keyNamed(sealed.slice(idAt, bodyAt - 1)), sealed.slice(bodyAt)));
    },
  };
}

/** The plaintext of a v2 body sealed with `key`; null for a key we do not hold or a changed body. */
function openCurrent(key: SealingKey | undefined, body: string): Buffer | null {
  const bytes = Buffer.from(body, 'base64url');
  if (!key || bytes.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(key.aad);
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES));
    // GCM gives nothing more at the end; final() is where a changed tag shows.
    const rest = decipher.final();
    return rest.length === 0 ? plain : Buffer.concat([plain, rest]);
  } catch {
    return null; // the tag did not match: changed on the way
  }
}

/**
 * jose is needed only for openLegacy, and only while what the release before v2 sealed lives:
 * loaded on the first such value, so a process that never meets one never holds it (issue 13:
 * memory at rest).
 */
let joseModule: Promise<typeof Jose> | undefined;
const jose = () => (joseModule ??= import('jose'));

/** A compact JWE is five base64url parts. */
const COMPACT_JWE = /^[\w-]*\.[\w-]*\.[\w-]*\.[\w-]*\.[\w-]*$/;

/**
 * Sealed as JWE by the release before v2: still opened, so an upgrade neither sends users who are
 * mid-way back to the start nor drops queued emails. Only for as long as those live; then removable.
 * Anything that is not even shaped like one is refused here, as jose would, without loading it.
 */
async function openLegacy(keys: readonly SealingKey[], sealed: string): Promise<Buffer | null> {
  if (!COMPACT_JWE.test(sealed)) return null;
  for (const { legacyKey } of keys) {
    try {
      const { plaintext } = await (await jose()).compactDecrypt(sealed, legacyKey, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      return Buffer.from(plaintext);
    } catch {
      // not this key (or not ours at all)
    }
  }
  return null;
}
