/**
 * Okta's error bodies. Codes, HTTP statuses and summaries are the exact ones of
 * ../shared/okta-authn-contract.md (§0 shape, §1.3, §2.3, §3.3, §4.3, §5, §6, §8) and ERRCODES.
 * Clients must key on `errorCode`; summaries are for humans (COREAPI, quoted in §0).
 */
import { newErrorId } from './ids.js';

export const OKTA_ERRORS = {
  E0000001: { status: 400, summary: 'Api validation failed: {0}' },
  E0000003: { status: 400, summary: 'The request body was not well-formed.' },
  E0000004: { status: 401, summary: 'Authentication failed' },
  E0000006: { status: 403, summary: 'You do not have permission to perform the requested action' },
  E0000007: { status: 404, summary: 'Not found: Resource not found: {0} (Resource)' },
  E0000009: { status: 500, summary: 'Internal Server Error' },
  E0000011: { status: 401, summary: 'Invalid token provided' },
  E0000022: { status: 405, summary: 'The endpoint does not support the provided HTTP method' },
  E0000034: { status: 403, summary: 'Forgot password not allowed on specified user.' },
  E0000047: { status: 429, summary: 'API call exceeded rate limit due to too many requests.' },
  E0000068: { status: 403, summary: 'Invalid Passcode/Answer' },
  E0000069: { status: 403, summary: 'User Locked' },
  E0000079: { status: 403, summary: 'This operation is not allowed in the current authentication state.' },
  // The current summary (SIW PASSWORD_RESET_error), not the old "does meet" typo (§4.3).
  E0000080: {
    status: 403,
    summary: 'The password does not meet the complexity requirements of the current password policy.',
  },
  E0000087: { status: 403, summary: 'The recovery question answer did not match our records.' },
  E0000095: { status: 403, summary: 'Recovery not allowed for unknown user.' },
  E0000105: {
    status: 403,
    summary: 'You have accessed an account recovery link that has expired or been previously used.',
  },
  E0000109: { status: 429, summary: 'An SMS message was recently sent. Please wait 30 seconds before trying again.' },
  E0000133: { status: 429, summary: 'A phone call was recently made. Please wait 30 seconds before trying again.' },
} as const satisfies Record<string, { status: number; summary: string }>;

export type OktaErrorCode = keyof typeof OKTA_ERRORS;

export interface OktaErrorBody {
  errorCode: OktaErrorCode;
  errorSummary: string;
  errorLink: string;
  errorId: string;
  errorCauses: Array<{ errorSummary: string }>;
}

/** Thrown by the flow steps; the error middleware renders it as Okta would. */
export class OktaApiError extends Error {
  readonly code: OktaErrorCode;
  readonly causes: readonly string[];
  readonly detail: string;

  /** `detail` fills the `{0}` of summaries such as E0000001's "Api validation failed: {0}". */
  constructor(code: OktaErrorCode, causes: readonly string[] = [], detail = '') {
    super(code);
    this.code = code;
    this.causes = causes;
    this.detail = detail;
  }

  get status(): number {
    return OKTA_ERRORS[this.code].status;
  }

  body(): OktaErrorBody {
    return {
      errorCode: this.code,
      errorSummary: OKTA_ERRORS[this.code].summary.replace('{0}', this.detail),
      errorLink: this.code,
      errorId: newErrorId(),
      errorCauses: this.causes.map((errorSummary) => ({ errorSummary })),
    };
  }
}

/** §6: a stateToken used in the wrong state. The cause repeats the summary, as in AUTHJS error-operation. */
export const wrongState = (): OktaApiError =>
  new OktaApiError('E0000079', [OKTA_ERRORS.E0000079.summary]);

/** §3.4 / §4.4: expired, cancelled, consumed or unknown stateToken. */
export const invalidToken = (): OktaApiError => new OktaApiError('E0000011');
