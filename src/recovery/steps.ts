/**
 * The recovery use cases, one function per step of the state table (states.ts). Each asks the
 * table whether it may run, takes the user's input, drives the engine port (engine.ts: Classic or
 * Identity Engine, chosen once at start-up) and returns an Outcome plus the next flow state. Pages
 * and the JSON API both call these; neither knows an engine, and these know no wire format.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config, RecoveryMethod } from '../config.js';
import type { AbuseLimits } from '../limits/abuse-limits.js';
import type { LimitVerdict } from '../limits/verdict.js';
import type { Auditor } from '../observability/audit.js';
import type { Mailer } from '../mail/mailer.js';
import type { EndUserContext } from '../okta/context.js';
import type { EngineResult, FlowUser, RecoveryEngine } from './engine.js';
import { checkText, isPlausibleCodeLink, isPlausibleRecoveryToken, normaliseCode, normaliseUsername } from './input.js';
import type { Outcome } from './outcomes.js';
import { unmetRequirements, type PasswordPolicy } from './password-policy.js';
import { safeRedirectTarget } from './return-to.js';
import { ON_NEW_LINK, stepAllowed, type FlowState, type StepName } from './states.js';

export interface RecoveryDeps {
  readonly config: Config;
  /** The engine behind the port: Classic or Identity Engine (OKTA_ENGINE). */
  readonly engine: RecoveryEngine;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly audit: Auditor;
  /** Abuse limits and the Okta budget (limits/): checked before Okta is called. */
  readonly limits: AbuseLimits;
  /** Our own emails; null/absent without SMTP_URL (then Okta sends every email). */
  readonly mailer?: Mailer | null;
}

/** undefined: leave the flow cookie as it is; null: clear it; a state: seal and set it. */
export interface StepResult {
  readonly outcome: Outcome;
  readonly flow?: FlowState | null;
}

/** How long an emailed link may wait in the cookie for the user's click: Okta's usual token lifetime. */
const LINK_WAIT_MS = 60 * 60 * 1000;
/** How long another browser shows a magic link's code: the email code's default lifetime (IDX §4.5). */
const CODE_SHOWN_MS = 5 * 60 * 1000;
/** Between two codes: Okta's own widget offers "resend" after 30 s (IDX contract §4.3). */
export const RESEND_COOLDOWN_MS = 30 * 1000;
const DONE_PAGE_MS = 10 * 60 * 1000;
export const RELAY_STATE_MAX_LENGTH = 2048;

/**
 * One audit event per step and outcome (observability/audit.ts): our request id comes from the
 * end-user context, Okta's X-Okta-Request-Id from the error or from the calls made with it.
 */
function audit(deps: RecoveryDeps, context: EndUserContext | undefined, step: StepName, outcome: Outcome, error?: unknown): void {
  deps.audit.record(step, outcome, { context, error });
}

function finish(deps: RecoveryDeps, context: EndUserContext | undefined, step: StepName, result: StepResult, error?: unknown): StepResult {
  audit(deps, context, step, result.outcome, error);
  return result;
}

/** The step may not run in this phase (states.ts): no flow at all is an expired one. */
function notNow(flow: FlowState | null): StepResult {
  return flow ? { outcome: { kind: 'out-of-order' } } : { outcome: { kind: 'flow-expired' }, flow: null };
}

/**
 * A limit refused the step: 429 with Retry-After, or a retryable 503 when the shared counters are
 * unreachable (REDIS_FAILURE_MODE=closed). The flow cookie stays as it is, for the retry.
 */
function refused(deps: RecoveryDeps, context: EndUserContext, step: StepName, verdict: Exclude<LimitVerdict, { kind: 'ok' }>): StepResult {
  const outcome: Outcome =
    verdict.kind === 'limited' ? { kind: 'rate-limited', retryAfterSeconds: verdict.retryAfterSeconds } : { kind: 'upstream-unavailable' };
  return finish(deps, context, step, { outcome });
}

/** A dead link, an expired flow or used-up attempts end the flow; anything else may be retried in it. */
const ENDS_FLOW: ReadonlySet<Outcome['kind']> = new Set(['link-dead', 'flow-expired', 'attempts-exhausted', 'account-locked']);

