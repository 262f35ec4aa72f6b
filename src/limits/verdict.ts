/** What a limit says about one request; recovery/steps.ts turns it into an Outcome. */
export type LimitVerdict =
  | { readonly kind: 'ok' }
  /** Over a limit: 429 with Retry-After. `source` is for metrics: our own limits or the Okta budget. */
  | { readonly kind: 'limited'; readonly source: 'local' | 'budget'; readonly retryAfterSeconds: number }
  /** The shared counters are unreachable and REDIS_FAILURE_MODE=closed: 503, retry later. */
  | { readonly kind: 'store-down' };

/** The one "ok": verdicts are read, never changed, so every admission can answer with the same object. */
export const OK: { readonly kind: 'ok' } = Object.freeze({ kind: 'ok' });

/** OK as a promise handler, made once: for the then-chains that answer OK whatever the counter gave back. */
export const toOk = (): typeof OK => OK;
