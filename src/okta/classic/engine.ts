/**
 * The Classic engine: password recovery over /api/v1/authn (../shared/okta-authn-contract.md),
 * behind the engine port (recovery/engine.ts). Who sends the recovery email is a strategy chosen
 * once (EMAIL_DELIVERY): Okta, or this service's mailer with the trusted-application token.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { Mailer } from '../../mail/mailer.js';
import { mailUserOf } from './recipient.js';
import { randomBytes } from 'node:crypto';
import type { CodeRules, EngineResult, EngineSession, FlowUser, RecoveryEngine, StartInput } from '../../recovery/engine.js';
import type { PhoneChannel } from '../../recovery/outcomes.js';
import { normalisePolicy } from '../../recovery/password-policy.js';
import type { OktaClient } from '../client.js';
import type { EndUserContext } from '../context.js';
import * as authn from './authn.js';
import { phoneStartRefusal, refusalOf, type ClassicStep } from './failures.js';
import type { OktaEmails } from './okta-emails.js';
import type { OktaTransaction } from './schemas.js';

/** Okta's stateToken lives about 5 minutes, sliding (contract §9); used only if expiresAt is missing. */
const STATE_TOKEN_FALLBACK_MS = 5 * 60 * 1000;

/** Okta's SMS and voice recovery codes are six digits (contract §5's example "657866"). */
const PHONE_CODE: CodeRules = Object.freeze({ format: 'digits', minLength: 6, maxLength: 6 });

const FACTOR_OF: Readonly<Record<PhoneChannel, authn.PhoneFactor>> = { sms: 'SMS', call: 'CALL' };

/**
 * A stateToken-shaped stand-in for a challenge Okta refused: the same length as Okta's
 * ("00" + 40 characters, contract §1.4), so the sealed flow cookie is the same size either way.
 */
const decoyStateToken = (): string => `00${randomBytes(30).toString('base64url')}`;

/**
 * Who sends the recovery email: Okta itself, or our mailer (contract §1.5). Either way Okta is
 * asked after the response, so neither its answer nor its timing says whether an account exists.
 */
export type ClassicDelivery = { readonly by: 'okta'; readonly emails: OktaEmails } | { readonly by: 'service'; readonly mailer: Mailer };

/**
 * `unlockEmails`: asks Okta to email an unlock link after the response, whatever EMAIL_DELIVERY
 * says: the unlock email is Okta's own template (its trusted variant is not built here).
 */
