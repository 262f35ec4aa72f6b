/** What every flow step needs. Built once in app.ts (the composition of the emulator). */
import type { Clock } from '../clock.js';
import type { Mailer } from './mail.js';
import type { PhoneOutbox } from './phone.js';
import type { EmulatorStore, UserRecord } from './store.js';
import type { EmulatorPolicy, RecoveryType } from './types.js';

export interface FlowDeps {
  store: EmulatorStore;
  mailer: Mailer;
  /** Texts and calls (SMS/CALL recovery), recorded. */
  phone: PhoneOutbox;
  clock: Clock;
  /** The org-level policy, for requests that do not (yet) resolve to a user. */
  orgPolicy: EmulatorPolicy;
  neverIssuedTokenError: 'E0000011' | 'E0000105';
}

/** A session token lives 5 minutes (DOCS "Session token", contract §4.2). */
export const SESSION_TOKEN_LIFETIME_MS = 5 * 60_000;

/** The password is younger than the policy's minimum age (§1.3: Okta then denies the reset). */
export function passwordTooYoung(user: UserRecord, nowMs: number): boolean {
  const min = user.policy.age.minAgeMinutes;
  return min > 0 && user.passwordChangedMs !== null && nowMs - user.passwordChangedMs < min * 60_000;
}

/**
 * Whether self-service recovery of this type may proceed for the user (§1.3, §5): a password reset
 * for an ACTIVE user whose password is old enough; an unlock for a LOCKED_OUT user.
 */
export function canRecover(user: UserRecord, recoveryType: RecoveryType, nowMs: number): boolean {
  if (recoveryType === 'UNLOCK') return user.status === 'LOCKED_OUT';
  return user.status === 'ACTIVE' && !passwordTooYoung(user, nowMs);
}
