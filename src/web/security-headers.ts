/**
 * Headers on every response (OWASP Secure Headers, ASVS V14.4): a CSP with no inline script or
 * style and no third-party origin, no framing, no referrer (the emailed link's token must never
 * leak through Referer), no sniffing, HSTS when we are served over https, and no-store unless a
 * later middleware (the static assets) says an answer may be cached.
 */
import type { Context, Middleware } from 'koa';

export function securityHeaders(options: { hsts: boolean; imageOrigins?: readonly string[] }): (ctx: Context) => void {
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
  // Cache-Control: every answer is someone's own unless a later middleware says otherwise (only
  // the static assets do): a 404 or a 405 page is not worth a shared cache's keeping either.
  const headers: [string, string][] = [
    ['Content-Security-Policy', csp],
    ['X-Frame-Options', 'DENY'],
    ['Referrer-Policy', 'no-referrer'],
    ['X-Content-Type-Options', 'nosniff'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
    ['Permissions-Policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()'],
    ...(options.hsts ? [['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'] as [string, string]] : []),
    ['Cache-Control', 'no-store'],
  ];
  const names = headers.map(([name]) => name);
  const values = headers.map(([, value]) => value);
  // A step of the first layer of the middleware list (app.ts), not a middleware of its own.
  return (ctx) => {
    // Straight onto Node's response: Koa's ctx.set builds three arrays per header it is given
    // (Koa 3 normalises every value), 4 % of all the service allocated in the bench. Nothing has
    // been sent yet at this point of the middleware list, and every value is already a string.
    // An index loop over plain pairs: `for (const [name, value] of …)` destructures each pair
    // through the iterator protocol, an iterator and its results per header per request.
    for (let i = 0; i < names.length; i++) ctx.res.setHeader(names[i] as string, values[i] as string);
  };
}

/**
 * Flow pages and API answers hold per-user state: never store them in any cache. Cache-Control:
 * no-store is already on every answer (securityHeaders, above, which only the static assets
 * override and they never reach a router); Pragma is for HTTP/1.0 caches.
 */
export const noStore: Middleware = (ctx, next) => {
  preventCaching(ctx);
  return next();
};

/** noStore's header, for a router that sets it in a middleware of its own (api.ts). */
export function preventCaching(ctx: Context): void {
  // As above: Node's setHeader, not Koa's per-header arrays.
  ctx.res.setHeader('Pragma', 'no-cache');
}
