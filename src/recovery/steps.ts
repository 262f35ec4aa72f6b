/**
 * The recovery use cases, one function per step of the state table (states.ts). Each takes the
 * current flow and the user's input, talks to Okta through okta/, and returns an Outcome plus the
 * next flow state. Pages and the JSON API both call these; neither knows Okta's wire format.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { AbuseLimits } from '../limits/abuse-limits.js';
import type { LimitVerdict } from '../limits/verdict.js';
import type { Auditor } from '../observability/audit.js';
import type { Mailer } from '../mail/mailer.js';
import { mailUserOf } from '../mail/recipient.js';
import * as authn from '../okta/authn.js';
import type { OktaClient } from '../okta/client.js';
import type { EndUserContext } from '../okta/context.js';
import type { OktaTransaction } from '../okta/schemas.js';
import type { OktaEmails } from './okta-emails.js';
import { checkText, isPlausibleRecoveryToken, normaliseUsername } from './input.js';
import { outcomeOfOktaFailure } from './okta-failures.js';
import type { Outcome } from './outcomes.js';
import { normalisePolicy, unmetRequirements } from './password-policy.js';
import { safeRedirectTarget } from './return-to.js';
import { stepAllowed, type FlowState, type FlowUser, type StepName } from './states.js';

export interface RecoveryDeps {
  readonly config: Config;
  readonly okta: OktaClient;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly audit: Auditor;
  /** Abuse limits and the Okta budget (limits/): checked before Okta is called. */
  readonly limits: AbuseLimits;
  /** Our own emails; null/absent without SMTP_URL (then Okta sends every email). */
  readonly mailer?: Mailer | null;
  /** EMAIL_DELIVERY=okta: asks Okta to send the recovery email after the response (okta-emails.ts). */
  readonly oktaEmails: OktaEmails;
}

/** undefined: leave the flow cookie as it is; null: clear it; a state: seal and set it. */
export interface StepResult {
  readonly outcome: Outcome;
  readonly flow?: FlowState | null;
}

/** How long an emailed link may wait in the cookie for the user's click: Okta's usual token lifetime. */
const LINK_WAIT_MS = 60 * 60 * 1000;
/** Okta's stateToken lives about 5 minutes, sliding (contract §9); used only if expiresAt is missing. */
const STATE_TOKEN_FALLBACK_MS = 5 * 60 * 1000;
const DONE_PAGE_MS = 10 * 60 * 1000;
export const RELAY_STATE_MAX_LENGTH = 2048;

/**
 * One audit event per step and outcome (observability/audit.ts): our request id comes from the
 * end-user context, Okta's X-Okta-Request-Id from the error or from the calls made with it.
 */
function audit(deps: RecoveryDeps, context: EndUserContext | undefined, step: StepName, outcome: Outcome, error?: unknown): void {
  deps.audit.record(step, outcome, { context, error });
}

function expiryOf(deps: RecoveryDeps, transaction: OktaTransaction): number {
  const parsed = transaction.expiresAt ? Date.parse(transaction.expiresAt) : Number.NaN;
  return Number.isFinite(parsed) ? parsed : deps.clock.now() + STATE_TOKEN_FALLBACK_MS;
}

function userOf(transaction: OktaTransaction): FlowUser {
  const profile = transaction._embedded?.user?.profile;
  return {
    login: profile?.login ?? undefined,
    firstName: profile?.firstName ?? undefined,
    lastName: profile?.lastName ?? undefined,
  };
}

/**
 * Follow Okta's `status`, not an assumed order (contract §0): RECOVERY asks the question,
 * PASSWORD_RESET asks for the password. A RECOVERY with no question (guardian's mocks, §2.4) can
 * only go on to the password.
 */
