/**
 * Headers on every response (OWASP Secure Headers, ASVS V14.4): a CSP with no inline script or
 * style and no third-party origin, no framing, no referrer (the emailed link's token must never
 * leak through Referer), no sniffing, HSTS when we are served over https, and no-store unless a
 * later middleware (the static assets) says an answer may be cached.
 */
import type { Middleware } from 'koa';

export function securityHeaders(options: { hsts: boolean; imageOrigins?: readonly string[] }): Middleware {
  // The brand logo (BRAND_LOGO_URL) may live on the organisation's CDN: its origin, and only it, is allowed.
  const images = ["'self'", 'data:', ...(options.imageOrigins ?? [])].join(' ');
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${images}`,
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  return async (ctx, next) => {
    ctx.set('Content-Security-Policy', csp);
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
    ctx.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()');
    if (options.hsts) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    // Every answer is someone's own unless it says otherwise (only the static assets do): a 404
    // or a 405 page is not worth a shared cache's keeping either.
    ctx.set('Cache-Control', 'no-store');
    await next();
  };
}

/** Flow pages and API answers hold per-user state: never store them in any cache. */
export const noStore: Middleware = async (ctx, next) => {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Pragma', 'no-cache');
  await next();
};
