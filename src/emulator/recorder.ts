/**
 * Records every API request the emulator receives, so tests can assert what the service forwarded
 * (contract §7: User-Agent, Accept-Language, X-Forwarded-For, Authorization). Secrets never enter
 * the record: the Authorization value, cookies, and the body's passwords, answers, passcodes and
 * tokens are replaced by a marker that only shows they were present.
 */
import type Koa from 'koa';
import type { Clock } from '../clock.js';
import { bodyOf } from './body.js';
import { requestIdOf } from './middleware.js';

export interface RecordedRequest {
  /** The X-Okta-Request-Id the emulator answered with. */
  id: string;
  /** ISO-8601, from the emulator's clock. */
  at: string;
  method: string;
  path: string;
  query: string;
  /** Lower-cased request headers minus authorization, cookie and proxy-authorization. */
  headers: Record<string, string>;
  userAgent: string | undefined;
  acceptLanguage: string | undefined;
  xForwardedFor: string | undefined;
  /** Whether an Authorization header came, and its scheme (e.g. "SSWS"), never its value. */
  authorization: { present: boolean; scheme: string | undefined };
  /** The parsed JSON body with secrets redacted; undefined when missing or malformed. */
  body: Record<string, unknown> | undefined;
  status: number;
}

export const REDACTED = '[REDACTED]';
const SECRET_FIELDS = new Set([
  'password',
  'newpassword',
  'oldpassword',
  'answer',
  'passcode',
  'recoverytoken',
  'statetoken',
  // IDX and OAuth (idx contract §1.2, §5.4): bearer handles, codes and client secrets.
  'statehandle',
  'interactionhandle',
  'recovery_token',
  'client_secret',
  'code_verifier',
  'interaction_code',
]);
/** Okta's APIs: Classic authn, IDX and OAuth. The control endpoints and discovery are not recorded. */
const RECORDED_PREFIXES = ['/api/', '/idp/', '/oauth2/'];
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);
/** Kept so a long-running emulator stays bounded; tests see far fewer. */
const MAX_RECORDED = 1000;

export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_FIELDS.has(k.toLowerCase()) ? REDACTED : redact(v)]),
  );
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Records Okta API requests only: the control endpoints are the emulator's own, not Okta's. */
export function recordRequests(log: RecordedRequest[], clock: Clock): Koa.Middleware {
  return async (ctx, next) => {
    if (!RECORDED_PREFIXES.some((prefix) => ctx.path.startsWith(prefix))) return next();
    const at = new Date(clock.now()).toISOString();
    try {
      await next();
    } finally {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(ctx.headers)) {
        const value = headerValue(v);
        if (!SECRET_HEADERS.has(k) && value !== undefined) headers[k] = value;
      }
      const auth = ctx.get('authorization');
      const body = bodyOf(ctx);
      log.push({
        id: requestIdOf(ctx),
        at,
        method: ctx.method,
        path: ctx.path,
        query: ctx.querystring,
        headers,
        userAgent: headers['user-agent'],
        acceptLanguage: headers['accept-language'],
        xForwardedFor: headers['x-forwarded-for'],
        authorization: { present: auth !== '', scheme: auth === '' ? undefined : auth.split(/\s+/)[0] },
        body: body === undefined ? undefined : (redact(body) as Record<string, unknown>),
        status: ctx.status,
      });
      if (log.length > MAX_RECORDED) log.splice(0, log.length - MAX_RECORDED);
    }
  };
}
