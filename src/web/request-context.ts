/**
 * Per-request facts every later middleware needs: a request id, the negotiated locale, a child
 * logger, and the end user's context for Okta calls.
 *
 * The request id is ours unless TRUST_PROXY says a load balancer of ours sets X-Request-Id: a
 * client's own id would otherwise become the key of our logs and audit trail (it could make two
 * users' requests share one id, or reuse one a support ticket names). A sane client id is still
 * logged beside ours, as clientRequestId, to match a client's report.
 */
import { randomUUID } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Catalogue } from '../i18n/catalogue.js';
import { negotiateLocale } from '../i18n/negotiate.js';
import type { EndUserContext } from '../okta/context.js';
import type { CookieJar } from './cookies.js';

export interface RequestState {
  requestId: string;
  locale: string;
  log: Logger;
}

export function state(ctx: Context): RequestState {
  return ctx.state as RequestState;
}

const LANG_COOKIE_MAX_AGE_MS = 365 * 24 * 60 * 60 * 1000;

const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

export function requestContext(options: { logger: Logger; catalogue: Catalogue; cookies: CookieJar; trustProxy: boolean }): Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const sane = SANE_REQUEST_ID.test(incoming) ? incoming : undefined;
    const requestId = options.trustProxy && sane ? sane : randomUUID();
    const clientRequestId = sane && sane !== requestId ? sane : undefined;
    ctx.set('X-Request-Id', requestId);
    const query = typeof ctx.query.lang === 'string' ? ctx.query.lang : undefined;
    const locale = negotiateLocale(
      { query, cookie: options.cookies.read(ctx, 'lang'), acceptLanguage: ctx.get('accept-language') },
      options.catalogue.locales,
      options.catalogue.defaultLocale,
    );
    // An explicit ?lang= choice is remembered, so the next pages keep it without the parameter.
    if (query && locale.toLowerCase() === query.toLowerCase()) options.cookies.write(ctx, 'lang', locale, LANG_COOKIE_MAX_AGE_MS);
    const log = options.logger.child(clientRequestId ? { requestId, clientRequestId } : { requestId });
    Object.assign(ctx.state, { requestId, locale, log } satisfies RequestState);
    await next();
  };
}

export function endUserContext(ctx: Context): EndUserContext {
  return {
    userAgent: ctx.get('user-agent') || undefined,
    acceptLanguage: ctx.get('accept-language') || undefined,
    // ctx.ip honours X-Forwarded-For only when app.proxy is on, i.e. TRUST_PROXY=true.
    clientIp: ctx.ip || undefined,
    requestId: state(ctx).requestId,
  };
}
