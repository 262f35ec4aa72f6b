/**
 * The steps after a recovery starts (contract §0): redeem the recoveryToken, verify an SMS/CALL
 * passcode, answer the question, set the new password. Each enforces the transaction state
 * (§6 "Strict state enforcement": 403 E0000079) and treats a dead stateToken as 401 E0000011.
 */
import { OktaApiError, invalidToken, wrongState } from './errors.js';
import type { FlowDeps } from './flow-deps.js';
import { SESSION_TOKEN_LIFETIME_MS } from './flow-deps.js';
import { newSessionToken } from './ids.js';
import { passwordViolations } from './policy.js';
import { successBody, transactionBody } from './responses.js';
import type { Body } from './responses.js';
import type { Transaction, TransactionStatus, UserRecord } from './store.js';

function liveTransaction(deps: FlowDeps, stateToken: string, expected: TransactionStatus): Transaction {
  const txn = deps.store.liveTransaction(stateToken);
  if (!txn) throw invalidToken();
  if (txn.status !== expected) throw wrongState();
  return txn;
}

function userOf(deps: FlowDeps, txn: Transaction): UserRecord {
  const user = deps.store.userById(txn.userId);
  if (!user) throw invalidToken();
  return user;
}

/** `POST /recovery/token` (§2). Used/expired → 403 E0000105; never issued → configurable (§2.3). */
export function verifyRecoveryToken(deps: FlowDeps, recoveryToken: string, origin: string): Body {
  const redemption = deps.store.redeemRecoveryToken(recoveryToken);
  if (redemption.kind === 'never-issued') throw new OktaApiError(deps.neverIssuedTokenError);
  if (redemption.kind === 'used-or-expired') throw new OktaApiError('E0000105');
  const { record } = redemption;
  const user = deps.store.userById(record.userId);
  if (!user || user.status === 'SUSPENDED' || user.status === 'DEPROVISIONED') throw new OktaApiError('E0000105');
  const txn = deps.store.createTransaction({
    userId: user.id,
    status: 'RECOVERY',
    recoveryType: record.recoveryType,
    factorType: undefined,
    passcode: undefined,
    lastChallengeMs: undefined,
    relayState: record.relayState,
  });
  return afterFactorVerified(deps, txn, user, origin);
}

/**
 * `POST /recovery/factors/{sms,call}/verify` (§5). A wrong (or decoy) passcode → 403 E0000068;
 * the state token stays usable for another try.
 */
export function verifyFactor(
  deps: FlowDeps,
  factorType: 'SMS' | 'CALL',
  stateToken: string,
  passCode: string,
  origin: string,
): Body {
  const txn = liveTransaction(deps, stateToken, 'RECOVERY_CHALLENGE');
  if (txn.factorType !== factorType) throw wrongState();
  if (txn.passcode === undefined || txn.passcode !== passCode.trim()) {
    throw new OktaApiError('E0000068', ["Your token doesn't match our records. Please try again."]);
  }
  return afterFactorVerified(deps, txn, userOf(deps, txn), origin);
}

/**
 * The user proved control of the e-mail or phone. Next is the question when the policy requires
 * one and the user has one; otherwise PASSWORD_RESET directly (§2.4, inferred) or, for an unlock,
 * SUCCESS.
 */
function afterFactorVerified(deps: FlowDeps, txn: Transaction, user: UserRecord, origin: string): Body {
  txn.passcode = undefined;
  if (user.policy.requireRecoveryQuestion && user.recoveryQuestion) {
    txn.status = 'RECOVERY';
  } else if (txn.recoveryType === 'PASSWORD') {
    txn.status = 'PASSWORD_RESET';
  } else {
    return finishUnlock(deps, txn, user);
  }
  deps.store.touch(txn);
  return transactionBody(txn, user, origin);
}

/** §3.1: matched case-insensitively (and, like any form input, without surrounding blanks). */
export const sameAnswer = (given: string, stored: string): boolean =>
  given.trim().toLowerCase() === stored.trim().toLowerCase();

/**
 * `POST /recovery/answer` (§3). Wrong → 403 E0000087 and the state token stays valid. The Nth
 * consecutive wrong answer locks the user out: 403 E0000069, and the token dies, so the next call
 * is 401 E0000011 (§3.3, modelled).
 */
export function answerQuestion(deps: FlowDeps, stateToken: string, answer: string, origin: string): Body {
  const txn = liveTransaction(deps, stateToken, 'RECOVERY');
  const user = userOf(deps, txn);
  if (!user.recoveryQuestion || !sameAnswer(answer, user.recoveryQuestion.answer)) {
    user.wrongAnswers += 1;
    if (user.wrongAnswers >= user.policy.maxWrongAnswers) {
      deps.store.lockOut(user);
      throw new OktaApiError('E0000069');
    }
    throw new OktaApiError('E0000087');
  }
  user.wrongAnswers = 0;
  if (txn.recoveryType === 'UNLOCK') return finishUnlock(deps, txn, user);
  txn.status = 'PASSWORD_RESET';
  deps.store.touch(txn);
  return transactionBody(txn, user, origin);
}

/** SIW SUCCESS_unlock (§5): the unlock flow has no PASSWORD_RESET step. */
function finishUnlock(deps: FlowDeps, txn: Transaction, user: UserRecord): Body {
  if (user.status === 'LOCKED_OUT') user.status = 'ACTIVE';
  user.wrongAnswers = 0;
  deps.store.endTransaction(txn.stateToken);
  const now = deps.clock.now();
  return successBody(user, newSessionToken(), now + SESSION_TOKEN_LIFETIME_MS, 'UNLOCK', txn.relayState);
}

/**
 * `POST /credentials/reset_password` (§4). Policy failure → 403 E0000080 with causes built from the
 * user's policy (§4.3); success changes the password, kills older recovery tokens and consumes the
 * stateToken (§4.4).
 */
export function resetPassword(
  deps: FlowDeps,
  stateToken: string,
  newPassword: string,
  revokeSessions: boolean | undefined,
): Body {
  const txn = liveTransaction(deps, stateToken, 'PASSWORD_RESET');
  const user = userOf(deps, txn);
  const now = deps.clock.now();
  const causes = passwordViolations(user.policy, user, newPassword, now);
  if (causes.length > 0) throw new OktaApiError('E0000080', causes);
  deps.store.changePassword(user, newPassword);
  // §4.1: "revokes all user sessions, except for the current session"; the emulator counts it.
  user.lastRevokeSessions = revokeSessions ?? false;
  if (revokeSessions) user.sessionsRevoked += 1;
  deps.store.endTransaction(txn.stateToken);
  return successBody(user, newSessionToken(), now + SESSION_TOKEN_LIFETIME_MS, undefined, txn.relayState);
}
