/**
 * The Identity Engine: password recovery over IDX (../shared/okta-idx-contract.md), behind the
 * engine port (recovery/engine.ts). It follows whatever remediation Okta offers next, never an
 * assumed order (§0): both entry policies (§3.1, §3.2), identify-recovery, the email
 * authenticator's code (§4), the security question (§7) and reset-authenticator (§5). It stops
 * at successWithInteractionCode: the password is changed by then, and tokens are not ours to
 * want (§5.4), so no PKCE verifier is kept and /token is never called.
 *
 * Who sends the email is a strategy chosen once (EMAIL_DELIVERY), as in the Classic engine:
 * Okta emails a code and a magic link (the start answers at once and walks IDX after the
 * response, handing the stateHandle to the code's step through start-handoff.ts), or we mail our
 * own link with a recovery token from the Users API (§3.3, service-emails.ts): the start then only
 * enqueues, and the link's POST starts IDX at interact with that token.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { Mailer } from '../../mail/mailer.js';
import type { CodeRules, EngineRefusal, EngineResult, EngineSession, RecoveryEngine } from '../../recovery/engine.js';
import { normalisePolicy, type OktaPasswordRules } from '../../recovery/password-policy.js';
import { questionAsAsked } from '../../recovery/security-questions.js';
import type { OktaClient } from '../client.js';
import type { EndUserContext } from '../context.js';
import { OktaUnavailableError } from '../errors.js';
import { refusalOfText, refusalsOf } from '../password-refusals.js';
import {
  authenticatorChoice,
  bodyOf,
  fieldAt,
  isKind,
  messageKeys,
  messageTexts,
  relatedAuthenticator,
  remediationNamed,
  type Ion,
  type IonForm,
} from './ion.js';
import { createIdxProtocol, InteractRefusedError, type IdxAnswer, type IdxProtocol, type IdxSettings } from './protocol.js';
import { mailUserOf, userOf } from './recipient.js';
import { asSession, fromSession, sessionOf, type IdxSession, type PreviousSession } from './session.js';
import { PENDING_START_LIFETIME_MS, type Handed, type StartHandoff } from './start-handoff.js';

/** Used only when Okta gives no expiresAt; the email code's default lifetime (§4.5). */
const FALLBACK_LIFETIME_MS = 5 * 60 * 1000;
/** Enough for the longest path (introspect, recover, identify, select password, recover, challenge). */
const MAX_START_HOPS = 8;

/** A start whose walk left nothing after this long never will (five calls, each bounded by OKTA_TIMEOUT_MS). */
const WALK_GIVE_UP_MS = 2 * 60 * 1000;
/** The member a pending start's session has instead of a stateHandle: when it began, epoch ms. */
const PENDING = 'p';

/** A code field's rules when the form names no lengths: any plausible code, Okta judges (§4.2). */
const FOLDED_CODE_RULES: CodeRules = { format: 'digits', minLength: 4, maxLength: 10 };
/** A start answered before Okta, in a process that has not yet seen the org's code format: digits or letters (§4.2). */
const UNLEARNED_CODE_RULES: CodeRules = { format: 'alphanumeric', minLength: 4, maxLength: 10 };

const PASSWORD_KEYS = ['password.passwordRequirementsNotMet', 'password.common', 'app.ldap.password.reset.failed'];
/** The password was changed even though Okta says no more (§5.3). */
const CHANGED_KEYS = ['api.users.auth.error.POST_PASSWORD_UPDATE_AUTH_FAILURE', 'idx.recovery.completed'];
/** Refusals at start that must look like everything else (§6.3): unknown users, policy and assignment. */
const FOLDED_START_KEYS = ['idx.unknown.user', 'errors.E0000004', 'oie.selfservice.reset.password.not.allowed', 'idx.error.user.not.assigned.to.app', 'idx.reset.password.activating.user'];

/** Terminal answers to a recovery token Okta issued but will not take any more (§3.3, [F-14b]). */
const DEAD_TOKEN_KEYS = ['idx.invalid.forgot.password.token', 'idx.invalid.reset.password.token'];

