/**
 * Per-request facts every later middleware needs: a request id (ours, or a sane one from the load
 * balancer), the negotiated locale, a child logger, and the end user's context for Okta calls.
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

export function requestContext(options: { logger: Logger; catalogue: Catalogue; cookies: CookieJar }): Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = /^[A-Za-z0-9._-]{8,64}$/.test(incoming) ? incoming : randomUUID();
    ctx.set('X-Request-Id', requestId);
    const query = typeof ctx.query.lang === 'string' ? ctx.query.lang : undefined;
    const locale = negotiateLocale(
      { query, cookie: options.cookies.read(ctx, 'lang'), acceptLanguage: ctx.get('accept-language') },
      options.catalogue.locales,
    );
    // An explicit ?lang= choice is remembered, so the next pages keep it without the parameter.
    if (query && locale.toLowerCase() === query.toLowerCase()) options.cookies.write(ctx, 'lang', locale, LANG_COOKIE_MAX_AGE_MS);
    Object.assign(ctx.state, { requestId, locale, log: options.logger.child({ requestId }) } satisfies RequestState);
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
