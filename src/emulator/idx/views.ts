/**
 * The body of each IDX state (contract §0 state machine; shapes of the newest recordings, cited
 * per step in entry-views.ts and verify-views.ts): `stateBody` picks the one the transaction's
 * remediation calls for. Also the two bodies without a state: session expired and rate limited.
 */
import { identifyBody, identifyRecoveryBody, passwordChallengeBody } from './entry-views.js';
import type { Json } from './ion.js';
import { IDX_VERSION, arr, message } from './ion.js';
import type { IdxMessage, IdxStep, IdxTransaction } from './transactions.js';
import {
  emailChallengeBody,
  resetBody,
  securityQuestionBody,
  selectEmailBody,
  successBody,
  terminalBody,
} from './verify-views.js';
import type { View } from './view-parts.js';

export type { View } from './view-parts.js';
export { issuerOf } from './view-parts.js';


const VIEWS: Record<IdxStep, (v: View) => Json> = {
  identify: identifyBody,
  'password-challenge': passwordChallengeBody,
  'identify-recovery': identifyRecoveryBody,
  'select-email': selectEmailBody,
  'email-challenge': emailChallengeBody,
  'security-question': securityQuestionBody,
  'reset-password': resetBody,
  success: successBody,
  terminal: terminalBody,
};

/** The current state of the transaction, optionally with global messages (e.g. INFO idx.unknown.user). */
export function stateBody(v: View, messages: IdxMessage[] = []): Json {
  const body = VIEWS[v.txn.step](v);
  return messages.length > 0 ? { ...body, messages: arr(messages) } : body;
}

/** [F-12]: unknown, expired, cancelled or finished handle. */
export function sessionExpiredBody(): Json {
  return { version: IDX_VERSION, messages: arr([message('ERROR', 'idx.session.expired', 'The session has expired.')]) };
}

/** [F-07b]: an IDX rate limit. */
export function tooManyRequestsBody(txn: IdxTransaction | undefined): Json {
  const msg = message('ERROR', 'tooManyRequests', 'Too many requests');
  if (!txn) return { version: IDX_VERSION, messages: arr([msg]) };
  return {
    version: IDX_VERSION,
    stateHandle: txn.stateHandle,
    expiresAt: new Date(txn.expiresAtMs).toISOString(),
    intent: 'LOGIN',
    messages: arr([msg]),
  };
}
