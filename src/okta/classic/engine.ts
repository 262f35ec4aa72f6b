/**
 * The Classic engine: password recovery over /api/v1/authn (../shared/okta-authn-contract.md),
 * behind the engine port (recovery/engine.ts). Who sends the recovery email is a strategy chosen
 * once (EMAIL_DELIVERY): Okta, or this service's mailer with the trusted-application token.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { Mailer } from '../../mail/mailer.js';
import { mailUserOf } from './recipient.js';
import type { EngineResult, EngineSession, FlowUser, RecoveryEngine, StartInput } from '../../recovery/engine.js';
import { normalisePolicy } from '../../recovery/password-policy.js';
import type { OktaClient } from '../client.js';
import type { EndUserContext } from '../context.js';
import * as authn from './authn.js';
import { refusalOf, type ClassicStep } from './failures.js';
import type { OktaEmails } from './okta-emails.js';
import type { OktaTransaction } from './schemas.js';

/** Okta's stateToken lives about 5 minutes, sliding (contract §9); used only if expiresAt is missing. */
const STATE_TOKEN_FALLBACK_MS = 5 * 60 * 1000;

/**
 * Who sends the recovery email: Okta itself, or our mailer (contract §1.5). Either way Okta is
 * asked after the response, so neither its answer nor its timing says whether an account exists.
 */
export type ClassicDelivery = { readonly by: 'okta'; readonly emails: OktaEmails } | { readonly by: 'service'; readonly mailer: Mailer };

export function createClassicEngine(deps: { okta: OktaClient; clock: Clock; logger: Logger; delivery: ClassicDelivery }): RecoveryEngine {
  const { okta, clock, logger, delivery } = deps;

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

  return {
    name: 'classic',

    async start(input: StartInput, context: EndUserContext) {
      // Only enqueue. Okta composes and sends the email inside its answer, so its timing would
      // say whether an email went out; the trusted variant even answers unknown users E0000095
      // (§1.5). The queue asks Okta after this response has gone and audits what it said.
      if (delivery.by === 'service') {
        // Resolves once the job is kept (written to Redis with REDIS_URL), never waiting on Okta or SMTP.
        await delivery.mailer.sendRecoveryLink(input, context);
        return { kind: 'email-sent' };
      }
      delivery.emails.request(input, context);
      return { kind: 'email-sent', auditedLater: true };
    },

    verifyLink: (token, context) => call('verify', () => authn.verifyRecoveryToken(okta, token, context)),

    // Classic emails links, never codes: no flow of this engine waits for one (states.ts).
    verifyCode: async () => ({ kind: 'refused', outcome: { kind: 'flow-expired' } }),
    resendCode: async () => ({ kind: 'refused', outcome: { kind: 'flow-expired' } }),
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
      try {
        await authn.cancelTransaction(okta, stateTokenOf(session), context);
      } catch (error) {
        logger.warn({ event: 'okta.cancel-failed', err: (error as Error).name }, 'could not cancel the Okta transaction');
      }
    },
  };
}
