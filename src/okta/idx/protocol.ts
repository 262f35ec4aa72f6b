/**
 * The IDX calls themselves (IDX contract §1–§2): interact (OAuth, form-encoded), introspect, and
 * a POST to any form's or action's href. Every answer Okta gives is returned as a typed value
 * (ION body, or rate-limited); only "no readable answer" (network, timeout, 5xx, not JSON) throws
 * OktaUnavailableError, as the Classic calls do.
 */
import type { OktaClient } from '../client.js';
import type { EndUserContext } from '../context.js';
import { errorBodySchema, OktaUnavailableError } from '../errors.js';
import { isIonAnswer, type Ion } from './ion.js';

/** §2.1: the version every Okta client pins; both headers carry it (JAVA, Guardian). */
const ION_TYPE = 'application/ion+json; okta-version=1.0.0';

export type IdxAnswer =
  | { readonly kind: 'ion'; readonly status: number; readonly ion: Ion }
  /** Either 429 kind (§6.4): IDX `tooManyRequests` in an ION body, or the org's E0000047. */
  | { readonly kind: 'rate-limited'; readonly retryAfterSeconds: number };

export interface IdxSettings {
  readonly orgUrl: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly authServerPath: string;
  readonly redirectUri: string;
}

/** interact's refusals are configuration problems of ours (§1.3): say which, for the operator. */
export class InteractRefusedError extends OktaUnavailableError {
  readonly oauthError: string;
  constructor(oauthError: string, status: number) {
    super(`interact refused: ${oauthError}`, { status });
    this.oauthError = oauthError;
  }
}

export interface InteractInput {
  readonly state: string;
  readonly codeChallenge: string;
  /** Path C (§3.3): start straight at recovery with a token from the Users API. */
  readonly recoveryToken?: string | undefined;
  /** The start's first call, already taken from the Okta budget at admission (okta/client.ts). */
  readonly prepaid?: boolean | undefined;
}

export type InteractAnswer =
  | { readonly kind: 'handle'; readonly handle: string }
  /** Okta never issued the recovery token sent (400 invalid_request [F-01d]): a dead link, not our configuration. */
  | { readonly kind: 'token-refused' }
  | Extract<IdxAnswer, { kind: 'rate-limited' }>;

export interface IdxProtocol {
  interact(input: InteractInput, context: EndUserContext): Promise<InteractAnswer>;
  introspect(handle: { interactionHandle: string } | { stateHandle: string }, context: EndUserContext): Promise<IdxAnswer>;
  /** POST to a path on the org (see pathOf), with the body the form asks for. */
  post(path: string, body: Record<string, unknown>, context: EndUserContext): Promise<IdxAnswer>;
  /**
   * An href from Okta as a path on the org URL. Okta builds hrefs on the host we called (§1.1);
   * one elsewhere would send the stateHandle to another host, so it is refused.
   */
  pathOf(href: string): string;
}

export function createIdxProtocol(okta: OktaClient, settings: IdxSettings): IdxProtocol {
  const orgUrl = settings.orgUrl.replace(/\/+$/, '');

  function answerOf(status: number, body: unknown, retryAfterSeconds: number | undefined): IdxAnswer {
    if (status === 429) return { kind: 'rate-limited', retryAfterSeconds: retryAfterSeconds ?? 60 };
    if (status >= 500) throw new OktaUnavailableError(`HTTP ${status}`, { status });
    if (isIonAnswer(body)) return { kind: 'ion', status, ion: body };
    const classic = errorBodySchema.safeParse(body);
    if (classic.success && classic.data.errorCode === 'E0000047') return { kind: 'rate-limited', retryAfterSeconds: retryAfterSeconds ?? 60 };
    throw new OktaUnavailableError(`HTTP ${status} without an IDX body`, { status });
  }

  async function postIon(path: string, body: Record<string, unknown>, context: EndUserContext): Promise<IdxAnswer> {
    const answer = await okta.send(path, { json: body, contentType: ION_TYPE, accept: ION_TYPE, context });
    return answerOf(answer.status, answer.body, answer.retryAfterSeconds);
  }

  return {
    async interact(input, context) {
      const form: Record<string, string> = {
        client_id: settings.clientId,
        // Recovery needs no scope of its own; openid is the least an AS policy must allow (§1.2).
        scope: 'openid',
        redirect_uri: settings.redirectUri,
        code_challenge: input.codeChallenge,
        code_challenge_method: 'S256',
        state: input.state,
      };
      if (settings.clientSecret) form.client_secret = settings.clientSecret;
      if (input.recoveryToken) form.recovery_token = input.recoveryToken;
      const answer = await okta.send(`${settings.authServerPath}/v1/interact`, { form, accept: 'application/json', context, prepaid: input.prepaid });
      if (answer.status === 429) return { kind: 'rate-limited', retryAfterSeconds: answer.retryAfterSeconds ?? 60 };
      const { interaction_handle: handle, error, error_description: description } = answer.body as { interaction_handle?: unknown; error?: unknown; error_description?: unknown };
      if (answer.status === 200 && typeof handle === 'string' && handle !== '') return { kind: 'handle', handle };
      if (answer.status >= 500) throw new OktaUnavailableError(`HTTP ${answer.status}`, { status: answer.status });
      // Okta names the token in the description ("The recovery token is invalid", [F-01d]); any
      // other refusal is about the app, even with a token sent, and the operator must hear of it.
      if (input.recoveryToken && error === 'invalid_request' && typeof description === 'string' && /recovery.?token/i.test(description)) {
        return { kind: 'token-refused' };
      }
      throw new InteractRefusedError(typeof error === 'string' ? error : 'unreadable', answer.status);
    },

    introspect: (handle, context) => postIon('idp/idx/introspect', handle, context),

    post: postIon,

    pathOf(href) {
      if (!href.startsWith(`${orgUrl}/`)) throw new OktaUnavailableError('an href outside the org URL');
      return href.slice(orgUrl.length + 1);
    },
  };
}
