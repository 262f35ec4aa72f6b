/**
 * What every IDX body shares (contract §2.2): the view of a transaction, the head (`version`,
 * `stateHandle`, `expiresAt`, `intent`) and the tail (`cancel`, `app`, `authentication`).
 */
import type { UserRecord } from '../store.js';
import type { Subject } from './authenticators.js';
import { decoySubject, subjectOfUser, verifiedUserValue } from './authenticators.js';
import type { Json } from './ion.js';
import { IDX_VERSION, arr, form, obj } from './ion.js';
import type { IdxSettings } from './settings.js';
import type { IdxStep, IdxTransaction } from './transactions.js';

export interface View {
  origin: string;
  txn: IdxTransaction;
  /** The real user behind the transaction; undefined before identify and for decoys. */
  user: UserRecord | undefined;
  settings: IdxSettings;
}

/** The issuer URI of the interact's authorization server (§1.1): the org itself, or /oauth2/{id}. */
export const issuerOf = (origin: string, txn: IdxTransaction): string =>
  txn.authServerId === null ? origin : `${origin}/oauth2/${txn.authServerId}`;

export const tokenEndpointOf = (origin: string, txn: IdxTransaction): string =>
  txn.authServerId === null ? `${origin}/oauth2/v1/token` : `${origin}/oauth2/${txn.authServerId}/v1/token`;

const VERIFIED_STEPS: ReadonlySet<IdxStep> = new Set(['security-question', 'reset-password', 'success']);

/** Whether ids and profile may show: after the email was proved, or when identified first (§3.2). */
export const revealed = (v: View): boolean => v.txn.identified || VERIFIED_STEPS.has(v.txn.step);

/** Whom the response may show (a decoy for an unknown user identified first), or undefined. */
export function subjectOf(v: View): Subject | undefined {
  if (!revealed(v)) return undefined;
  if (v.user) return subjectOfUser(v.user);
  return v.txn.identifier === undefined ? undefined : decoySubject(v.txn.identifier);
}

/**
 * `user.value` (§2.2): the identifier while recovering unidentified [F-04, F-06]; the id only when
 * identified first [F-05, F-05b, F-06b]; id, identifier and profile once the email is proved [F-08].
 */
export function userValueOf(v: View): Json {
  if (VERIFIED_STEPS.has(v.txn.step) && v.user) return verifiedUserValue(v.user, v.txn.identifier);
  const subject = subjectOf(v);
  if (subject) return { id: subject.id };
  return v.txn.identifier === undefined ? {} : { identifier: v.txn.identifier };
}

export function head(v: View, intent = 'LOGIN'): Json {
  return {
    version: IDX_VERSION,
    stateHandle: v.txn.stateHandle,
    expiresAt: new Date(v.txn.expiresAtMs).toISOString(),
    intent,
  };
}

/** `cancel`, `app` (on every non-terminal response, §11.4) and `authentication` (newer captures). */
export function tail(v: View): Json {
  const { origin, txn } = v;
  return {
    cancel: form(origin, txn.stateHandle, { name: 'cancel', path: '/idp/idx/cancel' }),
    app: obj({ name: 'oidc_client', label: txn.client.label, id: txn.client.clientId }),
    authentication: obj({
      protocol: 'OAUTH2.0',
      issuer: { id: txn.authServerId ?? 'org', name: txn.authServerId ?? 'org', uri: issuerOf(origin, txn) },
      request: {
        max_age: -1,
        scope: txn.scope,
        response_type: 'code',
        redirect_uri: txn.redirectUri,
        state: txn.state,
        code_challenge_method: 'S256',
        code_challenge: txn.codeChallenge,
        response_mode: 'query',
      },
    }),
  };
}

export const remediation = (...forms: Json[]): Json => ({ remediation: arr(forms) });
