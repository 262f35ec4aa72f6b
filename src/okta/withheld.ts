/**
 * Service delivery, either engine: an Okta refusal or outage while asking for a recovery token
 * becomes "no email", with the facts an operator needs (Okta's errorCode, errorId, request id)
 * and nothing that could say more to the user, who was answered before Okta was asked.
 */
import type { RecoveryGrant } from '../mail/recovery-grant.js';
import { OktaApiError, OktaUnavailableError } from './errors.js';

export async function grantOrWithheld(ask: () => Promise<RecoveryGrant>): Promise<RecoveryGrant> {
  try {
    return await ask();
  } catch (error) {
    // E0000095 / E0000007 (unknown user), E0000034 (suspended…), E0000006 (token lacks permission),
    // 429, outages: all end here. Not retried: the POST may have issued a token (got's rule).
    if (error instanceof OktaApiError) {
      return { kind: 'withheld', reason: 'okta-refused', facts: { oktaErrorCode: error.errorCode, oktaErrorId: error.errorId, oktaRequestId: error.requestId } };
    }
    if (error instanceof OktaUnavailableError) {
      return { kind: 'withheld', reason: 'okta-unavailable', facts: { oktaStatus: error.status, oktaRequestId: error.requestId } };
    }
    throw error;
  }
}