/**
 * Turns what the engine said into the outcome and the next flow state. Progress carries the
 * engine's session into the phase it asks for; relayState stays with the flow, once there is one.
 */
async function applied(deps: RecoveryDeps, context: EndUserContext, step: StepName, result: EngineResult, before: FlowState | null): Promise<StepResult> {
  // The flow's relayState once there is a flow; before that, whatever the engine carried (Classic's link).
  const relayState = before && 'session' in before ? before.relayState : 'relayState' in result ? result.relayState : undefined;
  // What Okta says of the user now, over what the flow knew (a resend or an IDX answer may say less).
  const known = before && 'user' in before ? before.user : {};
  const userOf = (said: FlowUser): FlowUser => ({
    login: said.login ?? known.login,
    firstName: said.firstName ?? known.firstName,
    lastName: said.lastName ?? known.lastName,
  });
  switch (result.kind) {
    case 'email-sent':
      // Asked after the response: the engine records the audit event when Okta has answered.
      if (result.auditedLater) return { outcome: { kind: 'email-sent' } };
      return finish(deps, context, step, { outcome: { kind: 'email-sent' } }, result.error);
    case 'code-sent': {
      const { session, key, expiresAt, code, channel } = result;
      const flow: FlowState = { phase: 'awaiting-code', session, key, user: userOf(result.user), expiresAt, relayState, code, channel, resendAfter: deps.clock.now() + RESEND_COOLDOWN_MS };
      const outcome: Outcome = channel ? { kind: 'code-sent', channel, code } : { kind: 'email-sent', code };
      return finish(deps, context, step, { outcome, flow }, result.error);
    }
    case 'ask-question': {
      const { session, key, expiresAt, question } = result;
      const flow: FlowState = { phase: 'awaiting-answer', session, key, user: userOf(result.user), expiresAt, relayState, question };
      return finish(deps, context, step, { outcome: { kind: 'ask-question', question }, flow });
    }
    case 'choose-password': {
      const { session, key, expiresAt, policy } = result;
      const flow: FlowState = { phase: 'awaiting-password', session, key, user: userOf(result.user), expiresAt, relayState, policy };
      return finish(deps, context, step, { outcome: { kind: 'choose-password', policy }, flow });
    }
    case 'unlocked':
      return finish(deps, context, step, { outcome: { kind: 'account-unlocked' }, flow: { phase: 'unlocked', expiresAt: deps.clock.now() + DONE_PAGE_MS } });
    case 'password-changed': {
      // The engine's copy of the user covers what Okta said; the flow's covers a body without it.
      // Resolves once the job is kept (in Redis with REDIS_URL), never waiting on SMTP.
      await deps.mailer?.notifyPasswordChanged({ ...result.user, login: result.user.login ?? known.login, firstName: result.user.firstName ?? known.firstName }, context);
      const redirectTo = safeRedirectTarget(relayState, {
        publicUrl: deps.config.publicUrl,
        allowedOrigins: deps.config.allowedRedirectOrigins,
        fallback: deps.config.successRedirectUrl,
      });
      return finish(deps, context, step, { outcome: { kind: 'password-changed', redirectTo }, flow: { phase: 'done', redirectTo, expiresAt: deps.clock.now() + DONE_PAGE_MS } });
    }
    case 'refused':
      return finish(deps, context, step, { outcome: result.outcome, flow: result.endsFlow || ENDS_FLOW.has(result.outcome.kind) ? null : undefined }, result.error);
  }
}

/**
 * Step 1: ask Okta to email a link (Classic) or a code (IDX). Every syntactically valid username
 * gets the same answer. Classic asks Okta after the response in either delivery mode, so neither
 * its answer (a refusal: E0000034, E0000006, E0000119, E0000095) nor its timing reaches the user,
 * and only our own limits can refuse a start (429, or 503 when the shared counters are
 * unreachable). IDX must hear Okta's stateHandle before it answers (it goes in the cookie): its
 * engine folds Okta's refusals and unknown-user messages in, with as many Okta calls for each.
 */
