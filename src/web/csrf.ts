/**
 * CSRF protection for HTML forms: the synchroniser-token pattern of the `csrf` library (pillarjs),
 * with its secret in an HttpOnly cookie and a token per form. SameSite=Lax already stops most
 * cross-site POSTs; the token covers older browsers and same-site subdomains (OWASP CSRF cheat sheet).
 */
import Tokens from 'csrf';
import type { Context } from 'koa';
import type { CookieJar } from './cookies.js';

const SECRET_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface CsrfGuard {
  /** The token for a form on this page; creates the secret cookie on first use. */
  tokenFor(ctx: Context): string;
  /** True when the submitted token matches this browser's secret. */
  verify(ctx: Context, submitted: unknown): boolean;
}

export function createCsrfGuard(cookies: CookieJar): CsrfGuard {
  const tokens = new Tokens();
  return {
    tokenFor(ctx) {
      let secret = cookies.read(ctx, 'csrf');
      if (!secret || secret.length > 64) {
        secret = tokens.secretSync();
        cookies.write(ctx, 'csrf', secret, SECRET_MAX_AGE_MS);
      }
      return tokens.create(secret);
    },
    verify(ctx, submitted) {
      const secret = cookies.read(ctx, 'csrf');
      return Boolean(secret) && typeof submitted === 'string' && submitted.length < 200 && tokens.verify(secret as string, submitted);
    },
  };
}
