/**
 * Tokens from `/v1/token` (§5.4 [F-10]): an id_token and access_token signed RS256 with one key
 * per emulator, published at `/v1/keys`, so okta-auth-js's signature check passes. The key is made
 * on first use: Classic-only runs never pay for it.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SignJWT, exportJWK } from 'jose';
import type { JWK } from 'jose';
import type { Clock } from '../../clock.js';

export interface TokenClaims {
  issuer: string;
  clientId: string;
  userId: string;
  login: string;
  name: string;
  scope: string;
  nonce: string | undefined;
}

const LIFETIME_S = 3600;

export class TokenSigner {
  readonly #clock: Clock;
  #key: { privateKey: KeyObject; publicKey: KeyObject; kid: string } | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  #keys(): { privateKey: KeyObject; publicKey: KeyObject; kid: string } {
    this.#key ??= { ...generateKeyPairSync('rsa', { modulusLength: 2048 }), kid: randomBytes(12).toString('base64url') };
    return this.#key;
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const { publicKey, kid } = this.#keys();
    return { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] };
  }

  async issue(c: TokenClaims): Promise<Record<string, unknown>> {
    const { privateKey, kid } = this.#keys();
    const iat = Math.floor(this.#clock.now() / 1000);
    const sign = (claims: Record<string, unknown>, audience: string): Promise<string> =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(c.issuer)
        .setSubject(c.userId)
        .setAudience(audience)
        .setIssuedAt(iat)
        .setExpirationTime(iat + LIFETIME_S)
        .setJti(`ID.${randomBytes(16).toString('base64url')}`)
        .sign(privateKey);
    const scopes = c.scope.split(/\s+/).filter(Boolean);
    const idClaims: Record<string, unknown> = { ver: 1, amr: ['pwd'], auth_time: iat, ...(c.nonce ? { nonce: c.nonce } : {}) };
    if (scopes.includes('email')) idClaims['email'] = c.login;
    if (scopes.includes('profile')) Object.assign(idClaims, { name: c.name, preferred_username: c.login });
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      expires_in: LIFETIME_S,
      access_token: await sign({ ver: 1, cid: c.clientId, uid: c.userId, scp: scopes }, c.issuer === c.issuer.split('/oauth2')[0] ? c.issuer : 'api://default'),
      scope: c.scope,
    };
    if (scopes.includes('openid')) body['id_token'] = await sign(idClaims, c.clientId);
    return body;
  }
}