export async function startRecovery(
  deps: RecoveryDeps,
  input: { username: unknown; relayState?: unknown; method?: unknown },
  context: EndUserContext,
): Promise<StepResult> {
  return start(deps, input, context, 'password');
}

/**
 * Self-service unlock (Classic, contract §5): the same start, asking Okta's /recovery/unlock by
 * email (its unlock link, answered before Okta is asked) or SMS (a code, as a phone recovery).
 * Offered only with SELF_SERVICE_UNLOCK (the web layer does not serve it otherwise); every
 * username gets the same answer.
 */
export async function startUnlock(deps: RecoveryDeps, input: { username: unknown; method?: unknown }, context: EndUserContext): Promise<StepResult> {
  const started = await start(deps, input, context, 'unlock');
  if (started.outcome.kind === 'email-sent') return { ...started, outcome: { kind: 'unlock-email-sent' } };
  if (started.flow?.phase === 'awaiting-code') return { ...started, flow: { ...started.flow, purpose: 'unlock' } };
  return started;
}

async function start(
  deps: RecoveryDeps,
  input: { username: unknown; relayState?: unknown; method?: unknown },
  context: EndUserContext,
  purpose: 'password' | 'unlock',
): Promise<StepResult> {
  const username = normaliseUsername(input.username);
  const invalid = checkText('username', username);
  if (invalid) return { outcome: { kind: 'invalid-input', ...invalid } };
  // A method the org does not offer (RECOVERY_METHODS, SELF_SERVICE_UNLOCK) is a client error, the same for every account.
  const method = methodOf(purpose === 'unlock' ? deps.config.unlockMethods : deps.config.recoveryMethods, input.method);
  if (!method) return { outcome: { kind: 'invalid-input', field: 'method', problem: 'invalid' } };
  const relayState = typeof input.relayState === 'string' && input.relayState !== '' ? input.relayState : undefined;
  if (relayState && relayState.length > RELAY_STATE_MAX_LENGTH) return { outcome: { kind: 'invalid-input', field: 'relayState', problem: 'too-long' } };
  // Only allowed targets are forwarded: Okta would otherwise carry an attacker's URL for us.
  const allowedRelayState = relayState ? safeRelayState(deps.config, relayState) : undefined;

  // Checked before anything is sent, so a refused request never costs an email or an Okta call.
  // Known and unknown usernames are counted alike, so a 429 reveals nothing about the account.
  const admission = await deps.limits.admitStart(username as string, context.clientIp);
  if (admission.kind !== 'ok') return refused(deps, context, 'start', admission);

  const result = await deps.engine.start({ username: username as string, purpose, method, relayState: allowedRelayState }, context);
  const started = await applied(deps, context, 'start', result, null);
  // IDX keeps relayState with us, not with Okta.
  if (started.flow?.phase === 'awaiting-code' && allowedRelayState) return { ...started, flow: { ...started.flow, relayState: allowedRelayState } };
  return started;
}

/** Absent or empty: email when offered, else the first method offered. */
function methodOf(offered: readonly RecoveryMethod[], raw: unknown): RecoveryMethod | undefined {
  if (raw === undefined || raw === null || raw === '') return offered.includes('email') ? 'email' : offered[0];
  return offered.find((method) => method === raw);
}

function safeRelayState(config: Config, relayState: string): string | undefined {
  const target = safeRedirectTarget(relayState, { publicUrl: config.publicUrl, allowedOrigins: config.allowedRedirectOrigins, fallback: '' });
  return target || undefined;
}

/**
 * The emailed link was opened (GET). Mail scanners open links before people do, so this spends
 * nothing: the token is sealed into the cookie and spent only by the user's POST (verify).
 */
export function receiveLink(deps: RecoveryDeps, token: unknown, purpose?: 'unlock', relayState?: unknown): StepResult {
  // No flow change: a made-up link (a cross-site GET, say) must not end the user's own flow.
  if (!isPlausibleRecoveryToken(token)) return finish(deps, undefined, 'receive-link', { outcome: { kind: 'link-dead' } });
  return {
    outcome: { kind: 'link-received' },
    flow: { phase: 'link-received', recoveryToken: token, purpose, relayState: linkRelayState(deps, relayState), expiresAt: deps.clock.now() + LINK_WAIT_MS },
  };
}

