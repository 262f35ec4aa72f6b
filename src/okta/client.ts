/**
 * One configured HTTP client for Okta (got's gh-got pattern, STYLE.md principle 3): keep-alive
 * agents with bounded sockets, an explicit timeout, JSON in and out, and **no retries**: every
 * recovery call is a POST that may have spent a token or sent an email (contract §2.3: links are
 * single-use), so a retry could turn one click into "link already used". The wire itself is
 * http-transport.ts.
 */
import { endUserHeaders, type EndUserContext } from './context.js';
import { createHttpTransport, headerOf, TransportError } from './http-transport.js';
import { OktaApiError, OktaUnavailableError } from './errors.js';
import { errorBodySchema } from './errors.js';

export interface OktaCallObservation {
  readonly endpoint: string;
  readonly status: number | 'network-error';
  readonly durationMs: number;
  readonly oktaRequestId: string | undefined;
  readonly rateLimitRemaining: number | undefined;
  /** X-Rate-Limit-Reset: when Okta's window resets, in epoch seconds. */
  readonly rateLimitResetEpochSeconds: number | undefined;
  /** The end-user context the call was made with: whose request it served (for logs and audit). */
  readonly context: EndUserContext;
  /** The start's admission already took this call from the Okta budget (see OktaPostOptions.prepaid). */
  readonly prepaid: boolean;
}

export interface OktaClientOptions {
  readonly orgUrl: string;
  readonly timeoutMs: number;
  /** Admin API token, sent only on calls that ask for it (the trusted-application variants). */
  readonly apiToken?: string | undefined;
  /** Upper bound on concurrent sockets to Okta; keep-alive reuses them. */
  readonly maxSockets?: number;
  /** Called once per Okta call, after it ends: the hook for logs, metrics and budget tracking. */
  readonly observe?: (observation: OktaCallObservation) => void;
}

export interface OktaPostOptions {
  readonly context: EndUserContext;
  readonly useApiToken?: boolean;
  /**
   * The first Okta call of a start: its admission took one call from the Okta budget before any
   * was made (limits/okta-budget.ts), so the budget's observer must not count this one again.
   */
  readonly prepaid?: boolean;
  /**
   * The endpoint as metrics and logs name it, when the path carries a user's login or id (the
   * Users API): label values stay a closed set, and no login reaches a log line.
   */
  readonly endpoint?: string;
}

/** A request whose answer the caller reads whatever its status (IDX answers errors with full bodies). */
export interface OktaSendOptions {
  readonly context: EndUserContext;
  /** JSON (with this content type, default application/json) or an HTML-form body (OAuth endpoints). */
  readonly json?: Record<string, unknown>;
  readonly form?: Record<string, string>;
  readonly contentType?: string;
  readonly accept?: string;
  /** As OktaPostOptions.prepaid. */
  readonly prepaid?: boolean;
}

export interface OktaAnswer {
  readonly status: number;
  /** The parsed JSON body; {} for an empty one. */
  readonly body: unknown;
  /** From X-Rate-Limit-Reset on a 429: seconds until Okta's window resets. */
  readonly retryAfterSeconds: number | undefined;
  readonly requestId: string | undefined;
}

export interface OktaClient {
  /** POSTs JSON to an authn path; resolves with the parsed body of a 2xx, throws OktaError otherwise. */
  post(path: string, body: Record<string, unknown>, options: OktaPostOptions): Promise<unknown>;
  /** GETs a management API path (the Users API, with the API token); answers as post does. */
  get(path: string, options: OktaPostOptions): Promise<unknown>;
  /**
   * POSTs to a path on the org URL and resolves with any answer Okta gives; throws
   * OktaUnavailableError only when no readable answer came (network, timeout, not JSON).
   */
  send(path: string, options: OktaSendOptions): Promise<OktaAnswer>;
  readonly hasApiToken: boolean;
  /** Closes idle keep-alive sockets (graceful shutdown). */
  close(): void;
}

const SERVICE_USER_AGENT = 'okta-custom-domain-recovery/0.1 (+https://github.com/)';

