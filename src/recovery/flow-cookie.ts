/**
 * The flow travels with the user, sealed: Okta's stateToken or stateHandle and the recovery token
 * never reach the browser in readable form, and any instance holding COOKIE_SECRET can serve any
 * step, with no shared store. Sealing is JWE (dir + A256GCM, from `jose`): encrypted and
 * authenticated, so a tampered, truncated or foreign cookie fails to open and is treated as
 * "no flow", never a 500.
 *
 * The JSON is deflated before it is encrypted: an Identity Engine stateHandle reaches 2,423
 * characters (IDX contract §2.2), which sealed as it is leaves too little of the 4,096 bytes a
 * browser keeps for a long relayState or username. Only a payload that authenticated is inflated,
 * and with a bound, so nobody can hand us a compression bomb.
 */
import { hkdfSync } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { CompactEncrypt, compactDecrypt } from 'jose';
import type { Clock } from '../clock.js';
import type { FlowState } from './states.js';

/** A cookie larger than browsers keep would silently vanish; refuse to read anything near it. */
const MAX_SEALED_LENGTH = 4000;
/** Far above any flow we write (a few KB); a bound on what an authenticated payload may inflate to. */
const MAX_PLAIN_BYTES = 64 * 1024;

export interface FlowSealer {
  seal(flow: FlowState): Promise<string>;
  /** Returns null for anything missing, expired, tampered with, or sealed under another secret. */
  open(sealed: string | undefined): Promise<FlowState | null>;
}

export function createFlowSealer(cookieSecret: string, clock: Clock): FlowSealer {
  // Derive a dedicated key so COOKIE_SECRET can safely serve other purposes (CSRF) too. v2: the
  // deflated payload; a v1 cookie from before fails to open and is "no flow".
  const key = new Uint8Array(hkdfSync('sha256', cookieSecret, 'okta-recovery', 'flow-cookie-v2', 32));

  function encrypt(flow: FlowState): Promise<string> {
    const plain = deflateRawSync(Buffer.from(JSON.stringify({ flow, iat: Math.floor(clock.now() / 1000) })));
    return new CompactEncrypt(plain).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(key);
  }

  return {
    async seal(flow) {
      const sealed = await encrypt(flow);
      // Still too long (the longest stateHandle with a 2,048-character relayState): the return
      // address is what can go; the user then lands on SUCCESS_REDIRECT_URL, not on a lost flow.
      if (sealed.length > MAX_SEALED_LENGTH && 'relayState' in flow && flow.relayState) return encrypt({ ...flow, relayState: undefined });
      return sealed;
    },

    async open(sealed) {
      if (!sealed || sealed.length > MAX_SEALED_LENGTH) return null;
      try {
        const { plaintext } = await compactDecrypt(sealed, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
        const payload = JSON.parse(inflateRawSync(plaintext, { maxOutputLength: MAX_PLAIN_BYTES }).toString('utf8')) as { flow?: FlowState };
        const flow = payload.flow;
        if (!flow || typeof flow !== 'object' || typeof flow.phase !== 'string') return null;
        if (typeof flow.expiresAt !== 'number' || flow.expiresAt <= clock.now()) return null;
        return flow;
      } catch {
        return null;
      }
    },
  };
}