/**
 * The relayState an emailed link carries (IDX service delivery: Okta's Users API keeps none with
 * the token, mailer.ts). Anyone can edit a URL, so it gets the start's checks again; one that
 * fails them is dropped (done then goes to SUCCESS_REDIRECT_URL) rather than killing the link.
 */
function linkRelayState(deps: RecoveryDeps, relayState: unknown): string | undefined {
  if (typeof relayState !== 'string' || relayState === '' || relayState.length > RELAY_STATE_MAX_LENGTH) return undefined;
  return safeRelayState(deps.config, relayState);
}

/**
 * A verification that worked is no guess, nor is Okta being down: those are given back. A refused
 * link or code was a guess, and one Okta answered 429 still spent the org's rate limit (a spray
 * must not get its attempts back that way).
 */
async function giveBackUnlessGuess(deps: RecoveryDeps, context: EndUserContext, result: EngineResult): Promise<void> {
  if (result.kind !== 'refused' || result.outcome.kind === 'upstream-unavailable') await deps.limits.giveBackVerify(context.clientIp);
}

/**
 * Step 2 (Classic, and IDX with service delivery): spend the recovery token with Okta. The token
 * comes from the cookie (pages) or the body (API); `relayState` is the one the link carried.
 */
export async function verifyRecoveryToken(deps: RecoveryDeps, token: unknown, context: EndUserContext, relayState?: unknown): Promise<StepResult> {
  if (!isPlausibleRecoveryToken(token)) return finish(deps, context, 'verify', { outcome: { kind: 'link-dead' }, flow: null });
  // Token guessing: each verification counts against the client IP until it turns out genuine.
  const admission = await deps.limits.admitVerify(context.clientIp);
  if (admission.kind !== 'ok') return refused(deps, context, 'verify', admission);
  const result = await deps.engine.verifyLink(token, context);
  await giveBackUnlessGuess(deps, context, result);
  // What Okta kept with the token (Classic) comes first; else what the link carried (IDX service delivery).
  const carried = linkRelayState(deps, relayState);
  const withRelayState = carried && 'session' in result && !result.relayState ? { ...result, relayState: carried } : result;
  return applied(deps, context, 'verify', withRelayState, null);
}

export async function verifyStashedLink(deps: RecoveryDeps, flow: FlowState | null, context: EndUserContext): Promise<StepResult> {
  if (!flow || flow.phase !== 'link-received' || !stepAllowed(flow, 'verify')) return notNow(flow);
  return verifyRecoveryToken(deps, flow.recoveryToken, context, flow.relayState);
}

/**
 * The magic link (IDX: `?otp=…&state=…`) was opened (GET or HEAD). It spends nothing, like an
 * emailed link: in the browser whose flow it names, the code is stashed in the cookie for the
 * user's POST; anywhere else, the code is shown to be typed in the first window (IDX contract
 * §4.6: never submitted from another browser). Either way the URL loses the code by a redirect.
 */
export function receiveCodeLink(deps: RecoveryDeps, flow: FlowState | null, link: { otp: unknown; state: unknown }): StepResult {
  if (!stepAllowed(flow, 'receive-code-link') || !isPlausibleCodeLink(link.otp, link.state)) {
    return finish(deps, undefined, 'receive-code-link', { outcome: { kind: 'link-dead' } });
  }
  const { otp, state } = link as { otp: string; state: string };
  if (flow?.phase === 'awaiting-code' && deps.engine.ownsCodeLink(flow.session, state)) {
    const code = normaliseCode(otp, flow.code);
    if (code) return finish(deps, undefined, 'receive-code-link', { outcome: { kind: 'code-link-received' }, flow: { ...flow, linkCode: code } });
  }
  const shown: FlowState = { phase: 'code-shown', code: otp, expiresAt: deps.clock.now() + CODE_SHOWN_MS };
  // A flow past its emailed proof stays (ON_NEW_LINK): the link's code is shown without a cookie.
  const replace = ON_NEW_LINK[flow?.phase ?? 'none'] === 'replace';
  return finish(deps, undefined, 'receive-code-link', { outcome: { kind: 'code-link-received' }, flow: replace ? shown : undefined });
}

