/**
 * The start of an IDX recovery (contract §2–§3): introspect, recover, identify (both entry
 * policies) and cancel. Unknown users follow the org's enumeration-prevention setting (§6.3).
 */
import { IdxError, sessionExpired } from './errors.js';
import type { IdxDeps, StepReply } from './deps.js';
import { current, needsQuestion, recoverableUser } from './deps.js';
import type { Json } from './ion.js';
import { message, withFieldMessage } from './ion.js';
import type { IdxTransaction } from './transactions.js';

const objectOf = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});

export interface Handles {
  stateHandle?: string;
  interactionHandle?: string;
}

/** §11.2 / §10.1: a live transaction from `stateHandle` or AUTHJS's `stateToken`, else 401 [F-12]. */
export function liveTransaction(deps: IdxDeps, handles: Handles): IdxTransaction {
  const txn = deps.txns.find(handles);
  if (!txn) throw sessionExpired();
  deps.txns.touch(txn);
  return txn;
}

/** Okta's answer to a remediation the current state does not offer (modelled: docs/idx-emulator.md). */
export function notOffered(deps: IdxDeps, origin: string, txn: IdxTransaction): IdxError {
  const msg = message('ERROR', 'security.access_denied', 'You do not have permission to perform the requested action.');
  const reply = current(deps, origin, txn, 403, [msg]);
  return new IdxError(reply.status, reply.body);
}

/**
 * `POST /idp/idx/introspect` (§2): the *current* state. Path C (§3.3): the first introspect after
 * an interact with a recovery token lands on the security question when the org asks for it and
 * the user has one (§7, as after the email code), else on the new password; or on the terminal
 * "token no longer valid" [F-14b] when the token was spent or expired, or its user can no longer
 * recover (suspended, deprovisioned since).
 */
export function introspect(deps: IdxDeps, origin: string, handles: Handles): StepReply {
  const txn = liveTransaction(deps, handles);
  const recovery = txn.recovery;
  if (recovery) {
    txn.recovery = undefined;
    const user = recovery.kind === 'token' ? deps.store.userById(recovery.userId) : undefined;
    if (user && (user.status === 'ACTIVE' || user.status === 'LOCKED_OUT')) {
      deps.txns.assignUser(txn, user.id);
      txn.identifier = user.login;
      txn.identified = true;
      txn.step = needsQuestion(deps, user) ? 'security-question' : 'reset-password';
    } else {
      txn.step = 'terminal';
      txn.terminal = message('ERROR', 'idx.invalid.forgot.password.token', 'Your reset password token is no longer valid.');
    }
  }
  return current(deps, origin, txn);
}

/**
 * `POST /idp/idx/recover` (§3.1, §3.2): from the one-page identify (path A) to `identify-recovery`;
 * from the identifier-first password challenge (path B) straight to the email. SSPR off in the
 * password policy → 403 [F-12c].
 */
export function recover(deps: IdxDeps, origin: string, handles: Handles): StepReply {
  const txn = liveTransaction(deps, handles);
  const pathA = txn.step === 'identify' && deps.settings.entry === 'password-recover';
  if (!pathA && txn.step !== 'password-challenge') throw notOffered(deps, origin, txn);
  if (!deps.settings.ssprAllowed) {
    const msg = message(
      'ERROR',
      'oie.selfservice.reset.password.not.allowed',
      'Reset password is not allowed at this time. Please contact support for assistance.',
    );
    const reply = current(deps, origin, txn, 403, [msg]);
    throw new IdxError(reply.status, reply.body);
  }
  txn.step = pathA ? 'identify-recovery' : 'select-email';
  return current(deps, origin, txn);
}

/**
 * `POST /idp/idx/identify` (§3.1 `identify-recovery`; §3.2 identifier-first `identify`). A user who
 * cannot recover (unknown, suspended, deprovisioned) becomes a decoy under enumeration prevention
 * (identical responses, no email, every code fails); with it off, the same form comes back with
 * `idx.unknown.user` (INFO for recovery [F-04c], WARNING for the login form [F-04d]).
 */