/**
 * Who sends the recovery email: Okta (its code and magic link, §4), or our mailer with a
 * recovery token from the Users API (§3.3; needs OKTA_API_TOKEN, config.ts).
 */
export type IdxDelivery = { readonly by: 'okta' } | { readonly by: 'service'; readonly mailer: Mailer };

export function createIdxEngine(deps: {
  okta: OktaClient;
  clock: Clock;
  logger: Logger;
  settings: IdxSettings;
  /** Default: Okta sends the code. */
  delivery?: IdxDelivery;
  protocol?: IdxProtocol;
  /**
   * With it, a start answers before Okta is asked and the code's step takes the walk's result
   * from it (start-handoff.ts); without it, every start waits for its walk.
   */
  handoff?: StartHandoff;
}): RecoveryEngine {
  const { clock, logger, handoff } = deps;
  const delivery = deps.delivery ?? { by: 'okta' };
  const idx = deps.protocol ?? createIdxProtocol(deps.okta, deps.settings);
  // The org's code format as its last real challenge showed it: a folded start must ask for the
  // same (an alphanumeric org would otherwise show unknown users a digits-only field).
  let orgCodeRules: CodeRules = FOLDED_CODE_RULES;
  // A start answered before Okta can name the code's format only once Okta has shown it here.
  let codeRulesLearned = false;

  const expiryOf = (ion: Ion): number => {
    const parsed = ion.expiresAt ? Date.parse(ion.expiresAt) : Number.NaN;
    return Number.isFinite(parsed) ? parsed : clock.now() + FALLBACK_LIFETIME_MS;
  };

  const unavailable = (error?: unknown): EngineResult => ({ kind: 'refused', outcome: { kind: 'upstream-unavailable' }, error });
  const refusal = (outcome: EngineRefusal, error?: unknown): EngineResult => ({ kind: 'refused', outcome, error });

  /** What every step does with an answer it did not expect: log its keys (never its body) and stop. */
  function unexpected(step: string, ion: Ion): EngineResult {
    const remediations = ion.remediation?.value.map((form) => form.name) ?? [];
    logger.warn({ event: 'okta.idx.unexpected', step, remediations, messageKeys: messageKeys(ion) }, 'Okta answered an IDX state this flow cannot continue from');
    return unavailable();
  }

  /** The answers every step shares: rate limits (both kinds, §6.4) and an expired transaction (§6.1). */
  function common(answer: IdxAnswer): EngineResult | Ion {
    if (answer.kind === 'rate-limited') return refusal({ kind: 'rate-limited', retryAfterSeconds: answer.retryAfterSeconds });
    const keys = messageKeys(answer.ion);
    if (keys.includes('tooManyRequests') || keys.includes('oie.tooManyRequests')) return refusal({ kind: 'rate-limited', retryAfterSeconds: 60 });
    if (keys.includes('idx.session.expired')) return refusal({ kind: 'flow-expired' });
    return answer.ion;
  }

  async function guarded(step: string, work: () => Promise<EngineResult>): Promise<EngineResult> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof InteractRefusedError) {
        // Our own configuration (app, grant, redirect URI, secret): an operator must act (README).
        logger.error({ event: 'okta.idx.interact-refused', oauthError: error.oauthError, status: error.status }, 'Okta refused to start an IDX transaction: check the OIDC app settings');
      }
      if (error instanceof OktaUnavailableError) return unavailable(error);
      throw error;
    }
  }

  function codeRulesOf(form: IonForm): CodeRules {
    const passcode = fieldAt(form, ['credentials', 'passcode']);
    const format = passcode?.format === 'alphanumeric' ? 'alphanumeric' : 'digits';
    // Without lengths in the form, take any plausible code and let Okta judge (§4.2).
    orgCodeRules = { format, minLength: passcode?.minLength ?? 4, maxLength: passcode?.maxLength ?? 10 };
    codeRulesLearned = true;
    return orgCodeRules;
  }

  const sessionFrom = (ion: Ion, previous: PreviousSession, extra: Partial<IdxSession> = {}): IdxSession => sessionOf(ion, previous, idx.pathOf, extra);

  /**
   * After the code (or the question): the next step Okta asks for. The question and the new
   * password are the only ones this service offers; another authenticator is an org policy it
   * cannot serve (README), said in the log.
   */
  function progress(step: string, ion: Ion, previous: PreviousSession, login: string | undefined): EngineResult {
    const base = { key: previous.s, user: userOf(ion, login), expiresAt: expiryOf(ion) };
    const reset = remediationNamed(ion, 'reset-authenticator');
    if (reset) {
      const rules = (ion.currentAuthenticator?.value.settings ?? ion.recoveryAuthenticator?.value.settings) as OktaPasswordRules | undefined;
      const revoke = fieldAt(reset, ['credentials', 'revokeSessions']) ? '1' : '0';
      return { kind: 'choose-password', policy: normalisePolicy(rules), session: asSession(sessionFrom(ion, previous, { v: revoke })), ...base };
    }
    const challenge = remediationNamed(ion, 'challenge-authenticator');
    const challenged = challenge && relatedAuthenticator(ion, challenge);
    if (challenge && isKind(challenged, 'security_question')) {
      const enrolled = challenged?.contextualData?.enrolledQuestion;
      const keyField = fieldAt(challenge, ['credentials', 'questionKey']);
      const questionKey = enrolled?.questionKey ?? (typeof keyField?.value === 'string' ? keyField.value : 'custom');
      // A built-in question by its key, so the page can translate it whatever language Okta used.
      const question = questionAsAsked(enrolled?.question ?? keyField?.label ?? '', questionKey);
      return { kind: 'ask-question', question, session: asSession(sessionFrom(ion, previous, { q: questionKey })), ...base };
    }
    if (ion.successWithInteractionCode) return { kind: 'password-changed', user: mailUserOf(ion, login) };
    return unexpected(step, ion);
  }

  /**
   * Walks from the first introspect to the email challenge, taking whatever remediation Okta
   * offers (§0, §3): recover, identify(-recovery), select the password to reach `recover`
   * (identifier-first, §3.2), then select the email and challenge it (§4.1).
   */
  async function walkToCode(first: Ion, username: string, state: string, context: EndUserContext): Promise<EngineResult> {
    let ion = first;
    let identified = false;
    let recovering = false;
    for (let hop = 0; hop < MAX_START_HOPS; hop += 1) {
      const current = ion.currentAuthenticatorEnrollment?.value;
      const challenge = remediationNamed(ion, 'challenge-authenticator');
      if (challenge && isKind(current, 'email')) {
        const session = sessionFrom(ion, { s: state });
        return { kind: 'code-sent', code: codeRulesOf(challenge), session: asSession(session), key: state, user: { login: username }, expiresAt: expiryOf(ion) };
      }
      const keys = messageKeys(ion);
      const folded = keys.find((key) => FOLDED_START_KEYS.includes(key));
      if (folded) return foldedStart(ion, folded, state, username, context);

      let next: { form: IonForm; values: Record<string, unknown> } | undefined;
      const verification = remediationNamed(ion, 'authenticator-verification-data');
      const select = remediationNamed(ion, 'select-authenticator-authenticate');
      const email = [verification, select].map((form) => form && { form, choice: authenticatorChoice(ion, form, 'email') }).find((c) => c?.choice);
      const password = select && authenticatorChoice(ion, select, 'password');
      const recover = ion.currentAuthenticator?.value.recover ?? current?.recover;
      const identifyRecovery = remediationNamed(ion, 'identify-recovery');
      const identify = remediationNamed(ion, 'identify');

      if ((recovering || ion.recoveryAuthenticator) && email?.form && email.choice) next = { form: email.form, values: { authenticator: email.choice } };
      else if (identifyRecovery && !identified) next = { form: identifyRecovery, values: { identifier: username } };
      else if (recover && !recovering) {
        next = { form: recover, values: {} };
        recovering = true;
      } else if (identify && !identified) next = { form: identify, values: { identifier: username } };
      else if (select && password && !recovering) next = { form: select, values: { authenticator: password } };
      // The same identify form back without a message: an unknown user in an org that says nothing.
      else if ((identifyRecovery || identify) && identified) return foldedStart(ion, 'identify-again', state, username, context);
      else return unexpected('start', ion);

      if (next.values.identifier !== undefined) identified = true;
      const answer = await idx.post(idx.pathOf(next.form.href), bodyOf(next.form.value, next.values), context);
      const read = common(answer);
      if (!('version' in read)) return read;
      ion = read;
    }
    return unexpected('start', ion);
  }

  /**
   * Okta refused this username (unknown with enumeration prevention off, not assigned, reset not
   * allowed): the user is told what everyone is told. The session has every member a real one
   * has, and one more introspect stands in for the challenge call a real start makes, so neither
   * the cookie nor the time says which it was (§6.3).
   */
  async function foldedStart(ion: Ion, reason: string, state: string, username: string, context: EndUserContext): Promise<EngineResult> {
    // The request id ties this line to its start's, written before Okta was asked.
    logger.info({ event: 'okta.idx.start-folded', reason, requestId: context.requestId }, 'Okta refused the username at start; answered like any other');
    const session = sessionFrom(ion, { s: state, d: '1' });
    await idx.introspect({ stateHandle: session.h }, context).catch(() => undefined);
    return { kind: 'code-sent', code: orgCodeRules, session: asSession(session), key: state, user: { login: username }, expiresAt: expiryOf(ion) };
  }

  /** interact, the first introspect, then the walk to the email challenge (or a folded start). */
  async function walkStart(username: string, state: string, codeChallenge: string, context: EndUserContext): Promise<EngineResult> {
    // The start's admission already took this first call from the Okta budget.
    const interaction = await idx.interact({ state, codeChallenge, prepaid: true }, context);
    if (interaction.kind !== 'handle') return interaction.kind === 'rate-limited' ? refusal({ kind: 'rate-limited', retryAfterSeconds: interaction.retryAfterSeconds }) : unavailable();
    const first = common(await idx.introspect({ interactionHandle: interaction.handle }, context));
    if (!('version' in first)) return first;
    return walkToCode(first, username, state, context);
  }

  /** What a walk ended with, as the handoff keeps it: a session to continue in, or the refusal. */
  function handedOf(result: EngineResult, requestId: string | undefined): Handed {
    if (result.kind === 'code-sent') return { kind: 'session', session: fromSession(result.session), code: result.code, expiresAt: result.expiresAt };
    if (result.kind === 'refused') {
      // Said here because nobody waits for this answer: the code's step will show it.
      logger.warn({ event: 'okta.idx.start-refused', requestId, outcome: result.outcome.kind, err: (result.error as Error | undefined)?.name }, 'an Identity Engine start ended without sending a code');
      return { kind: 'refused', outcome: result.outcome };
    }
    return { kind: 'refused', outcome: { kind: 'upstream-unavailable' } };
  }

  /**
   * The session a step after the start continues in. A start answered before Okta left only its
   * `state` and when it began (the same two members for every account); the rest is what its walk
   * handed over. A walk that failed ends the flow with its reason: the user asks for a new code.
   */
  async function continued(raw: EngineSession): Promise<{ session: IdxSession; pending: string | undefined } | EngineResult> {
    const began = raw[PENDING];
    if (began === undefined) return { session: fromSession(raw), pending: undefined };
    const state = raw.s ?? '';
    const handed = handoff ? await handoff.take(state) : undefined;
    if (!handed) {
      // Still walking somewhere, or lost (an instance gone, or the result evicted).
      if (clock.now() - Number(began) > WALK_GIVE_UP_MS) return refusal({ kind: 'flow-expired' });
      return unavailable();
    }
    if (handed.kind === 'refused') return { kind: 'refused', outcome: handed.outcome, endsFlow: true };
    return { session: handed.session, pending: state };
  }

  /** The code, in a session Okta has challenged (or a folded start's). */
  async function verifyCodeIn(session: IdxSession, code: string, context: EndUserContext): Promise<EngineResult> {
    const sent = await idx.post(session.a, { credentials: { passcode: code }, stateHandle: session.h }, context);
    // A folded start's code is wrong whatever Okta said; the call was made all the same, so
    // the answer takes as long as a real one.
    if (session.d === '1') return sent.kind === 'rate-limited' ? refusal({ kind: 'rate-limited', retryAfterSeconds: sent.retryAfterSeconds }) : refusal({ kind: 'wrong-code' });
    const answer = common(sent);
    if (!('version' in answer)) return answer;
    const keys = messageKeys(answer);
    if (keys.includes('api.authn.error.PASSCODE_INVALID')) return refusal({ kind: 'wrong-code' });
    if (keys.includes('authfactor.challenge.suspended_factor')) return refusal({ kind: 'account-locked' });
    return progress('verify-code', answer, session, undefined);
  }

  /** Another code in a session Okta has challenged; a folded start's gets the same answer. */
  async function resendIn(session: IdxSession, context: EndUserContext): Promise<EngineResult> {
    // A folded start has no email to send again: one introspect stands in for the resend.
    const sent = await idx.post(session.d === '1' ? 'idp/idx/introspect' : session.r, { stateHandle: session.h }, context);
    if (session.d === '1') {
      if (sent.kind === 'rate-limited') return refusal({ kind: 'rate-limited', retryAfterSeconds: sent.retryAfterSeconds });
      return { kind: 'code-sent', code: orgCodeRules, session: asSession(session), key: session.s, user: {}, expiresAt: clock.now() + FALLBACK_LIFETIME_MS };
    }
    const answer = common(sent);
    if (!('version' in answer)) return answer;
    const challenge = remediationNamed(answer, 'challenge-authenticator');
    if (!challenge) return unexpected('resend', answer);
    return { kind: 'code-sent', code: codeRulesOf(challenge), session: asSession(sessionFrom(answer, session)), key: session.s, user: {}, expiresAt: expiryOf(answer) };
  }

  function pkce(): { state: string; codeChallenge: string } {
    // The verifier is needed only to exchange the interaction code, which we never do (§5.4).
    const verifier = randomBytes(48).toString('base64url');
    return { state: randomBytes(32).toString('base64url'), codeChallenge: createHash('sha256').update(verifier).digest('base64url') };
  }

  return {
    name: 'idx',
    background: handoff && { idle: () => handoff.idle(), close: (timeoutMs) => handoff.close(timeoutMs) },

    start: (input, context) =>
      guarded('start', async () => {
        if (delivery.by === 'service') {
          // Only enqueue: the Users API is asked after this response has gone, so neither its
          // refusal of an unknown or suspended user nor its timing reaches the user (service-emails.ts).
          await delivery.mailer.sendRecoveryLink(input, context);
          return { kind: 'email-sent' };
        }
        const { state, codeChallenge } = pkce();
        if (!handoff) return walkStart(input.username, state, codeChallenge, context);
        // Every account gets this same answer at once; what Okta says is the code step's to show.
        const began = clock.now();
        const queued = await handoff.begin(state, context.requestId, async () => handedOf(await guarded('start', () => walkStart(input.username, state, codeChallenge, context)), context.requestId));
        if (!queued) return unavailable();
        const session: EngineSession = { s: state, [PENDING]: String(began) };
        // Until Okta has shown this process its code format, any plausible code is taken (an org
        // with letters in its codes must not get a digits-only field); Okta judges the code.
        const code = codeRulesLearned ? orgCodeRules : UNLEARNED_CODE_RULES;
        return { kind: 'code-sent', code, session, key: state, user: { login: input.username }, expiresAt: began + PENDING_START_LIFETIME_MS };
      }),

    /**
     * Our own emailed link (service delivery): interact with its recovery token, then the first
     * introspect shows where Okta's policy puts the user: the security question, or the new
     * password straight away (§3.3, §7). With Okta delivery no link of ours carries a token.
     */
    verifyLink: (token, context) =>
      guarded('verify', async () => {
        if (delivery.by !== 'service') return refusal({ kind: 'link-dead' });
        const { state, codeChallenge } = pkce();
        const interaction = await idx.interact({ state, codeChallenge, recoveryToken: token }, context);
        if (interaction.kind === 'token-refused') return refusal({ kind: 'link-dead' });
        if (interaction.kind === 'rate-limited') return refusal({ kind: 'rate-limited', retryAfterSeconds: interaction.retryAfterSeconds });
        const first = common(await idx.introspect({ interactionHandle: interaction.handle }, context));
        if (!('version' in first)) return first;
        if (messageKeys(first).some((key) => DEAD_TOKEN_KEYS.includes(key))) return refusal({ kind: 'link-dead' });
        return progress('verify', first, { s: state }, undefined);
      }),

    verifyCode: (raw, code, context) =>
      guarded('verify-code', async () => {
        const current = await continued(raw);
        if ('kind' in current) return current;
        const result = await verifyCodeIn(current.session, code, context);
        // Past the code, the flow carries the session itself: the handed one is not needed again.
        if (current.pending !== undefined && result.kind !== 'refused') await handoff?.forget(current.pending);
        return result;
      }),

    resendCode: (raw, context) =>
      guarded('resend', async () => {
        const current = await continued(raw);
        if ('kind' in current) return current;
        const result = await resendIn(current.session, context);
        if (current.pending !== undefined && result.kind === 'code-sent') await handoff?.forget(current.pending);
        return result;
      }),

    ownsCodeLink(raw, state) {
      const mine = Buffer.from(fromSession(raw).s ?? '');
      const theirs = Buffer.from(state);
      return mine.length === theirs.length && timingSafeEqual(mine, theirs);
    },

    answer: (raw, answer, context) =>
      guarded('answer', async () => {
        const session = fromSession(raw);
        const read = common(await idx.post(session.a, { credentials: { questionKey: session.q ?? 'custom', answer }, stateHandle: session.h }, context));
        if (!('version' in read)) return read;
        const keys = messageKeys(read);
        if (keys.includes('authfactor.challenge.question_factor.answer_invalid')) return refusal({ kind: 'wrong-answer' });
        if (keys.includes('authfactor.challenge.suspended_factor')) return refusal({ kind: 'account-locked' });
        return progress('answer', read, session, undefined);
      }),

    reset: (raw, input, context) =>
      guarded('reset', async () => {
        const session = fromSession(raw);
        const credentials: Record<string, unknown> = { passcode: input.newPassword };
        if (session.v === '1') credentials.revokeSessions = input.revokeSessions;
        const read = common(await idx.post(session.a, { credentials, stateHandle: session.h }, context));
        if (!('version' in read)) return read;
        const keys = messageKeys(read);
        // Only a 200 to our own reset-authenticator POST means "changed" (AUTHJS PR 838, §5.4).
        if (read.successWithInteractionCode || keys.some((key) => CHANGED_KEYS.includes(key))) return { kind: 'password-changed', user: mailUserOf(read, undefined) };
        if (keys.some((key) => PASSWORD_KEYS.includes(key))) {
          // password.common names its reason by key; the others carry Okta's sentence to read.
          const others = messageTexts(read, PASSWORD_KEYS.filter((key) => key !== 'password.common'));
          const refusals = keys.includes('password.common') ? [...new Set(['common' as const, ...others.map(refusalOfText)])] : refusalsOf(others);
          return refusal({ kind: 'password-rejected', unmet: [], refusals, oktaCauses: messageTexts(read, PASSWORD_KEYS) });
        }
        return unexpected('reset', read);
      }),

    async cancel(raw, context) {
      const current = await continued(raw);
      // A start whose walk failed or never finished has nothing at Okta to end.
      if ('kind' in current) return;
      if (current.pending !== undefined) await handoff?.forget(current.pending);
      const { session } = current;
      try {
        await idx.post(session.c, { stateHandle: session.h }, context);
      } catch (error) {
        logger.warn({ event: 'okta.cancel-failed', err: (error as Error).name }, 'could not cancel the Okta transaction');
      }
    },
  };
}