/**
 * Step 2 (IDX, Classic SMS/CALL): submit the code, typed (pages, API) or stashed from the magic
 * link (`code` undefined). A wrong code counts against the client IP like a guessed link, and
 * against the flow like a wrong answer: the last one allowed ends the flow.
 */
export async function verifyCode(deps: RecoveryDeps, flow: FlowState | null, typed: unknown, context: EndUserContext): Promise<StepResult> {
  if (!flow || flow.phase !== 'awaiting-code' || !stepAllowed(flow, 'verify-code')) return notNow(flow);
  const raw = typed === undefined ? flow.linkCode : typed;
  const { channel } = flow;
  const required = checkText('code', raw);
  if (required) return { outcome: { kind: 'invalid-input', ...required, channel } };
  const code = normaliseCode(raw as string, flow.code);
  if (!code) return { outcome: { kind: 'invalid-input', field: 'code', problem: 'invalid', channel } };
  const admission = await deps.limits.admitVerify(context.clientIp);
  if (admission.kind !== 'ok') return refused(deps, context, 'verify-code', admission);
  // A texted or spoken code is counted on the server per flow, like wrong answers: a six-digit
  // code falls to a million guesses, and Classic documents no limit of its own on them (contract
  // §5). Identity Engine limits wrong emailed codes itself (429, IDX contract), so its flows
  // keep that limit alone.
  const perFlow = channel ? await deps.limits.admitCode(flow.key) : undefined;
  if (perFlow?.kind === 'store-down') return refused(deps, context, 'verify-code', perFlow);
  if (perFlow?.kind === 'exhausted') return attemptsExhausted(deps, flow, context, 'verify-code');
  const result = await deps.engine.verifyCode(flow.session, code, context);
  await giveBackUnlessGuess(deps, context, result);
  if (perFlow?.kind === 'ok') {
    const wrong = result.kind === 'refused' && result.outcome.kind === 'wrong-code';
    if (!wrong) await perFlow.giveBack();
    else if (perFlow.remaining === 0) return attemptsExhausted(deps, flow, context, 'verify-code', result.error);
    else return finish(deps, context, 'verify-code', { outcome: { kind: 'wrong-code', channel }, flow: { ...flow, linkCode: undefined } }, result.error);
  }
  // A wrong code leaves the flow waiting; the stashed link code is spent either way.
  if (result.kind === 'refused' && !result.endsFlow && !ENDS_FLOW.has(result.outcome.kind)) {
    return finish(deps, context, 'verify-code', { outcome: result.outcome, flow: { ...flow, linkCode: undefined } }, result.error);
  }
  return applied(deps, context, 'verify-code', result, flow);
}

/** Another code, once the cool-down has passed: the new email replaces the old code (IDX §4.3). */
export async function resendCode(deps: RecoveryDeps, flow: FlowState | null, context: EndUserContext): Promise<StepResult> {
  if (!flow || flow.phase !== 'awaiting-code' || !stepAllowed(flow, 'resend')) return notNow(flow);
  const waitMs = flow.resendAfter - deps.clock.now();
  if (waitMs > 0) return finish(deps, context, 'resend', { outcome: { kind: 'rate-limited', retryAfterSeconds: Math.ceil(waitMs / 1000) } });
  const admission = await deps.limits.admitResend(flow.key);
  if (admission.kind !== 'ok') return refused(deps, context, 'resend', admission);
  const result = await deps.engine.resendCode(flow.session, context);
  return applied(deps, context, 'resend', result, flow);
}