export function identify(deps: IdxDeps, origin: string, handles: Handles, body: Json): StepReply {
  const identifier = body['identifier'];
  const password = objectOf(body['credentials'])['passcode'];
  const txn = liveTransaction(deps, handles);
  const recovering = txn.step === 'identify-recovery';
  const identifierFirst = txn.step === 'identify' && deps.settings.entry === 'identifier-first';
  const onePageLogin = txn.step === 'identify' && !identifierFirst;
  if (!recovering && !txn.step.startsWith('identify')) throw notOffered(deps, origin, txn);
  const blank = (path: string[]): IdxError => {
    const msg = message('ERROR', 'model.validation.field.blank', 'This field cannot be left blank');
    return new IdxError(400, withFieldMessage(current(deps, origin, txn).body, path, msg));
  };
  if (typeof identifier !== 'string' || identifier.trim() === '') throw blank(['identifier']);
  // [F-04e]: any token passes (the emulator cannot ask hCaptcha), but one must come.
  if (recovering && deps.settings.captcha && !objectOf(body['captchaVerify'])['captchaToken']) {
    throw blank(['captchaVerify', 'captchaToken']);
  }
  const user = recoverableUser(deps, identifier);
  if (user && deps.settings.unassignedUsers.some((login) => login.toLowerCase() === user.login.toLowerCase())) {
    const msg = message('ERROR', 'idx.error.user.not.assigned.to.app', 'User is not assigned to this application.');
    throw new IdxError(403, current(deps, origin, txn, 403, [msg]).body);
  }
  if (!user && !deps.settings.userEnumerationPrevention) {
    const msg = message('INFO', 'idx.unknown.user', `There is no account with the Username ${identifier.trim()}.`, []);
    if (!recovering) msg.class = 'WARNING';
    throw new IdxError(400, current(deps, origin, txn, 400, [msg]).body);
  }
  if (onePageLogin) return login(deps, origin, txn, user?.id ?? null, password);
  txn.identifier = identifier.trim();
  deps.txns.assignUser(txn, user?.id ?? null);
  txn.identified = identifierFirst;
  txn.step = recovering ? 'select-email' : 'password-challenge';
  return current(deps, origin, txn);
}

/**
 * Primary authentication on the one-page form or the identifier-first password challenge: not
 * part of recovery, but it lets a test prove over IDX that a new password took effect.
 */
export function login(deps: IdxDeps, origin: string, txn: IdxTransaction, userId: string | null, password: unknown): StepReply {
  const user = deps.store.userById(userId);
  if (!user || user.status !== 'ACTIVE' || typeof password !== 'string' || password !== user.password) {
    const msg = message('ERROR', 'errors.E0000004', 'Authentication failed');
    throw new IdxError(401, current(deps, origin, txn, 401, [msg]).body);
  }
  deps.txns.assignUser(txn, user.id);
  txn.identifier ??= user.login;
  deps.txns.issueCode(txn, user.id);
  txn.step = 'success';
  return current(deps, origin, txn);
}

/**
 * `POST /idp/idx/cancel` (§6.5): the transaction ends and a fresh `identify` comes back on a new
 * handle [F-13], for the same client and interact parameters.
 */
export function cancel(deps: IdxDeps, origin: string, handles: Handles): StepReply {
  const txn = liveTransaction(deps, handles);
  deps.txns.end(txn);
  const fresh = deps.txns.create({
    client: txn.client,
    authServerId: txn.authServerId,
    redirectUri: txn.redirectUri,
    scope: txn.scope,
    state: txn.state,
    codeChallenge: txn.codeChallenge,
    nonce: txn.nonce,
    recovery: undefined,
  });
  return current(deps, origin, fresh);
}