export function createClassicEngine(deps: { okta: OktaClient; clock: Clock; logger: Logger; delivery: ClassicDelivery; unlockEmails?: OktaEmails }): RecoveryEngine {
  const { okta, clock, logger, delivery } = deps;
  const unlockEmails = deps.unlockEmails ?? (delivery.by === 'okta' ? delivery.emails : undefined);

  function expiryOf(transaction: OktaTransaction): number {
    const parsed = transaction.expiresAt ? Date.parse(transaction.expiresAt) : Number.NaN;
    return Number.isFinite(parsed) ? parsed : clock.now() + STATE_TOKEN_FALLBACK_MS;
  }

  function userOf(transaction: OktaTransaction): FlowUser {
    const profile = transaction._embedded?.user?.profile;
    return { login: profile?.login ?? undefined, firstName: profile?.firstName ?? undefined, lastName: profile?.lastName ?? undefined };
  }

  /**
   * Follow Okta's `status`, not an assumed order (contract §0): RECOVERY asks the question,
   * PASSWORD_RESET asks for the password. A RECOVERY with no question (guardian's mocks, §2.4) can
   * only go on to the password.
   */
  function advance(step: ClassicStep, transaction: OktaTransaction): EngineResult {
    // An unlock ends in SUCCESS with recoveryType UNLOCK (SIW SUCCESS_unlock, contract §5), in any casing (§1.6).
    if (transaction.status === 'SUCCESS' && transaction.recoveryType?.toUpperCase() === 'UNLOCK') return { kind: 'unlocked' };
    const stateToken = transaction.stateToken;
    const question = transaction._embedded?.user?.recovery_question?.question;
    if (!stateToken || (transaction.status !== 'RECOVERY' && transaction.status !== 'PASSWORD_RESET')) {
      logger.warn({ event: 'okta.unexpected-status', step, oktaStatus: transaction.status }, 'Okta answered a state this flow cannot continue from');
      return { kind: 'refused', outcome: { kind: 'upstream-unavailable' } };
    }
    const common = {
      session: { stateToken },
      key: stateToken,
      user: userOf(transaction),
      expiresAt: expiryOf(transaction),
      relayState: transaction.relayState ?? undefined,
    };
    if (transaction.status === 'RECOVERY' && question) return { kind: 'ask-question', question, ...common };
    return { kind: 'choose-password', policy: normalisePolicy(transaction._embedded?.policy), ...common };
  }

  async function call(step: ClassicStep, request: () => Promise<OktaTransaction>): Promise<EngineResult> {
    try {
      return advance(step, await request());
    } catch (error) {
      return { kind: 'refused', outcome: refusalOf(error, step) ?? { kind: 'flow-expired' }, error };
    }
  }

  const stateTokenOf = (session: EngineSession): string => session.stateToken ?? '';
  const factorOf = (session: EngineSession): authn.PhoneFactor => (session.factor === 'CALL' ? 'CALL' : 'SMS');

  /**
   * A phone challenge as the flow keeps it: the stateToken, the factor, and whether it is a decoy.
   * Every field is there for every user, the same length, so the sealed cookie tells nothing.
   */
  function challenge(channel: PhoneChannel, stateToken: string, decoy: boolean, expiresAt: number, error?: unknown): EngineResult {
    return {
      kind: 'code-sent',
      channel,
      code: PHONE_CODE,
      session: { stateToken, factor: FACTOR_OF[channel], decoy: decoy ? '1' : '0' },
      key: stateToken,
      user: {},
      expiresAt,
      error,
    };
  }

  /**
   * SMS/CALL (contract §1.4): Okta must answer before we do (its stateToken goes in the cookie).
   * Whatever it says of the user (a challenge, E0000006 factor not enabled, a user it will not
   * recover, a per-phone limit), the user sees the same code page; Okta's code is kept for the log.
   */
  async function startByPhone(input: StartInput, channel: PhoneChannel, context: EndUserContext): Promise<EngineResult> {
    try {
      const request = { username: input.username, relayState: input.relayState };
      const transaction =
        input.purpose === 'unlock'
          ? await authn.unlockAccount(okta, { ...request, factorType: 'SMS' }, context)
          : await authn.forgotPasswordByPhone(okta, { ...request, factorType: FACTOR_OF[channel] }, context);
      // §1.6: factorType comes back "sms" or "SMS"; only the status and the token matter here.
      if (transaction.status === 'RECOVERY_CHALLENGE' && transaction.stateToken) return challenge(channel, transaction.stateToken, false, expiryOf(transaction));
      logger.warn({ event: 'okta.unexpected-status', step: 'start', oktaStatus: transaction.status }, 'Okta answered a phone recovery without a challenge');
      return challenge(channel, decoyStateToken(), true, clock.now() + STATE_TOKEN_FALLBACK_MS);
    } catch (error) {
      const refusal = phoneStartRefusal(error);
      if (refusal !== 'decoy') return { kind: 'refused', outcome: refusal, error };
      return challenge(channel, decoyStateToken(), true, clock.now() + STATE_TOKEN_FALLBACK_MS, error);
    }
  }

  /**
   * A decoy still asks Okta (its made-up stateToken is refused there), so that a typed code, a
   * resend or a cancel takes one Okta round trip whoever the user is; Okta's answer is ignored.
   */
  async function decoyCall(request: () => Promise<unknown>): Promise<void> {
    await request().catch(() => undefined);
  }

  return {
    name: 'classic',

    async start(input: StartInput, context: EndUserContext) {
      if (input.method === 'sms' || input.method === 'call') return startByPhone(input, input.method, context);
      // Only enqueue. Okta composes and sends the email inside its answer, so its timing would
      // say whether an email went out; the trusted variant even answers unknown users E0000095
      // (§1.5). The queue asks Okta after this response has gone and audits what it said.
      // The unlock email is Okta's own template in either delivery mode (README "Self-service unlock").
      if (input.purpose === 'unlock') {
        if (!unlockEmails) throw new Error('the Classic engine was built without a way to ask Okta for unlock emails');
        unlockEmails.request({ username: input.username, relayState: input.relayState, purpose: 'unlock' }, context);
        return { kind: 'email-sent', auditedLater: true };
      }
      if (delivery.by === 'service') {
        // Resolves once the job is kept (written to Redis with REDIS_URL), never waiting on Okta or SMTP.
        await delivery.mailer.sendRecoveryLink(input, context);
        return { kind: 'email-sent' };
      }
      delivery.emails.request(input, context);
      return { kind: 'email-sent', auditedLater: true };
    },

    verifyLink: (token, context) => call('verify', () => authn.verifyRecoveryToken(okta, token, context)),

    // Classic emails links, never codes; codes come by text or call (contract §5).
    async verifyCode(session, code, context) {
      const request = () => authn.verifyRecoveryFactor(okta, factorOf(session), { stateToken: stateTokenOf(session), passCode: code }, context);
      if (session.decoy !== '1') return call('verify-code', request);
      await decoyCall(request);
      return { kind: 'refused', outcome: { kind: 'wrong-code' } };
    },

    async resendCode(session, context) {
      const channel: PhoneChannel = factorOf(session) === 'CALL' ? 'call' : 'sms';
      const request = () => authn.resendRecoveryFactor(okta, factorOf(session), stateTokenOf(session), context);
      if (session.decoy === '1') {
        await decoyCall(request);
        return challenge(channel, stateTokenOf(session), true, clock.now() + STATE_TOKEN_FALLBACK_MS);
      }
      try {
        const transaction = await request();
        return challenge(channel, transaction.stateToken ?? stateTokenOf(session), false, expiryOf(transaction));
      } catch (error) {
        return { kind: 'refused', outcome: refusalOf(error, 'resend') ?? { kind: 'flow-expired' }, error };
      }
    },
    // Magic links are IDX's; Classic's emailed proof is a link to /reset-password.
    ownsCodeLink: () => false,

    answer: (session, answer, context) => call('answer', () => authn.answerRecoveryQuestion(okta, { stateToken: stateTokenOf(session), answer }, context)),

    async reset(session, input, context) {
      try {
        const transaction = await authn.resetPassword(okta, { stateToken: stateTokenOf(session), ...input }, context);
        // Any 200 means the password changed, even MFA_REQUIRED/MFA_ENROLL (contract §4.5).
        return { kind: 'password-changed', user: mailUserOf(transaction) };
      } catch (error) {
        return { kind: 'refused', outcome: refusalOf(error, 'reset') ?? { kind: 'flow-expired' }, error };
      }
    },

    async cancel(session, context) {
      // A decoy is cancelled too (Okta refuses its token): the same round trip as a real one.
      if (session.decoy === '1') return decoyCall(() => authn.cancelTransaction(okta, stateTokenOf(session), context));
      try {
        await authn.cancelTransaction(okta, stateTokenOf(session), context);
      } catch (error) {
        logger.warn({ event: 'okta.cancel-failed', err: (error as Error).name }, 'could not cancel the Okta transaction');
      }
    },
  };
}
