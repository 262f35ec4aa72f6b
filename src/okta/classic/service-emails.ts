/**
 * The Classic start with EMAIL_DELIVERY=service (the engine's "we send it" strategy): the
 * trusted-application variant of forgot password hands us the recoveryToken and the user
 * (contract §1.5), and the mailer sends our own link. Runs on the mail queue, after the response.
 */
import type { RecoveryTokenSource } from '../../mail/recovery-grant.js';
import { isPlausibleRecoveryToken } from '../../recovery/input.js';
import type { OktaClient } from '../client.js';
import { grantOrWithheld } from '../withheld.js';
import { forgotPasswordForDelivery } from './authn.js';
import { mailUserOf } from './recipient.js';

export function createClassicRecoveryTokens(okta: OktaClient): RecoveryTokenSource {
  return {
    grant: (input, context) =>
      grantOrWithheld(async () => {
        const transaction = await forgotPasswordForDelivery(okta, input, context);
        const token = transaction.recoveryToken;
        if (!isPlausibleRecoveryToken(token)) return { kind: 'withheld', reason: 'no-recovery-token', facts: { oktaStatus: transaction.status } };
        const expiresAtMs = transaction.expiresAt ? Date.parse(transaction.expiresAt) : Number.NaN;
        return { kind: 'granted', token, user: mailUserOf(transaction), expiresAtMs: Number.isFinite(expiresAtMs) ? expiresAtMs : undefined };
      }),
  };
}
