/**
 * The OAuth side of the Interaction Code flow (contract §1, §5.4, §11.1, §11.12): interact, token,
 * and what okta-auth-js reads to check the tokens (keys, openid-configuration). Requests are
 * form-encoded; errors are `{error, error_description}`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IdxDeps } from './deps.js';
import { OAuthError } from './errors.js';
import type { Json } from './ion.js';
import type { IdxClient } from './settings.js';
import type { IdxTransaction } from './transactions.js';
import { issuerOf } from './views.js';

const DEFAULT_GRANTS = ['interaction_code', 'authorization_code', 'refresh_token'];

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** client_secret_post, or client_secret_basic from the Authorization header. */
function credentialsOf(body: Json, authorization: string): { clientId: string; secret: string } {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization.trim());
  if (basic?.[1]) {
    const [id = '', secret = ''] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    return { clientId: decodeURIComponent(id), secret: decodeURIComponent(secret) };
  }
  return { clientId: str(body['client_id']), secret: str(body['client_secret']) };
}

function authenticate(deps: IdxDeps, body: Json, authorization: string, requireSecret: boolean): IdxClient {
  const { clientId, secret } = credentialsOf(body, authorization);
  const client = deps.clients.get(clientId);
  if (!client) throw new OAuthError(401, 'invalid_client', 'Invalid value for \'client_id\' parameter.');
  if (client.clientSecret !== undefined && (requireSecret || secret !== '') && !sameSecret(secret, client.clientSecret)) {
    throw new OAuthError(401, 'invalid_client', 'The client secret supplied for a confidential client is invalid.');
  }
  return client;
}

/**
 * `POST {issuer}/v1/interact` (§1.2, §11.1): the client, its grant, the registered redirect URI,
 * PKCE S256 and `state` are required; a confidential client's secret too unless the org is set
 * lenient (§10.8). A `recovery_token` starts path C (§3.3): never issued → 400 [F-01d]; spent or
 * expired → the transaction ends on the terminal [F-14b] at introspect.
 */
export function interact(deps: IdxDeps, authServerId: string | null, body: Json, authorization: string): Json {
  const client = authenticate(deps, body, authorization, deps.settings.requireClientSecretAtInteract);
  if (!deps.settings.interactionCodeEnabled) {
    throw new OAuthError(400, 'access_denied', 'The requested feature is not enabled in this environment.');
  }
  const grants = client.grantTypes ?? DEFAULT_GRANTS;
  if (!grants.includes('interaction_code')) {
    const configured = grants.join(', ');
    throw new OAuthError(400, 'unauthorized_client', `The client is not authorized to use the provided grant type. Configured grant types: [${configured}].`);
  }
  const redirectUri = str(body['redirect_uri']);
  if (!client.redirectUris.includes(redirectUri)) {
    throw new OAuthError(400, 'invalid_request', "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.");
  }
  const codeChallenge = str(body['code_challenge']);
  if (codeChallenge === '') {
    throw new OAuthError(400, 'invalid_request', "PKCE code challenge is required when the token endpoint authentication method is 'NONE'.");
  }
  if (str(body['code_challenge_method']) !== 'S256') {
    throw new OAuthError(400, 'invalid_request', "The 'code_challenge_method' parameter must be 'S256'.");
  }
  const state = str(body['state']);
  if (state === '') throw new OAuthError(400, 'invalid_request', "The 'state' parameter is required.");
  const scope = str(body['scope']);
  if (scope === '') throw new OAuthError(400, 'invalid_scope', 'The authorization server resource does not have any configured default scopes, \'scope\' must be provided.');
  let recovery: IdxTransaction['recovery'];
  const recoveryToken = str(body['recovery_token']);
  if (recoveryToken !== '') {
    const redemption = deps.store.redeemRecoveryToken(recoveryToken);
    if (redemption.kind === 'never-issued') throw new OAuthError(400, 'invalid_request', 'The recovery token is invalid');
    recovery = redemption.kind === 'ok' ? { kind: 'token', userId: redemption.record.userId } : { kind: 'dead-token' };
  }
  const nonce = str(body['nonce']);
  const txn = deps.txns.create({
    client,
    authServerId,
    redirectUri,
    scope,
    state,
    codeChallenge,
    nonce: nonce === '' ? undefined : nonce,
    recovery,
  });
  return { interaction_handle: txn.interactionHandle };
}

const s256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

/**
 * `POST {issuer}/v1/token` grant_type=interaction_code (§5.4, §11.12): the client (and its secret),
 * a single-use code of at most 60 s from this client, and PKCE: S256(code_verifier) must equal the
 * interact's code_challenge, else 400 invalid_grant "PKCE verification failed." [F-10b].
 */
export async function token(deps: IdxDeps, origin: string, body: Json, authorization: string): Promise<Json> {
  if (str(body['grant_type']) !== 'interaction_code') {
    throw new OAuthError(400, 'unsupported_grant_type', "The authorization grant type is not supported by the authorization server. Configured grant types: [interaction_code].");
  }
  const client = authenticate(deps, body, authorization, true);
  const record = deps.txns.redeemCode(str(body['interaction_code']));
  if (!record || record.txn.client.clientId !== client.clientId) {
    throw new OAuthError(400, 'invalid_grant', 'The interaction code is invalid or has expired.');
  }
  if (s256(str(body['code_verifier'])) !== record.txn.codeChallenge) {
    throw new OAuthError(400, 'invalid_grant', 'PKCE verification failed.');
  }
  deps.txns.end(record.txn);
  const user = deps.store.userById(record.userId);
  return deps.tokens.issue({
    issuer: issuerOf(origin, record.txn),
    clientId: client.clientId,
    userId: record.userId,
    login: user?.login ?? '',
    name: user ? `${user.firstName} ${user.lastName}` : '',
    scope: record.txn.scope,
    nonce: record.txn.nonce,
  });
}

/** The discovery document okta-auth-js reads before it checks a token's signature. */
export function openidConfiguration(origin: string, authServerId: string | null): Json {
  const issuer = authServerId === null ? origin : `${origin}/oauth2/${authServerId}`;
  const base = authServerId === null ? `${origin}/oauth2/v1` : `${issuer}/v1`;
  return {
    issuer,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
    jwks_uri: `${base}/keys`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'interaction_code', 'refresh_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
  };
}
