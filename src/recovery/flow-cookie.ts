/**
 * The flow travels with the user, sealed: the stateToken and recovery token never reach the
 * browser in readable form, and any instance holding COOKIE_SECRET can serve any step, with no
 * shared store. Sealing is JWE (dir + A256GCM, from `jose`): encrypted and authenticated, so a
 * tampered, truncated or foreign cookie fails to open and is treated as "no flow", never a 500.
 */
import { hkdfSync } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';
import type { Clock } from '../clock.js';
import type { FlowState } from './states.js';

/** A cookie larger than browsers keep would silently vanish; refuse to read anything near it. */
const MAX_SEALED_LENGTH = 4000;

export interface FlowSealer {
  seal(flow: FlowState): Promise<string>;
  /** Returns null for anything missing, expired, tampered with, or sealed under another secret. */
  open(sealed: string | undefined): Promise<FlowState | null>;
}

export function createFlowSealer(cookieSecret: string, clock: Clock): FlowSealer {
  // Derive a dedicated key so COOKIE_SECRET can safely serve other purposes (CSRF) too.
  const key = new Uint8Array(hkdfSync('sha256', cookieSecret, 'okta-recovery', 'flow-cookie-v1', 32));

  return {
    async seal(flow) {
      return new EncryptJWT({ flow })
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .setIssuedAt(Math.floor(clock.now() / 1000))
        .setExpirationTime(Math.ceil(flow.expiresAt / 1000))
        .encrypt(key);
    },

    async open(sealed) {
      if (!sealed || sealed.length > MAX_SEALED_LENGTH) return null;
      try {
        const { payload } = await jwtDecrypt(sealed, key, {
          currentDate: new Date(clock.now()),
          keyManagementAlgorithms: ['dir'],
          contentEncryptionAlgorithms: ['A256GCM'],
        });
        const flow = payload.flow as FlowState | undefined;
        if (!flow || typeof flow !== 'object' || typeof flow.phase !== 'string') return null;
        if (typeof flow.expiresAt !== 'number' || flow.expiresAt <= clock.now()) return null;
        return flow;
      } catch {
        return null;
      }
    },
  };
}