function numberHeader(value: string | undefined): number | undefined {
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** Contract §8: X-Rate-Limit-Reset is the window's reset in epoch seconds. */
function secondsUntilReset(resetEpochSeconds: number | undefined, nowMs: number): number {
  if (resetEpochSeconds === undefined) return 60;
  return Math.min(3600, Math.max(1, Math.ceil(resetEpochSeconds - nowMs / 1000)));
}

/** A module constant: a regular-expression literal in a function is a new RegExp each time it runs. */
const LEADING_SLASHES = /^\/+/;

/** What one call reads from its caller's options: send's, post's and get's alike. */
type CallOptions = Omit<OktaSendOptions, 'json'> & { readonly useApiToken?: boolean | undefined; readonly endpoint?: string | undefined };

export function createOktaClient(options: OktaClientOptions): OktaClient {
  const transport = createHttpTransport({ orgUrl: options.orgUrl, timeoutMs: options.timeoutMs, maxSockets: options.maxSockets ?? 64 });
  const apiAuthorization = options.apiToken ? `SSWS ${options.apiToken}` : undefined;

  /**
   * The method and the JSON body are arguments and the caller's options are read as they are:
   * post and get copied theirs on every call to add these, each call site's options a shape of
   * its own.
   */
  async function call(path: string, method: 'GET' | 'POST', json: Record<string, unknown> | undefined, sendOptions: CallOptions): Promise<OktaAnswer> {
    const headers = endUserHeaders(sendOptions.context, SERVICE_USER_AGENT);
    headers.push('accept', sendOptions.accept ?? 'application/json');
    if (sendOptions.useApiToken && apiAuthorization !== undefined) headers.push('authorization', apiAuthorization);
    const startedAt = performance.now();
    const target = path.replace(LEADING_SLASHES, '');
    // A templated label (e.g. api/v1/users/{login}) keeps logins out of metrics and logs.
    const endpoint = sendOptions.endpoint ?? target;
    let body: string | undefined;
    if (method === 'GET') {
      body = undefined;
    } else if (sendOptions.form) {
      headers.push('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(sendOptions.form).toString();
    } else {
      headers.push('content-type', sendOptions.contentType ?? 'application/json');
      body = JSON.stringify(json ?? {});
    }
    let response;
    try {
      response = await transport.request(method, target, headers, body);
    } catch (error) {
      options.observe?.({
        endpoint,
        status: 'network-error',
        durationMs: performance.now() - startedAt,
        oktaRequestId: undefined,
        rateLimitRemaining: undefined,
        rateLimitResetEpochSeconds: undefined,
        context: sendOptions.context,
        prepaid: sendOptions.prepaid === true,
      });
      if (!(error instanceof TransportError)) throw error;
      throw new OktaUnavailableError(error.code);
    }
    const oktaRequestId = headerOf(response, 'x-okta-request-id');
    options.observe?.({
      endpoint,
      status: response.status,
      durationMs: performance.now() - startedAt,
      oktaRequestId,
      rateLimitRemaining: numberHeader(headerOf(response, 'x-rate-limit-remaining')),
      rateLimitResetEpochSeconds: numberHeader(headerOf(response, 'x-rate-limit-reset')),
      context: sendOptions.context,
      prepaid: sendOptions.prepaid === true,
    });

    let parsed: unknown;
    try {
      parsed = response.body === '' ? {} : JSON.parse(response.body);
    } catch {
      throw new OktaUnavailableError('unreadable response body', { status: response.status, requestId: oktaRequestId });
    }
    const retryAfterSeconds =
      response.status === 429 ? secondsUntilReset(numberHeader(headerOf(response, 'x-rate-limit-reset')), Date.now()) : undefined;
    return { status: response.status, body: parsed, retryAfterSeconds, requestId: oktaRequestId };
  }

  // then, not an async function: an async wrapper costs a promise, its suspended frame and an
  // await per call; then only the promise it returns. The same answer, the same rejections.
  function post(path: string, body: Record<string, unknown>, postOptions: OktaPostOptions): Promise<unknown> {
    return call(path, 'POST', body, postOptions).then(readAnswer);
  }

  /** A 2xx's body, or Okta's refusal as an OktaApiError (anything unreadable: unavailable). */
  function readAnswer(answer: OktaAnswer): unknown {
    const { status: statusCode, body: parsed, requestId: oktaRequestId } = answer;
    if (statusCode >= 200 && statusCode < 300) return parsed;

    const errorBody = errorBodySchema.safeParse(parsed);
    // 5xx, and anything that is not Okta's error shape, means Okta cannot serve us right now.
    if (statusCode >= 500 || !errorBody.success) {
      throw new OktaUnavailableError(`HTTP ${statusCode}`, { status: statusCode, requestId: oktaRequestId });
    }
    const causes = (errorBody.data.errorCauses ?? errorBody.data.errorCause ?? [])
      .map((cause) => cause.errorSummary)
      .filter((summary): summary is string => typeof summary === 'string' && summary.length > 0);
    throw new OktaApiError({
      status: statusCode,
      errorCode: errorBody.data.errorCode,
      errorSummary: errorBody.data.errorSummary,
      errorId: errorBody.data.errorId,
      causes,
      requestId: oktaRequestId,
      retryAfterSeconds: answer.retryAfterSeconds,
    });
  }

  return {
    post,
    get: (path, getOptions) => call(path, 'GET', undefined, getOptions).then(readAnswer),
    send: (path, sendOptions) => call(path, 'POST', sendOptions.json, sendOptions),
    hasApiToken: Boolean(options.apiToken),
    close() {
      transport.close();
    },
  };
}
