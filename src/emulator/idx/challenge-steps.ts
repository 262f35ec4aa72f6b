/**
 * The email authenticator and what follows it (contract §4, §5, §7): challenge, resend, poll and
 * every `challenge/answer` (code, security question, new password).
 */
import { passwordViolations, requirementsText } from '../policy.js';
import { sameAnswer } from '../recovery-steps.js';
import type { UserRecord } from '../store.js';
import { EMAIL_AUTHENTICATOR_ID, PASSWORD_AUTHENTICATOR_ID, QUESTION_AUTHENTICATOR_ID } from './authenticators.js';
import type { IdxDeps, StepReply } from './deps.js';
import { current, needsQuestion, viewOf } from './deps.js';
import { IdxError } from './errors.js';
import type { Json } from './ion.js';
import { message, withFieldMessage } from './ion.js';
import { newOtp } from './transactions.js';
import type { IdxMessage, IdxTransaction } from './transactions.js';
import type { Handles } from './start-steps.js';
import { liveTransaction, login, notOffered } from './start-steps.js';
import { stateBody, tooManyRequestsBody } from './views.js';

/** The form back with a message on one field (§2.2), as an error of `status`. */
function fieldError(deps: IdxDeps, origin: string, txn: IdxTransaction, status: number, path: string[], msg: IdxMessage): IdxError {
  return new IdxError(status, withFieldMessage(stateBody(viewOf(deps, origin, txn)), path, msg));
}

/** A new code; emailed only to a real user (§11.7; §12: inferred that a decoy sends nothing). */
async function sendCode(deps: IdxDeps, txn: IdxTransaction): Promise<void> {
  const code = newOtp(deps.settings.otpFormat);
  txn.otp = { code, issuedAtMs: deps.clock.now() };
  const user = deps.store.userById(txn.userId);
  if (!user) return;
  deps.lastOtps.set(user.login.toLowerCase(), code);
  const callback = txn.client.emailVerifyCallback;
  const query = new URLSearchParams({ otp: code, state: txn.state }).toString();
  await deps.mailer.sendRecoveryCode(user, {
    otp: code,
    state: txn.state,
    magicLink: callback === undefined ? undefined : `${callback}?${query}`,
    lifetimeMs: deps.settings.otpLifetimeMs,
  });
}

/** `{authenticator:{id}}` (AUTHJS) or `{authenticator:{id, methodType}}` / `{id, methodType}` (GW) (§10.3). */
function authenticatorIdOf(body: Json): unknown {
  const nested = body['authenticator'];
  if (typeof nested === 'object' && nested !== null) return (nested as Json)['id'];
  return body['id'];
}

/**
 * `POST /idp/idx/challenge` (§4.1): select the email (from `authenticator-verification-data` or
 * `select-authenticator-authenticate`, also to switch back to it) and send the code. In path B the
 * password may be selected, which shows its challenge with `recover` again (§3.2).
 */
export async function challenge(deps: IdxDeps, origin: string, handles: Handles, body: Json): Promise<StepReply> {
  const txn = liveTransaction(deps, handles);
  const id = authenticatorIdOf(body);
  // Re-selecting the authenticator being challenged shows its challenge again (path B password §3.2; question [F-11c]).
  if (txn.step === 'password-challenge' && id === PASSWORD_AUTHENTICATOR_ID) return current(deps, origin, txn);
  if (txn.step === 'security-question' && id === QUESTION_AUTHENTICATOR_ID) return current(deps, origin, txn);
  if (txn.step !== 'select-email' && txn.step !== 'email-challenge') throw notOffered(deps, origin, txn);
  if (id !== EMAIL_AUTHENTICATOR_ID) {
    const msg = message('ERROR', 'E0000001', 'Api validation failed: authenticator');
    throw new IdxError(400, current(deps, origin, txn, 400, [msg]).body);
  }
  await sendCode(deps, txn);
  txn.step = 'email-challenge';
  return current(deps, origin, txn);
}

/** `POST /idp/idx/challenge/resend` (§4.3): a new code and email (the old code dies), same form. */
export async function resend(deps: IdxDeps, origin: string, handles: Handles): Promise<StepReply> {
  const txn = liveTransaction(deps, handles);
  if (txn.step !== 'email-challenge' && txn.step !== 'select-email') throw notOffered(deps, origin, txn);
  await sendCode(deps, txn);
  txn.step = 'email-challenge';
  return current(deps, origin, txn);
}

/** `POST /idp/idx/challenge/poll` (§4.4): the current state, which has moved on once the code was accepted. */
export function poll(deps: IdxDeps, origin: string, handles: Handles): StepReply {
  return current(deps, origin, liveTransaction(deps, handles));
}

const credentialsOf = (body: Json): Json => {
  const c = body['credentials'];
  return typeof c === 'object' && c !== null ? (c as Json) : {};
};

/** `POST /idp/idx/challenge/answer`: what it means depends on the remediation the transaction waits for. */
export function answer(deps: IdxDeps, origin: string, handles: Handles, body: Json): StepReply {
  const txn = liveTransaction(deps, handles);
  const credentials = credentialsOf(body);
  switch (txn.step) {
    case 'email-challenge':
      return answerCode(deps, origin, txn, credentials['passcode']);
    case 'security-question':
      return answerQuestion(deps, origin, txn, credentials['answer']);
    case 'reset-password':
      return resetPassword(deps, origin, txn, credentials['passcode'], credentials['revokeSessions']);
    case 'password-challenge':
      return login(deps, origin, txn, txn.userId, credentials['passcode']);
    default:
      throw notOffered(deps, origin, txn);
  }
}

