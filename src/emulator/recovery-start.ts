/**
 * `POST /recovery/password` and `/recovery/unlock` (contract §1, §5): the public EMAIL variant, the
 * stateful SMS/CALL challenge, and the trusted-app variant that hands back a recoveryToken.
 */
import { OktaApiError, invalidToken, wrongState } from './errors.js';
import type { FlowDeps } from './flow-deps.js';
import { canRecover, passwordTooYoung } from './flow-deps.js';
import { newPasscode } from './ids.js';
import type { MailTemplate } from './mail.js';
import { emailChallengeBody, transactionBody, trustedRecoveryBody } from './responses.js';
import type { Body } from './responses.js';
import type { UserRecord } from './store.js';
import type { RecoveryType } from './types.js';

export type FactorType = 'EMAIL' | 'SMS' | 'CALL';

export interface StartRecovery {
  username: string;
  factorType: FactorType | undefined;
  relayState: string | undefined;
  /** The request carried a valid `Authorization: SSWS` admin token (checked by the route). */
  trusted: boolean;
}

export async function startRecovery(
  deps: FlowDeps,
  recoveryType: RecoveryType,
  req: StartRecovery,
  origin: string,
): Promise<Body> {
  if (req.factorType === undefined) {
    // §1.1: "A valid factorType is required for requests without an API token with administrator privileges."
    if (!req.trusted) {
      throw new OktaApiError('E0000001', ['factorType: A valid factorType is required for this request.'], 'factorType');
    }
    return trustedRecovery(deps, recoveryType, req, origin);
  }
  if (req.factorType === 'EMAIL') {
    await emailRecovery(deps, recoveryType, req.username, req.relayState, origin);
    // §1.2 / §1.3: the whole body, identical whoever the user is.
    return emailChallengeBody(recoveryType);
  }
  return factorChallenge(deps, recoveryType, req.factorType, req, origin);
}

/** §1.5: no e-mail; the caller distributes the token. Unknown user → 403 E0000095 (the trusted app may know). */
function trustedRecovery(deps: FlowDeps, recoveryType: RecoveryType, req: StartRecovery, origin: string): Body {
  const user = deps.store.findUser(req.username);
  if (!user) throw new OktaApiError('E0000095');
  // §1.3 table: E0000034 "Forgot password not allowed on specified user" for users outside the flow.
  if (user.status === 'SUSPENDED' || user.status === 'DEPROVISIONED') throw new OktaApiError('E0000034');
  const record = deps.store.issueRecoveryToken(user, recoveryType, req.relayState);
  return trustedRecoveryBody(record, user, origin);
}

/**
 * §1.3: the public answer never varies, so the e-mail is the only place the outcome shows:
 * the reset (or unlock) link, a "denied" notice (locked out / password too young), or nothing
 * (unknown, suspended, deprovisioned).
 */
async function emailRecovery(
  deps: FlowDeps,
  recoveryType: RecoveryType,
  username: string,
  relayState: string | undefined,
  origin: string,
): Promise<void> {
  const user = deps.store.findUser(username);
  if (!user) return;
  const now = deps.clock.now();
  if (canRecover(user, recoveryType, now)) {
    const record = deps.store.issueRecoveryToken(user, recoveryType, relayState);
    await deps.mailer.send(recoveryType === 'PASSWORD' ? 'ForgotPassword' : 'SelfServiceUnlock', user, origin, record);
    return;
  }
  const notice = noticeFor(user, recoveryType, now);
  if (notice) await deps.mailer.send(notice, user, origin);
}

function noticeFor(user: UserRecord, recoveryType: RecoveryType, nowMs: number): MailTemplate | undefined {
  if (recoveryType === 'UNLOCK') return user.status === 'ACTIVE' ? 'SelfServiceUnlockOnUnlockedAccount' : undefined;
  if (user.status === 'LOCKED_OUT') return 'ForgotPasswordDenied';
  if (user.status === 'ACTIVE' && passwordTooYoung(user, nowMs)) return 'ForgotPasswordDenied';
  return undefined;
}

/**
 * §1.4: a stateful challenge with verify/cancel/resend links. For a user who cannot recover this way
 * the transaction is a decoy that looks the same and never verifies, so the factor path leaks no
 * more than the e-mail path does.
 */
function factorChallenge(
  deps: FlowDeps,
  recoveryType: RecoveryType,
  factorType: 'SMS' | 'CALL',
  req: StartRecovery,
  origin: string,
): Body {
  const user = deps.store.findUser(req.username);
  const policy = user?.policy ?? deps.orgPolicy;
  // SIW RECOVERY_error: the factor is not enabled in the password policy.
  if (!(factorType === 'SMS' ? policy.smsRecovery : policy.callRecovery)) throw new OktaApiError('E0000006');
  const now = deps.clock.now();
  const real = user !== undefined && user.phone !== null && canRecover(user, recoveryType, now);
  const passcode = real ? newPasscode() : undefined;
  if (real && passcode !== undefined) {
    user.lastSmsPasscode = passcode;
    deps.phone.deliver({ ...user, phone: user.phone as string }, factorType, recoveryType, passcode);
  }
  const txn = deps.store.createTransaction({
    userId: real ? user.id : null,
    status: 'RECOVERY_CHALLENGE',
    recoveryType,
    factorType,
    passcode,
    lastChallengeMs: now,
    relayState: req.relayState,
  });
  return transactionBody(txn, undefined, origin);
}

/** One challenge per phone per 30 s (§5: E0000109 for SMS, E0000133 for calls). */
const RESEND_INTERVAL_MS = 30_000;

export function resendChallenge(deps: FlowDeps, factorType: 'SMS' | 'CALL', stateToken: string, origin: string): Body {
  const txn = deps.store.liveTransaction(stateToken);
  if (!txn) throw invalidToken();
  if (txn.status !== 'RECOVERY_CHALLENGE' || txn.factorType !== factorType) throw wrongState();
  const now = deps.clock.now();
  if (txn.lastChallengeMs !== undefined && now - txn.lastChallengeMs < RESEND_INTERVAL_MS) {
    throw new OktaApiError(factorType === 'SMS' ? 'E0000109' : 'E0000133');
  }
  txn.lastChallengeMs = now;
  const user = deps.store.userById(txn.userId);
  if (user?.phone) {
    txn.passcode = newPasscode();
    user.lastSmsPasscode = txn.passcode;
    deps.phone.deliver({ ...user, phone: user.phone }, factorType, txn.recoveryType, txn.passcode);
  }
  deps.store.touch(txn);
  return transactionBody(txn, undefined, origin);
}
