/**
 * HAL bodies of the recovery transaction (contract §0 "Recovery transaction object"). Shapes follow
 * the real captures where the sources differ: `recoveryType` present, `next` of PASSWORD_RESET named
 * `resetPassword`, boolean `excludeUsername` (§3.2). `relayState` appears only when the caller sent
 * one (DOCS-2019, AUTHJS fixtures). Every href is built from the emulator's own origin.
 */
import { policyBody } from './policy.js';
import type { RecoveryTokenRecord, Transaction, UserRecord } from './store.js';
import type { RecoveryType } from './types.js';

export interface HalLink {
  name?: string;
  href: string;
  hints: { allow: ['POST'] };
}

export type Body = Record<string, unknown>;

export function link(origin: string, path: string, name?: string): HalLink {
  const href = `${origin}/api/v1/authn${path}`;
  return name === undefined ? { href, hints: { allow: ['POST'] } } : { name, href, hints: { allow: ['POST'] } };
}

const iso = (ms: number): string => new Date(ms).toISOString();

const withRelayState = (relayState: string | undefined): Body => (relayState === undefined ? {} : { relayState });

/** The embedded user (§2.2): metadata only after recovery primary auth; the question only in RECOVERY. */
export function userBody(user: UserRecord, withQuestion: boolean): Body {
  return {
    id: user.id,
    passwordChanged: user.passwordChangedMs === null ? null : iso(user.passwordChangedMs),
    profile: {
      login: user.login,
      firstName: user.firstName,
      lastName: user.lastName,
      locale: user.locale,
      timeZone: user.timeZone,
    },
    ...(withQuestion && user.recoveryQuestion ? { recovery_question: { question: user.recoveryQuestion.question } } : {}),
  };
}

/** §1.2 / §5: the whole body of the public EMAIL variant; same for unknown users (§1.3). */
export function emailChallengeBody(recoveryType: RecoveryType): Body {
  return { status: 'RECOVERY_CHALLENGE', factorResult: 'WAITING', factorType: 'EMAIL', recoveryType };
}

/** §1.5: the trusted-app answer. expiresAt is the recovery token's, and there is no stateToken. */
export function trustedRecoveryBody(record: RecoveryTokenRecord, user: UserRecord, origin: string): Body {
  return {
    expiresAt: iso(record.expiresAtMs),
    status: 'RECOVERY',
    recoveryToken: record.token,
    recoveryType: record.recoveryType,
    ...withRelayState(record.relayState),
    _embedded: { user: userBody(user, false) },
    _links: { next: link(origin, '/recovery/token', 'recovery'), cancel: link(origin, '/cancel') },
  };
}

/**
 * The body of a live transaction in its current state, used by each step and by
 * `POST /api/v1/authn {stateToken}` (§6 "Get current state").
 */
export function transactionBody(txn: Transaction, user: UserRecord | undefined, origin: string): Body {
  const base = {
    stateToken: txn.stateToken,
    expiresAt: iso(txn.expiresAtMs),
    status: txn.status,
    ...withRelayState(txn.relayState),
  };
  const cancel = link(origin, '/cancel');
  if (txn.status === 'RECOVERY_CHALLENGE') {
    const factor = txn.factorType ?? 'SMS';
    return {
      ...base,
      // Okta echoes "sms" lower-case but "CALL" upper-case (SIW fixtures, §1.6).
      factorType: factor === 'SMS' ? 'sms' : 'CALL',
      recoveryType: txn.recoveryType,
      _links: {
        next: link(origin, `/recovery/factors/${factor}/verify`, 'verify'),
        cancel,
        resend: link(origin, `/recovery/factors/${factor}/resend`, factor === 'SMS' ? 'sms' : 'CALL'),
      },
    };
  }
  if (!user) throw new Error('a verified transaction always has a user');
  if (txn.status === 'RECOVERY') {
    return {
      ...base,
      recoveryType: txn.recoveryType,
      _embedded: { user: userBody(user, true) },
      _links: { next: link(origin, '/recovery/answer', 'answer'), cancel },
    };
  }
  return {
    ...base,
    recoveryType: txn.recoveryType,
    _embedded: { user: userBody(user, false), policy: policyBody(user.policy) },
    _links: { next: link(origin, '/credentials/reset_password', 'resetPassword'), cancel },
  };
}

/**
 * §4.2 / SIW SUCCESS_unlock: no stateToken; `recoveryType` only on the unlock variant, as in the
 * fixtures. expiresAt is the session token's (5 minutes, DOCS "Session token").
 */
export function successBody(
  user: UserRecord,
  sessionToken: string,
  expiresAtMs: number,
  recoveryType: RecoveryType | undefined,
  relayState: string | undefined,
): Body {
  return {
    expiresAt: iso(expiresAtMs),
    status: 'SUCCESS',
    ...(recoveryType === 'UNLOCK' ? { recoveryType } : {}),
    ...withRelayState(relayState),
    sessionToken,
    _embedded: { user: userBody(user, false) },
  };
}

/** AUTHJS locked-out (§5): primary auth on a locked account; `next` leads to the unlock flow. */
export function lockedOutBody(origin: string): Body {
  return {
    status: 'LOCKED_OUT',
    _embedded: {},
    _links: { next: link(origin, '/recovery/unlock', 'unlock'), cancel: link(origin, '/cancel') },
  };
}

/** §6 cancel: `{"_embedded": {}}` (SIW), or `{"relayState": …}` when the transaction carried one (AUTHJS). */
export function cancelBody(relayState: string | undefined): Body {
  return relayState === undefined ? { _embedded: {} } : { relayState };
}