const failureKey = (txn: IdxTransaction): string => txn.userId ?? `decoy:${(txn.identifier ?? '').toLowerCase()}`;

/**
 * §4.2 / §11.9: a wrong, expired (older than the lifetime, §4.5) or decoy code → 401 with
 * PASSCODE_INVALID on the field [F-07]; the 5th wrong one within 5 minutes, and any try while
 * that lasts → 429 tooManyRequests [F-07b]. A right code is spent (single use).
 */
function answerCode(deps: IdxDeps, origin: string, txn: IdxTransaction, passcode: unknown): StepReply {
  const now = deps.clock.now();
  const limits = deps.settings.rateLimits;
  const key = failureKey(txn);
  const recent = (deps.otpFailures.get(key) ?? []).filter((t) => now - t < limits.otpWindowMs);
  deps.otpFailures.set(key, recent);
  if (recent.length >= limits.otpAttempts) throw new IdxError(429, tooManyRequestsBody(txn));
  const given = typeof passcode === 'string' ? passcode.trim() : '';
  const otp = txn.otp;
  const user = deps.store.userById(txn.userId);
  const fresh = otp !== undefined && now - otp.issuedAtMs < deps.settings.otpLifetimeMs;
  if (!user || !fresh || given.toUpperCase() !== otp.code.toUpperCase()) {
    recent.push(now);
    if (recent.length >= limits.otpAttempts) throw new IdxError(429, tooManyRequestsBody(txn));
    const msg = message('ERROR', 'api.authn.error.PASSCODE_INVALID', 'Invalid code. Try again.', []);
    throw fieldError(deps, origin, txn, 401, ['credentials', 'passcode'], msg);
  }
  txn.otp = undefined;
  deps.otpFailures.delete(key);
  txn.step = needsQuestion(deps, user) ? 'security-question' : 'reset-password';
  return current(deps, origin, txn);
}

/**
 * §7: a wrong answer → 401 with answer_invalid on the field [F-11b] (status inferred, §12). The
 * policy's `maxWrongAnswers`-th consecutive wrong answer locks the user out and ends the
 * transaction: 403 `authfactor.challenge.suspended_factor` (modelled on Classic's lockout, §6.2).
 */
function answerQuestion(deps: IdxDeps, origin: string, txn: IdxTransaction, given: unknown): StepReply {
  const user = deps.store.userById(txn.userId) as UserRecord;
  if (typeof given !== 'string' || !user.recoveryQuestion || !sameAnswer(given, user.recoveryQuestion.answer)) {
    user.wrongAnswers += 1;
    if (user.wrongAnswers >= user.policy.maxWrongAnswers) {
      deps.store.lockOut(user);
      deps.txns.endAllOf(user.id);
      const msg = message(
        'ERROR',
        'authfactor.challenge.suspended_factor',
        'This factor is suspended for your account due to too many failed attempts',
      );
      throw new IdxError(403, { version: '1.0.0', messages: { type: 'array', value: [msg] } });
    }
    const msg = message('ERROR', 'authfactor.challenge.question_factor.answer_invalid', "Your answer doesn't match our records. Please try again.");
    throw fieldError(deps, origin, txn, 401, ['credentials', 'answer'], msg);
  }
  user.wrongAnswers = 0;
  txn.step = 'reset-password';
  return current(deps, origin, txn);
}

const NOT_MET = 'Password requirements were not met. ';

/**
 * §5.2 / §11.11: the policy check of the Classic emulator (complexity, minimum age, history, the
 * current password), every failure folded into `password.passwordRequirementsNotMet` [F-08c] with
 * the requirements text as its param (400: form validation, §6.1). On success the password changes
 * *now* (§5.4), then `successWithInteractionCode` [F-09].
 */
function resetPassword(
  deps: IdxDeps,
  origin: string,
  txn: IdxTransaction,
  passcode: unknown,
  revokeSessions: unknown,
): StepReply {
  const user = deps.store.userById(txn.userId) as UserRecord;
  const path = ['credentials', 'passcode'];
  if (deps.settings.resetFailure === 'ldap') {
    throw fieldError(deps, origin, txn, 400, path, message('ERROR', 'app.ldap.password.reset.failed', 'Password reset failed.'));
  }
  const password = typeof passcode === 'string' ? passcode : '';
  if (password === '' || passwordViolations(user.policy, user, password, deps.clock.now()).length > 0) {
    const text = requirementsText(user.policy);
    const params = [text.startsWith(NOT_MET) ? text.slice(NOT_MET.length) : text];
    throw fieldError(deps, origin, txn, 400, path, message('ERROR', 'password.passwordRequirementsNotMet', text, params));
  }
  deps.store.changePassword(user, password);
  // §5.1 revokeSessions: counted, as the Classic emulator counts it (§4.1 there).
  user.lastRevokeSessions = revokeSessions === true;
  if (revokeSessions === true) user.sessionsRevoked += 1;
  deps.txns.endAllOf(user.id, txn);
  if (deps.settings.resetFailure === 'post-update-auth-failure') {
    txn.step = 'terminal';
    txn.terminal = message(
      'ERROR',
      'api.users.auth.error.POST_PASSWORD_UPDATE_AUTH_FAILURE',
      'Your password has been updated but there was a problem signing you in. Please try again or contact your administrator.',
    );
    return current(deps, origin, txn);
  }
  deps.txns.issueCode(txn, user.id);
  txn.step = 'success';
  return current(deps, origin, txn);
}
