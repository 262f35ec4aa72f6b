/**
 * The flow travels with the user, sealed: Okta's stateToken or stateHandle and the recovery token
 * never reach the browser in readable form, and any instance holding COOKIE_SECRET can serve any
 * step, with no shared store. Sealing (AES-256-GCM, a key id naming the secret, and
 * COOKIE_SECRET_PREVIOUS opening flows sealed before a rotation) is src/sealing.ts's, so a
 * tampered, truncated or foreign cookie fails to open and is treated as "no flow" ("start
 * again"), never a 500.
 *
 * Size: an Identity Engine stateHandle reaches 2,423 characters (IDX contract §2.2), which sealed
 * as JSON is about 3,900 characters, too close to the 4,096 bytes a browser keeps. A flow that
 * does not fit is deflated and then padded to one fixed size: compression alone would make the
 * cookie's length follow its content (which user, CRIME-style), padding makes it say nothing.
 * Only a payload that authenticated is inflated, and with a bound, so no compression bomb.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { createSealer, type SealingPurpose } from '../sealing.js';
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
/** The flow cookie's own keys: these strings are what cookies already in browsers were sealed with. */
const FLOW_COOKIE: SealingPurpose = { keyIdInfo: 'flow-cookie-key-id', keyInfo: 'flow-cookie-v2', legacyKeyInfo: 'flow-cookie-v1' };

export interface FlowSealer {
  /** Synchronous (node:crypto, sealing.ts): a promise here cost every step that writes the cookie. */
  seal(flow: FlowState): string;
  /** Returns null for anything missing, expired, tampered with, or sealed under another secret. */
  open(sealed: string | undefined): Promise<FlowState | null>;
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

export function createFlowSealer(cookieSecret: string, clock: Clock, previousSecret?: string): FlowSealer {
  const sealer = createSealer(FLOW_COOKIE, cookieSecret, previousSecret);
  const jsonOf = (flow: FlowState) => Buffer.from(JSON.stringify({ flow, iat: Math.floor(clock.now() / 1000) }));

  const unopened = (): null => null;

  /** The flow in what the sealer opened; null when nothing opened, it is not a flow, or it has expired. */
  function flowOf(bytes: Buffer | null): FlowState | null {
    if (!bytes) return null;
    try {
      const json = bytes[0] === DEFLATED ? inflateRawSync(bytes.subarray(3, 3 + bytes.readUInt16BE(1)), { maxOutputLength: MAX_PLAIN_BYTES }) : bytes;
      const flow = (JSON.parse(json.toString('utf8')) as { flow?: FlowState }).flow;
      if (!flow || typeof flow !== 'object' || typeof flow.phase !== 'string') return null;
      if (typeof flow.expiresAt !== 'number' || flow.expiresAt <= clock.now()) return null;
      return flow;
    } catch {
      return null;
    }
  }

  return {
    seal(flow) {
      const sealed = sealer.seal(jsonOf(flow));
      if (sealed.length <= PLAIN_UP_TO) return sealed;
      // Still too long deflated (the longest stateHandle with a 2,048-character relayState): the
      // return address is what goes; the user then lands on SUCCESS_REDIRECT_URL, not a lost flow.
      const small = padded(jsonOf(flow)) ?? ('relayState' in flow ? padded(jsonOf({ ...flow, relayState: undefined })) : null);
      return small ? sealer.seal(small) : sealed;
    },

    // Not an async method (its suspended-function object and await on every step): one handler,
    // made once, reads what the sealer opened.
    open(sealed) {
      if (!sealed || sealed.length > MAX_SEALED_LENGTH) return Promise.resolve(null);
      return sealer.open(sealed).then(flowOf, unopened);
    },
  };
}