/** Step 3: the recovery question. A wrong answer may be retried, up to our own limit per emailed proof. */
export async function answerQuestion(
  deps: RecoveryDeps,
  flow: FlowState | null,
  answer: unknown,
  context: EndUserContext,
): Promise<StepResult> {
  if (!flow || flow.phase !== 'awaiting-answer' || !stepAllowed(flow, 'answer')) return notNow(flow);
  const invalid = checkText('answer', answer);
  if (invalid) return { outcome: { kind: 'invalid-input', ...invalid } };

  // Counted on the server per emailed proof (MAX_WRONG_ANSWERS), so replaying an older cookie
  // cannot reset the count; Okta keeps its own count as well (contract §3.3).
  const admission = await deps.limits.admitAnswer(flow.key);
  if (admission.kind === 'store-down') return refused(deps, context, 'answer', admission);
  if (admission.kind === 'exhausted') return attemptsExhausted(deps, flow, context, 'answer');

  const result = await deps.engine.answer(flow.session, answer as string, context);
  if (result.kind === 'refused' && result.outcome.kind === 'wrong-answer') {
    if (admission.remaining === 0) return attemptsExhausted(deps, flow, context, 'answer', result.error);
    return finish(deps, context, 'answer', { outcome: { kind: 'wrong-answer', remaining: admission.remaining } }, result.error);
  }
  // Not a wrong answer (right, Okta busy or down, or the flow gone): the attempt does not count.
  await admission.giveBack();
  return applied(deps, context, 'answer', result, flow);
}

/** The last wrong answer (or code) was given: end Okta's transaction too, and the user needs a new email or code. */
async function attemptsExhausted(
  deps: RecoveryDeps,
  flow: Extract<FlowState, { phase: 'awaiting-answer' | 'awaiting-code' }>,
  context: EndUserContext,
  step: 'answer' | 'verify-code',
  error?: unknown,
): Promise<StepResult> {
  await deps.engine.cancel(flow.session, context);
  return finish(deps, context, step, { outcome: { kind: 'attempts-exhausted' }, flow: null }, error);
}

/** Step 4: the new password, checked against the policy we can see, then judged by Okta. */
export async function chooseNewPassword(
  deps: RecoveryDeps,
  flow: FlowState | null,
  input: { newPassword: unknown; revokeSessions: boolean },
  context: EndUserContext,
): Promise<StepResult> {
  if (!flow || flow.phase !== 'awaiting-password' || !stepAllowed(flow, 'reset')) return notNow(flow);
  // Over 256 code points is a field error like the username's and the answer's (docs/openapi.yaml,
  // docs/recovery-flow.md), with its own message: the page's checklist has no maxLength row to mark.
  const invalid = checkText('newPassword', input.newPassword);
  if (invalid) return { outcome: { kind: 'invalid-input', ...invalid } };
  const newPassword = input.newPassword as string;
  const unmet = unmetRequirements(flow.policy, newPassword, flow.user);
  if (unmet.length > 0) return finish(deps, context, 'reset', { outcome: { kind: 'password-rejected', unmet, refusals: [], oktaCauses: [] } });
  const result = await deps.engine.reset(flow.session, { newPassword, revokeSessions: input.revokeSessions }, context);
  return applied(deps, context, 'reset', withMinAgeNamed(result, flow.policy), flow);
}

/**
 * Okta states a minimum-age refusal only as its whole-policy sentence. The password already passed
 * every rule we can check, and history has a sentence of its own, so when the policy has a minimum
 * age, that is the rule which failed: say so, rather than "check the requirements" on a list that
 * looks all met.
 */
function withMinAgeNamed(result: EngineResult, policy: PasswordPolicy): EngineResult {
  if (result.kind !== 'refused' || result.outcome.kind !== 'password-rejected' || policy.minAgeMinutes === 0) return result;
  const { refusals } = result.outcome;
  if (!refusals.includes('requirements') || refusals.some((r) => r === 'history' || r === 'current-password' || r === 'common')) return result;
  return { ...result, outcome: { ...result.outcome, refusals: refusals.map((r) => (r === 'requirements' ? 'min-age' : r)) } };
}

/**
 * The user walks away ("cancel"): end Okta's transaction so it cannot be resumed, and forget the
 * flow. Cancelling with no flow is already done, not an error.
 */
export async function cancelRecovery(deps: RecoveryDeps, flow: FlowState | null, context: EndUserContext): Promise<StepResult> {
  if (flow && 'session' in flow) await deps.engine.cancel(flow.session, context);
  const outcome: Outcome = { kind: 'cancelled' };
  deps.audit.record('cancel', outcome, { context });
  return { outcome, flow: null };
}
