/**
 * How a request path is read, decided once for the routers and the access log together, so the
 * log can never disagree with the router about which path holds an emailed token:
 *  - case: routes match in any case (`/RESET-PASSWORD/<token>` is the emailed link, typed or
 *    rewritten by a mail client), and the log redacts in any case;
 *  - slashes: runs of `/` count as one before routing (`//reset-password/<token>` comes from an
 *    email template whose base URL ends in `/`), and the log reads the path the same way.
 */
import type { Context } from 'koa';
import { RESET_SUBPAGES, UNLOCK_SUBPAGES } from './routes.js';

/** Options for every router of ours: case-insensitive, trailing slash optional. */
export const ROUTING = Object.freeze({ sensitive: false, strict: false });

/** The path as the routers see it: runs of slashes collapsed. */
export function canonicalPath(path: string): string {
  return path.replace(/\/{2,}/g, '/');
}

/**
 * Routes the canonical path; the original URL stays for nothing but the log, which redacts it.
 * A step of the first layer of the middleware list (app.ts), not a middleware of its own.
 */
export function canonicalPaths(ctx: Context): void {
  const path = ctx.path;
  if (path.includes('//')) ctx.path = canonicalPath(path);
}

const flags = ROUTING.sensitive ? 'g' : 'gi';
// The reset link and the self-service unlock link carry a recovery token in the path.
const TOKEN_IN_PATH = new RegExp(`(/(reset-password|unlock-account)/)([^/?#]+)`, flags);
const TOKEN_IN_QUERY = new RegExp(`([?&]token=)[^&#]*`, flags);
/** The Identity Engine's magic link carries the emailed code and our transaction's state. */
const CODE_IN_QUERY = new RegExp(`([?&](?:otp|state)=)[^&#]*`, flags);

/** What any of the rewrites below looks for: a query or fragment, a run of slashes, a token-bearing page. */
const MAY_NEED_REDACTION = /[?#]|\/\/|\/(?:reset-password|unlock-account)\//i;

/**
 * The request URL for a log line, with any emailed token replaced by [token]: matched as the
 * router matches (any case, collapsed slashes), whether or not a route answered.
 */
export function loggablePath(url: string): string {
  // Most URLs (the API's, the assets') have nothing to redact or collapse: returned as they are,
  // without the three replaces below and the strings they build.
  if (!MAY_NEED_REDACTION.test(url)) return url;
  const queryAt = url.search(/[?#]/);
  const path = canonicalPath(queryAt === -1 ? url : url.slice(0, queryAt));
  const rest = queryAt === -1 ? '' : url.slice(queryAt);
  const redactedPath = path.replace(TOKEN_IN_PATH, (whole, prefix: string, page: string, segment: string) =>
    (page.toLowerCase() === 'unlock-account' ? UNLOCK_SUBPAGES : RESET_SUBPAGES).has(segment.toLowerCase()) ? whole : `${prefix}[token]`,
  );
  return redactedPath + rest.replace(TOKEN_IN_QUERY, '$1[token]').replace(CODE_IN_QUERY, '$1[redacted]');
}
