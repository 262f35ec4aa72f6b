/**
 * The Identity Engine start with EMAIL_DELIVERY=service (the engine's "we send it" strategy,
 * beside Okta's own code email): the Users API hands us a recovery token without sending
 * anything (users-api.ts), and the mailer sends our own link to `/reset-password/<token>`.
 * It runs on the mail queue after the user was answered, so neither an unknown login (404
 * E0000007), a suspended user (E0000034) nor the lookup's timing reaches the user.
 */
import type { RecoveryTokenSource } from '../../mail/recovery-grant.js';
import { isPlausibleRecoveryToken } from '../../recovery/input.js';
import type { OktaClient } from '../client.js';
import { grantOrWithheld } from '../withheld.js';
import { findUser, issueRecoveryToken } from './users-api.js';

export function createIdxRecoveryTokens(okta: OktaClient): RecoveryTokenSource {
  return {
    grant: (input, context) =>
      grantOrWithheld(async () => {
        const user = await findUser(okta, input.username, context);
        const token = await issueRecoveryToken(okta, user.id, context);
        if (!isPlausibleRecoveryToken(token)) return { kind: 'withheld', reason: 'no-recovery-token', facts: { oktaUserStatus: user.status } };
        // The Users API does not say when the token dies (the org's policy decides): the email says
        // RESET_LINK_LIFETIME_MINUTES, as the "check your email" page does.
        // reset_password takes no relayState: the link carries it (already an allowed target, steps.ts).
        return { kind: 'granted', token, user: { ...user.mailUser, login: user.mailUser.login ?? input.username }, relayState: input.relayState };
      }),
  };
}
