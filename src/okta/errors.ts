/**
 * What can go wrong talking to Okta, as typed values. OktaApiError keeps Okta's errorCode (the
 * only field Okta supports for flow control, COREAPI "Errors") and errorId (the one value Okta
 * support can trace); OktaUnavailableError covers 5xx, timeouts, refused connections and bodies
 * we cannot read. Neither carries a request body, so neither can leak a token into a log line.
 */
import { z } from 'zod';

export class OktaApiError extends Error {
  override readonly name = 'OktaApiError';
  readonly status: number;
  readonly errorCode: string;
  readonly errorId: string | undefined;
  readonly causes: readonly string[];
  /** From X-Okta-Request-Id, for correlating with Okta's System Log. */
  readonly requestId: string | undefined;
  /** Seconds until Okta's rate-limit window resets (429 only), from X-Rate-Limit-Reset. */
  readonly retryAfterSeconds: number | undefined;

  constructor(facts: {
    status: number;
    errorCode: string;
    errorSummary?: string | undefined;
    errorId?: string | undefined;
    causes?: readonly string[];
    requestId?: string | undefined;
    retryAfterSeconds?: number | undefined;
  }) {
    super(`Okta answered ${facts.status} ${facts.errorCode}${facts.errorSummary ? `: ${facts.errorSummary}` : ''}`);
    this.status = facts.status;
    this.errorCode = facts.errorCode;
    this.errorId = facts.errorId;
    this.causes = facts.causes ?? [];
    this.requestId = facts.requestId;
    this.retryAfterSeconds = facts.retryAfterSeconds;
  }

  get isRateLimit(): boolean {
    return this.status === 429 || this.errorCode === 'E0000047';
  }
}

export class OktaUnavailableError extends Error {
  override readonly name = 'OktaUnavailableError';
  readonly status: number | undefined;
  readonly requestId: string | undefined;

  constructor(reason: string, facts: { status?: number | undefined; requestId?: string | undefined } = {}) {
    super(`Okta is unavailable: ${reason}`);
    this.status = facts.status;
    this.requestId = facts.requestId;
  }
}

export type OktaError = OktaApiError | OktaUnavailableError;

/**
 * Okta's API error body (contract §0, COREAPI "Errors"): Classic's every error, and the org-wide
 * rate limit E0000047 that IDX endpoints answer too (IDX contract §6.4). errorCauses may be missing altogether
 * (SIW PASSWORD_RESET_error_noCause), and one SIW fixture spells it errorCause.
 */
export const errorBodySchema = z
  .object({
    errorCode: z.string(),
    errorSummary: z.string().optional(),
    errorId: z.string().optional(),
    errorCauses: z.array(z.object({ errorSummary: z.string().optional() }).loose()).optional(),
    errorCause: z.array(z.object({ errorSummary: z.string().optional() }).loose()).optional(),
  })
  .loose();
export type OktaErrorBody = z.infer<typeof errorBodySchema>;