function advance(deps: RecoveryDeps, context: EndUserContext, step: StepName, transaction: OktaTransaction, relayState?: string): StepResult {
  const stateToken = transaction.stateToken;
  const question = transaction._embedded?.user?.recovery_question?.question;
  const common = { stateToken: stateToken ?? '', user: userOf(transaction), relayState, expiresAt: expiryOf(deps, transaction) };
  if (stateToken && transaction.status === 'RECOVERY' && question) {
    const outcome: Outcome = { kind: 'ask-question', question };
    audit(deps, context, step, outcome);
    return { outcome, flow: { phase: 'awaiting-answer', question, ...common } };
  }
  if (stateToken && (transaction.status === 'PASSWORD_RESET' || transaction.status === 'RECOVERY')) {
    const policy = normalisePolicy(transaction._embedded?.policy);
    const outcome: Outcome = { kind: 'choose-password', policy };
    audit(deps, context, step, outcome);
    return { outcome, flow: { phase: 'awaiting-password', policy, ...common } };
  }
  const outcome: Outcome = { kind: 'upstream-unavailable' };
  deps.logger.warn({ event: 'okta.unexpected-status', step, oktaStatus: transaction.status }, 'Okta answered a state this flow cannot continue from');
  audit(deps, context, step, outcome);
  return { outcome, flow: null };
}

/**
 * A limit refused the step: 429 with Retry-After, or a retryable 503 when the shared counters are
 * unreachable (REDIS_FAILURE_MODE=closed). The flow cookie stays as it is, for the retry.
 */
function refused(deps: RecoveryDeps, context: EndUserContext, step: StepName, verdict: Exclude<LimitVerdict, { kind: 'ok' }>): StepResult {
  const outcome: Outcome =
    verdict.kind === 'limited' ? { kind: 'rate-limited', retryAfterSeconds: verdict.retryAfterSeconds } : { kind: 'upstream-unavailable' };
  audit(deps, context, step, outcome);
  return { outcome };
}

function failed(deps: RecoveryDeps, context: EndUserContext, step: StepName, error: unknown, flow?: FlowState | null): StepResult {
  const outcome = outcomeOfOktaFailure(error, step);
  audit(deps, context, step, outcome, error);
  return { outcome, flow };
}

/**
 * Step 1: ask Okta to email a recovery link. Every syntactically valid username gets the same
 * answer, at the same time: Okta is asked after the response in either delivery mode, so neither
 * its answer (a refusal: E0000034, E0000006, E0000119, E0000095) nor its timing reaches the user.
 * Only our own limits can refuse a start (429, or 503 when the shared counters are unreachable).
 */
export async function startRecovery(
  deps: RecoveryDeps,
  input: { username: unknown; relayState?: unknown },
  context: EndUserContext,
): Promise<Outcome> {
  const username = normaliseUsername(input.username);
  const invalid = checkText('username', username);
  if (invalid) return { kind: 'invalid-input', ...invalid };
  const relayState = typeof input.relayState === 'string' && input.relayState !== '' ? input.relayState : undefined;
  if (relayState && relayState.length > RELAY_STATE_MAX_LENGTH) return { kind: 'invalid-input', field: 'relayState', problem: 'too-long' };
  // Only allowed targets are forwarded: Okta would otherwise carry an attacker's URL for us.
  const allowedRelayState = relayState ? safeRelayState(deps.config, relayState) : undefined;

  // Checked before anything is sent, so a refused request never costs an email or an Okta call.
  // Known and unknown usernames are counted alike, so a 429 reveals nothing about the account.
  const admission = await deps.limits.admitStart(username as string, context.clientIp);
  if (admission.kind !== 'ok') return refused(deps, context, 'start', admission).outcome;

  if (deps.config.email.delivery === 'service' && deps.mailer) {
    // Service delivery: only enqueue. Okta's trusted variant answers unknown users with E0000095
    // (contract §1.5), so asking it here would make the answer, or its timing, reveal accounts.
    // The queue asks Okta and sends our email after this response has gone.
    await deps.mailer.sendRecoveryLink({ username: username as string, relayState: allowedRelayState }, context);
    const outcome: Outcome = { kind: 'email-sent' };
    audit(deps, context, 'start', outcome);
    return outcome;
  }

  // Okta delivery: Okta's answer time would say whether it sent an email, so it is asked after
  // this response too; its audit event is written when it has answered (okta-emails.ts).
  deps.oktaEmails.request({ username: username as string, relayState: allowedRelayState }, context);
  return { kind: 'email-sent' };
}

function safeRelayState(config: Config, relayState: string): string | undefined {
  const target = safeRedirectTarget(relayState, { publicUrl: config.publicUrl, allowedOrigins: config.allowedRedirectOrigins, fallback: '' });
  return target || undefined;
}

