/**
 * The flow travels with the user, sealed: Okta's stateToken or stateHandle and the recovery token
 * never reach the browser in readable form, and any instance holding COOKIE_SECRET can serve any
 * step, with no shared store. Sealing is AES-256-GCM from node:crypto (encrypted and
 * authenticated, synchronous: no WebCrypto round trip, ~10× cheaper than the JWE it replaced, see
 * README "Benchmark"), so a tampered, truncated or foreign cookie fails to open and is treated as
 * "no flow" ("start again"), never a 500.
 *
 * Format: `v2.<key id>.<base64url(iv ‖ ciphertext ‖ tag)>`, the first two parts authenticated as
 * associated data. The key and its id are both derived from the secret with HKDF (the id says
 * nothing about the secret): a cookie names the secret that sealed it, so after COOKIE_SECRET is
 * rotated the old one, given as COOKIE_SECRET_PREVIOUS, still opens the flows under way, while
 * every new seal uses the new one.
 *
 * Size: an Identity Engine stateHandle reaches 2,423 characters (IDX contract §2.2), which sealed
 * as JSON is about 3,900 characters, too close to the 4,096 bytes a browser keeps. A flow that
 * does not fit is deflated and then padded to one fixed size: compression alone would make the
 * cookie's length follow its content (which user, CRIME-style), padding makes it say nothing.
 * Only a payload that authenticated is inflated, and with a bound, so no compression bomb.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { compactDecrypt } from 'jose';
import type { Clock } from '../clock.js';
import type { FlowState } from './states.js';

/** A cookie larger than browsers keep would silently vanish; refuse to read anything near it. */
const MAX_SEALED_LENGTH = 4000;
/** Longer than this sealed as JSON, a flow is deflated and padded: a margin under the 4,096 bytes. */
const PLAIN_UP_TO = 3600;
/** Deflated flows are padded to this many bytes: sealed, 3,708 characters. */
const PADDED_BYTES = 2744;
/** Far above any flow we write; a bound on what an authenticated payload may inflate to. */
const MAX_PLAIN_BYTES = 64 * 1024;
/** First byte of a deflated, padded payload (a JSON one starts with "{"). */
const DEFLATED = 0;
const VERSION = 'v2';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface FlowSealer {
  seal(flow: FlowState): Promise<string>;
  /** Returns null for anything missing, expired, tampered with, or sealed under another secret. */
  open(sealed: string | undefined): Promise<FlowState | null>;
}

interface SealingKey {
  readonly id: string;
  readonly key: Buffer;
  /** The JWE key of the format before v2, for flows sealed before the upgrade. */
  readonly legacyKey: Uint8Array;
}

function sealingKey(secret: string): SealingKey {
  // Keys of their own, so COOKIE_SECRET can safely serve other purposes (CSRF, limits) too.
  return {
    id: Buffer.from(hkdfSync('sha256', secret, 'okta-recovery', 'flow-cookie-key-id', 6)).toString('base64url'),
    key: Buffer.from(hkdfSync('sha256', secret, 'okta-recovery', 'flow-cookie-v2', 32)),
    legacyKey: new Uint8Array(hkdfSync('sha256', secret, 'okta-recovery', 'flow-cookie-v1', 32)),
  };
}

/** [0][length, 2 bytes][deflated][zeros] to PADDED_BYTES; null when it does not fit even so. */
function padded(json: Buffer): Buffer | null {
  const deflated = deflateRawSync(json, { level: 9 });
  if (deflated.length + 3 > PADDED_BYTES) return null;
  const out = Buffer.alloc(PADDED_BYTES);
  out[0] = DEFLATED;
  out.writeUInt16BE(deflated.length, 1);
  deflated.copy(out, 3);
  return out;
}

function encrypt(current: SealingKey, plain: Buffer): string {
  const header = `${VERSION}.${current.id}`;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', current.key, iv);
  cipher.setAAD(Buffer.from(header));
  const body = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return `${header}.${body.toString('base64url')}`;
}

/** The plaintext, or null when no key we hold sealed it or it was changed on the way. */
async function decrypt(keys: readonly SealingKey[], sealed: string): Promise<Buffer | null> {
  const [version, id, body, extra] = sealed.split('.');
  if (version !== VERSION || body === undefined || extra !== undefined) return decryptLegacy(keys, sealed);
  const key = keys.find((candidate) => candidate.id === id);
  const bytes = Buffer.from(body, 'base64url');
  if (!key || bytes.length < IV_BYTES + TAG_BYTES) return null;
  const decipher = createDecipheriv('aes-256-gcm', key.key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(`${version}.${id}`));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
}

/**
 * A flow sealed as JWE by the release before this one: still opened, so an upgrade does not send
 * users who are mid-way back to the start. Only for as long as a flow lives; then removable.
 */
async function decryptLegacy(keys: readonly SealingKey[], sealed: string): Promise<Buffer | null> {
  for (const { legacyKey } of keys) {
    try {
      const { plaintext } = await compactDecrypt(sealed, legacyKey, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      return Buffer.from(plaintext);
    } catch {
      // not this key (or not a flow at all)
    }
  }
  return null;
}

export function createFlowSealer(cookieSecret: string, clock: Clock, previousSecret?: string): FlowSealer {
  const current = sealingKey(cookieSecret);
  const keys = previousSecret === undefined ? [current] : [current, sealingKey(previousSecret)];
  const jsonOf = (flow: FlowState) => Buffer.from(JSON.stringify({ flow, iat: Math.floor(clock.now() / 1000) }));

  return {
    async seal(flow) {
      const sealed = encrypt(current, jsonOf(flow));
      if (sealed.length <= PLAIN_UP_TO) return sealed;
      // Still too long deflated (the longest stateHandle with a 2,048-character relayState): the
      // return address is what goes; the user then lands on SUCCESS_REDIRECT_URL, not a lost flow.
      const small = padded(jsonOf(flow)) ?? ('relayState' in flow ? padded(jsonOf({ ...flow, relayState: undefined })) : null);
      return small ? encrypt(current, small) : sealed;
    },

    async open(sealed) {
      if (!sealed || sealed.length > MAX_SEALED_LENGTH) return null;
      try {
        const bytes = await decrypt(keys, sealed);
        if (!bytes) return null;
        const json = bytes[0] === DEFLATED ? inflateRawSync(bytes.subarray(3, 3 + bytes.readUInt16BE(1)), { maxOutputLength: MAX_PLAIN_BYTES }) : bytes;
        const flow = (JSON.parse(json.toString('utf8')) as { flow?: FlowState }).flow;
        if (!flow || typeof flow !== 'object' || typeof flow.phase !== 'string') return null;
        if (typeof flow.expiresAt !== 'number' || flow.expiresAt <= clock.now()) return null;
        return flow;
      } catch {
        return null;
      }
    },
  };
}
