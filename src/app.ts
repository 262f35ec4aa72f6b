/**
 * createApp(deps): the middleware list, in order, is the architecture (koa, STYLE.md principle 9).
 *   1. request context  — request id, locale, child logger; runs of slashes in the path collapsed;
 *                         a warning when a proxy's X-Forwarded-For arrives without TRUST_PROXY
 *   2. access log       — one line per request, token removed from the path; HTTP metrics
 *   3. error boundary   — anything thrown becomes a safe page or JSON error
 *   4. security headers — CSP, framing, referrer, HSTS
 *   5. static assets
 *   6. body parser      — JSON and forms, small, unreadable → VALIDATION
 *   7. routes           — health, metrics (with METRICS_TOKEN), JSON API, pages, demo-only routes;
 *                         a request meets only the routers with a route under its first segment
 */
import Koa from 'koa';
import type { AppDeps } from './deps.js';
import { publicDir } from './paths.js';
import { httpMetrics } from './observability/http-metrics.js';
import { metricsRouter } from './observability/metrics-endpoint.js';
import { createFlowSealer } from './recovery/flow-cookie.js';
import { accessLog } from './web/access-log.js';
import { apiRouter, unlockApiRouter } from './web/api.js';
import { serveAssets } from './web/assets.js';
import { serveBrandStylesheet } from './web/brand.js';
import { parseBody } from './web/body.js';
import { createCookieJar } from './web/cookies.js';
import { createCsrfGuard } from './web/csrf.js';
import { errorBoundary } from './web/errors.js';
import { healthRouter } from './web/health.js';
import { pagesRouter } from './web/pages.js';
import { createPresenter } from './web/present.js';
import { requestContext } from './web/request-context.js';
import { mountRouters } from './web/router-dispatch.js';
import { canonicalPaths } from './web/route-paths.js';
import { untrustedForwardingWatch } from './web/proxy-check.js';
import { securityHeaders } from './web/security-headers.js';

export function createApp(deps: AppDeps): Koa {
  const { config } = deps;
  // A load balancer appends the address it saw to X-Forwarded-For; anything to its left came from
  // the client and is whatever the client wrote. maxIpsCount makes ctx.ip the address our own
  // proxies added (the per-IP limits and Okta's X-Forwarded-For use it), never a spoofed one.
  const app = new Koa({ proxy: config.http.trustProxy, maxIpsCount: config.http.trustProxyHops });
  // Koa's default error listener prints stacks to stderr; ours logs through pino instead.
  app.silent = true;

  const cookies = createCookieJar({ secure: config.secureCookies, sealer: createFlowSealer(config.cookieSecret, deps.clock, config.cookieSecretPrevious) });
  const csrf = createCsrfGuard(cookies);
  const presenter = createPresenter({
    renderer: deps.renderer,
    catalogue: deps.catalogue,
    brandName: config.brand.name,
    logoUrl: config.brand.logoUrl,
    faviconUrl: config.brand.faviconUrl,
    privacyUrl: config.brand.privacyUrl,
    helpUrl: config.brand.helpUrl,
    supportContact: config.brand.supportContact,
    signInUrl: config.signInUrl,
    unlockOffered: config.unlockMethods.length > 0,
    csrfToken: (ctx) => csrf.tokenFor(ctx),
  });
  const stepDeps = { config, engine: deps.engine, clock: deps.clock, logger: deps.logger, audit: deps.audit, mailer: deps.mailer, limits: deps.limits };

  app.use(requestContext({ logger: deps.logger, catalogue: deps.catalogue, cookies, trustProxy: config.http.trustProxy }));
  // Before everything that reads the path: routers, metrics and the log agree on what it is.
  app.use(canonicalPaths);
  app.use(untrustedForwardingWatch({ trustProxy: config.http.trustProxy, logger: deps.logger, metrics: deps.metrics, clock: deps.clock, lifecycle: deps.lifecycle }));
  app.use(accessLog(deps.logger, httpMetrics(deps.metrics)));
  app.use(errorBoundary((ctx, outcome) => (presenter.isApi(ctx) ? presenter.json(ctx, outcome) : presenter.page(ctx, outcome))));
  // The logo's and the favicon's origins join img-src (a favicon is fetched under img-src too).
  const imageOrigins = [...new Set([config.brand.logoUrl, config.brand.faviconUrl].flatMap((url) => (url ? [new URL(url).origin] : [])))].filter((origin) => origin !== config.publicOrigin);
  app.use(securityHeaders({ hsts: config.secureCookies, imageOrigins }));
  app.use(serveAssets(publicDir, ['app.css', 'app.js', 'favicon.svg']));
  app.use(serveBrandStylesheet(config.brand.primaryColor));
  app.use(parseBody());

  const routers = [
    healthRouter(deps.lifecycle, deps.engine.name),
    // On the main port only with a token; METRICS_PORT serves it on its own listener (server.ts).
    ...(config.metrics.token && config.metrics.port === undefined ? [metricsRouter(deps.metrics.registry, config.metrics.token)] : []),
    apiRouter({ ...stepDeps, cookies, presenter }),
    unlockApiRouter({ ...stepDeps, cookies, presenter }),
    pagesRouter({ ...stepDeps, cookies, csrf, presenter, catalogue: deps.catalogue }),
    ...deps.extraRouters.map((make) => make({ presenter })),
  ];
  app.use(mountRouters(routers));
  return app;
}