/**
 * The emailed link was opened (GET). Mail scanners open links before people do, so this spends
 * nothing: the token is sealed into the cookie and spent only by the user's POST (verify).
 */
export function receiveLink(deps: RecoveryDeps, token: unknown): StepResult {
  if (!isPlausibleRecoveryToken(token)) {
    const outcome: Outcome = { kind: 'link-dead' };
    audit(deps, undefined, 'receive-link', outcome);
    // No flow change: a made-up link (a cross-site GET, say) must not end the user's own flow.
    return { outcome };
  }
  return {
    outcome: { kind: 'link-received' },
    flow: { phase: 'link-received', recoveryToken: token, expiresAt: deps.clock.now() + LINK_WAIT_MS },
  };
}

/** Step 2: spend the recovery token with Okta. The token comes from the cookie (pages) or the body (API). */
export async function verifyRecoveryToken(deps: RecoveryDeps, token: unknown, context: EndUserContext): Promise<StepResult> {
  if (!isPlausibleRecoveryToken(token)) {
    const outcome: Outcome = { kind: 'link-dead' };
    audit(deps, context, 'verify', outcome);
    return { outcome, flow: null };
  }
  // Token guessing: each verification counts against the client IP until it turns out genuine.
  const admission = await deps.limits.admitVerify(context.clientIp);
  if (admission.kind !== 'ok') return refused(deps, context, 'verify', admission);
  let transaction: OktaTransaction;
  try {
    transaction = await authn.verifyRecoveryToken(deps.okta, token, context);
  } catch (error) {
    const outcome = outcomeOfOktaFailure(error, 'verify');
    // Only an outage is given back: a refused token was a guess, and one Okta answered 429 still
    // spent the org's authn bucket (a spray must not get its attempts back that way).
    if (outcome.kind === 'upstream-unavailable') await deps.limits.giveBackVerify(context.clientIp);
    // A dead link ends the flow; a rate limit or outage keeps the stashed link for a retry.
    return failed(deps, context, 'verify', error, outcome.kind === 'link-dead' ? null : undefined);
  }
  await deps.limits.giveBackVerify(context.clientIp);
  return advance(deps, context, 'verify', transaction, transaction.relayState ?? undefined);
}

export async function verifyStashedLink(deps: RecoveryDeps, flow: FlowState | null, context: EndUserContext): Promise<StepResult> {
  if (!flow) return { outcome: { kind: 'flow-expired' }, flow: null };
  if (flow.phase !== 'link-received' || !stepAllowed(flow, 'verify')) return { outcome: { kind: 'out-of-order' } };
  return verifyRecoveryToken(deps, flow.recoveryToken, context);
}

/** Step 3: the recovery question. A wrong answer may be retried, up to our own limit per link. */
export async function answerQuestion(
  deps: RecoveryDeps,
  flow: FlowState | null,
  answer: unknown,
  context: EndUserContext,
): Promise<StepResult> {
  if (!flow) return { outcome: { kind: 'flow-expired' }, flow: null };
  if (flow.phase !== 'awaiting-answer') return { outcome: { kind: 'out-of-order' } };
  const invalid = checkText('answer', answer);
  if (invalid) return { outcome: { kind: 'invalid-input', ...invalid } };

  // Counted on the server per emailed link (MAX_WRONG_ANSWERS), so replaying an older cookie
  // cannot reset the count; Okta keeps its own count as well (contract §3.3).
  const admission = await deps.limits.admitAnswer(flow.stateToken);
  if (admission.kind === 'store-down') return refused(deps, context, 'answer', admission);
  if (admission.kind === 'exhausted') return attemptsExhausted(deps, flow.stateToken, context);

  try {
    const transaction = await authn.answerRecoveryQuestion(deps.okta, { stateToken: flow.stateToken, answer: answer as string }, context);
    await deps.limits.giveBackAnswer(flow.stateToken);
    return advance(deps, context, 'answer', transaction, flow.relayState);
  } catch (error) {
    const outcome = outcomeOfOktaFailure(error, 'answer');
    if (outcome.kind === 'wrong-answer') {
      if (admission.remaining === 0) return attemptsExhausted(deps, flow.stateToken, context, error);
      return failed(deps, context, 'answer', error);
    }
    // Not a wrong answer (Okta busy, down, or the flow gone): the attempt does not count.
    await deps.limits.giveBackAnswer(flow.stateToken);
    const keep = outcome.kind === 'rate-limited' || outcome.kind === 'upstream-unavailable';
    return failed(deps, context, 'answer', error, keep ? undefined : null);
  }
}

