/**
 * One function per Okta Classic authn recovery endpoint (guardian/gateway okta/api/authentication.ts
 * shape). Each documents the endpoint, checks the answer's shape (schemas.ts), and returns Okta's
 * transaction, or throws an OktaError. Flow decisions live in recovery/, not here.
 * Reference: https://developer.okta.com/docs/reference/api/authn/ and ../shared/okta-authn-contract.md.
 */
import type { OktaClient } from '../client.js';
import type { EndUserContext } from '../context.js';
import { OktaUnavailableError } from '../errors.js';
import { readTransaction, type OktaTransaction } from './schemas.js';

function parseTransaction(body: unknown): OktaTransaction {
  const transaction = readTransaction(body);
  // A 200 we cannot read is Okta misbehaving, not the user's fault.
  if (!transaction) throw new OktaUnavailableError('unexpected transaction shape');
  return transaction;
}

/**
 * Forgot password, public variant (contract §1.2): Okta emails the recovery link and answers
 * RECOVERY_CHALLENGE with no stateToken, the same for unknown users (§1.3).
 */
export function forgotPasswordByEmail(
  client: OktaClient,
  input: { username: string; relayState?: string | undefined },
  context: EndUserContext,
): Promise<OktaTransaction> {
  const body: Record<string, unknown> = { username: input.username, factorType: 'EMAIL' };
  if (input.relayState) body.relayState = input.relayState;
  // The start's admission already took this call from the Okta budget.
  return client.post('api/v1/authn/recovery/password', body, { context, prepaid: true }).then(parseTransaction);
}

/**
 * Forgot password, trusted-application variant (contract §1.5): with an admin API token and no
 * factorType Okta sends nothing and returns RECOVERY with the recoveryToken for us to deliver.
 * Unknown users get 403 E0000095, which callers must never pass on to the browser.
 */
export function forgotPasswordForDelivery(
  client: OktaClient,
  input: { username: string; relayState?: string | undefined },
  context: EndUserContext,
): Promise<OktaTransaction> {
  const body: Record<string, unknown> = { username: input.username };
  if (input.relayState) body.relayState = input.relayState;
  return client.post('api/v1/authn/recovery/password', body, { context, useApiToken: true, prepaid: true }).then(parseTransaction);
}

/**
 * Self-service unlock (contract §5): the same request as forgot password, on /recovery/unlock.
 * EMAIL answers like §1.2 (no stateToken; Okta emails the unlock link, the same for unknown users);
 * SMS like §1.4 (a RECOVERY_CHALLENGE with a stateToken). Okta offers no CALL for unlock.
 */
export function unlockAccount(
  client: OktaClient,
  input: { username: string; factorType: 'EMAIL' | 'SMS'; relayState?: string | undefined },
  context: EndUserContext,
): Promise<OktaTransaction> {
  const body: Record<string, unknown> = { username: input.username, factorType: input.factorType };
  if (input.relayState) body.relayState = input.relayState;
  return client.post('api/v1/authn/recovery/unlock', body, { context, prepaid: true }).then(parseTransaction);
}

/** Okta's phone recovery factors; sent upper-case, as DOCS' own table does (contract §1.1, §1.6). */
export type PhoneFactor = 'SMS' | 'CALL';

/**
 * Forgot password by SMS or voice call (contract §1.4): Okta texts or calls the user's phone and
 * answers RECOVERY_CHALLENGE with a stateToken, which the code is verified against.
 */
export function forgotPasswordByPhone(
  client: OktaClient,
  input: { username: string; factorType: PhoneFactor; relayState?: string | undefined },
  context: EndUserContext,
): Promise<OktaTransaction> {
  const body: Record<string, unknown> = { username: input.username, factorType: input.factorType };
  if (input.relayState) body.relayState = input.relayState;
  // Every start's first call was paid for at its admission (limits/okta-budget.ts).
  return client.post('api/v1/authn/recovery/password', body, { context, prepaid: true }).then(parseTransaction);
}

/**
 * Verify the texted or spoken code (contract §5): RECOVERY with the question, or PASSWORD_RESET.
 * The path is DOCS' operation path, lower-case; Okta's `_links` spell it upper-case and match
 * either way (§1.6), so no href from Okta's answer needs to be kept in the flow cookie.
 */
export function verifyRecoveryFactor(
  client: OktaClient,
  factor: PhoneFactor,
  input: { stateToken: string; passCode: string },
  context: EndUserContext,
): Promise<OktaTransaction> {
  return client.post(`api/v1/authn/recovery/factors/${factor.toLowerCase()}/verify`, input, { context }).then(parseTransaction);
}

/** Send the code again (contract §5): the RECOVERY_CHALLENGE body again; 429 E0000109/E0000133 within 30 s. */
export function resendRecoveryFactor(
  client: OktaClient,
  factor: PhoneFactor,
  stateToken: string,
  context: EndUserContext,
): Promise<OktaTransaction> {
  return client.post(`api/v1/authn/recovery/factors/${factor.toLowerCase()}/resend`, { stateToken }, { context }).then(parseTransaction);
}

/** Verify recovery token (contract §2): RECOVERY with the question, or PASSWORD_RESET when none is asked. */
export function verifyRecoveryToken(
  client: OktaClient,
  recoveryToken: string,
  context: EndUserContext,
): Promise<OktaTransaction> {
  return client.post('api/v1/authn/recovery/token', { recoveryToken }, { context }).then(parseTransaction);
}

/** Answer recovery question (contract §3): PASSWORD_RESET with the password policy. */
export function answerRecoveryQuestion(
  client: OktaClient,
  input: { stateToken: string; answer: string },
  context: EndUserContext,
): Promise<OktaTransaction> {
  return client.post('api/v1/authn/recovery/answer', input, { context }).then(parseTransaction);
}

/** Reset password (contract §4). Any 200 means the password changed, whatever its status (§4.5). */
export function resetPassword(
  client: OktaClient,
  input: { stateToken: string; newPassword: string; revokeSessions: boolean },
  context: EndUserContext,
): Promise<OktaTransaction> {
  return client.post('api/v1/authn/credentials/reset_password', input, { context }).then(parseTransaction);
}

/** Cancel transaction (contract §6): revokes the stateToken. The body is not needed. */
export async function cancelTransaction(client: OktaClient, stateToken: string, context: EndUserContext): Promise<void> {
  await client.post('api/v1/authn/cancel', { stateToken }, { context });
}