/** The last wrong answer was given: end Okta's transaction too, and the user needs a new link. */
async function attemptsExhausted(deps: RecoveryDeps, stateToken: string, context: EndUserContext, error?: unknown): Promise<StepResult> {
  await cancelQuietly(deps, stateToken, context);
  const outcome: Outcome = { kind: 'attempts-exhausted' };
  audit(deps, context, 'answer', outcome, error);
  return { outcome, flow: null };
}

/** Step 4: the new password, checked against the policy we can see, then judged by Okta. */
export async function chooseNewPassword(
  deps: RecoveryDeps,
  flow: FlowState | null,
  input: { newPassword: unknown; revokeSessions: boolean },
  context: EndUserContext,
): Promise<StepResult> {
  if (!flow) return { outcome: { kind: 'flow-expired' }, flow: null };
  if (flow.phase !== 'awaiting-password') return { outcome: { kind: 'out-of-order' } };
  // Over 256 code points is a field error like the username's and the answer's (docs/openapi.yaml,
  // docs/recovery-flow.md), with its own message: the page's checklist has no maxLength row to mark.
  const invalid = checkText('newPassword', input.newPassword);
  if (invalid) return { outcome: { kind: 'invalid-input', ...invalid } };
  const newPassword = input.newPassword as string;
  const unmet = unmetRequirements(flow.policy, newPassword, flow.user);
  if (unmet.length > 0) {
    const outcome: Outcome = { kind: 'password-rejected', unmet, causes: [] };
    audit(deps, context, 'reset', outcome);
    return { outcome };
  }

  let transaction: OktaTransaction;
  try {
    transaction = await authn.resetPassword(deps.okta, { stateToken: flow.stateToken, newPassword, revokeSessions: input.revokeSessions }, context);
  } catch (error) {
    const outcome = outcomeOfOktaFailure(error, 'reset');
    const keep = outcome.kind !== 'flow-expired';
    return failed(deps, context, 'reset', error, keep ? undefined : null);
  }
  // SUCCESS embeds the user (login, locale, timeZone); the flow's copy covers a body without it.
  const changed = mailUserOf(transaction);
  await deps.mailer?.notifyPasswordChanged({ ...changed, login: changed.login ?? flow.user.login, firstName: changed.firstName ?? flow.user.firstName }, context);
  // Any 200 means the password changed, even MFA_REQUIRED/MFA_ENROLL (contract §4.5).
  const redirectTo = safeRedirectTarget(flow.relayState, {
    publicUrl: deps.config.publicUrl,
    allowedOrigins: deps.config.allowedRedirectOrigins,
    fallback: deps.config.successRedirectUrl,
  });
  const outcome: Outcome = { kind: 'password-changed', redirectTo };
  audit(deps, context, 'reset', outcome);
  return { outcome, flow: { phase: 'done', redirectTo, expiresAt: deps.clock.now() + DONE_PAGE_MS } };
}

/**
 * The user walks away ("cancel"): revoke Okta's stateToken so the transaction cannot be resumed
 * (contract §6), and forget the flow. Cancelling with no flow is already done, not an error.
 */
export async function cancelRecovery(deps: RecoveryDeps, flow: FlowState | null, context: EndUserContext): Promise<StepResult> {
  if (flow && (flow.phase === 'awaiting-answer' || flow.phase === 'awaiting-password')) {
    await cancelQuietly(deps, flow.stateToken, context);
  }
  const outcome: Outcome = { kind: 'cancelled' };
  deps.audit.record('cancel', outcome, { context });
  return { outcome, flow: null };
}

async function cancelQuietly(deps: RecoveryDeps, stateToken: string, context: EndUserContext): Promise<void> {
  try {
    await authn.cancelTransaction(deps.okta, stateToken, context);
  } catch (error) {
    deps.logger.warn({ event: 'okta.cancel-failed', err: (error as Error).name }, 'could not cancel the Okta transaction');
  }
}
