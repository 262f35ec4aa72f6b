/**
 * createApp(deps): the middleware list, in order, is the architecture (koa, STYLE.md principle 9).
 *   1. on arrival       — one layer of plain steps, in this order, that never answer:
 *                         request context (request id, locale, child logger); runs of slashes in
 *                         the path collapsed; a warning when a proxy's X-Forwarded-For arrives
 *                         without TRUST_PROXY; security headers (CSP, framing, referrer, HSTS),
 *                         on every answer, an error's too
 *   2. access log       — one line per request, token removed from the path; HTTP metrics
 *   3. error boundary   — anything thrown becomes a safe page or JSON error
 *   4. static assets    — under /assets/ only (the files, and the brand's stylesheet)
 *   5. admission        — at most MAX_CONCURRENT_REQUESTS worked on at once; the rest wait their
 *                         turn before anything is built for them (the probes never wait)
 *   6. body parser      — JSON and forms, small, unreadable → VALIDATION
 *   7. routes           — health, metrics (with METRICS_TOKEN), JSON API, pages, demo-only routes;
 *                         a request meets only the routers with a route under its first segment
 *
 * Fewer layers than concerns: koa-compose costs each layer a bound function (and its promise
 * plumbing) on every request, so the steps that only look at a request and pass it on share one
 * layer, and the static assets are not a layer for requests outside /assets/.
 */
import type Koa from 'koa';
import type { Context, Middleware } from 'koa';
import type { AppDeps } from './deps.js';
import { publicDir } from './paths.js';
import { httpMetrics } from './observability/http-metrics.js';
import { METRICS_PATH, metricsRouter } from './observability/metrics-endpoint.js';
import { createFlowSealer } from './recovery/flow-cookie.js';
import { accessLog } from './web/access-log.js';
import { createAdmission } from './web/admission.js';
import { apiRouter, unlockApiRouter } from './web/api.js';
import { ASSETS_PREFIX, serveAssets } from './web/assets.js';
import { serveBrandStylesheet } from './web/brand.js';
import { parseBody } from './web/body.js';
import { createCookieJar } from './web/cookies.js';
import { createCsrfGuard } from './web/csrf.js';
import { errorBoundary } from './web/errors.js';
import { healthRouter, LIVENESS_PATH, READINESS_PATH } from './web/health.js';
import { ServiceKoa } from './web/koa-app.js';
import { pagesRouter } from './web/pages.js';
import { createPresenter } from './web/present.js';
import { requestContext } from './web/request-context.js';
import { mountRouters } from './web/router-dispatch.js';
import { canonicalPaths } from './web/route-paths.js';
import { untrustedForwardingWatch } from './web/proxy-check.js';
import { securityHeaders } from './web/security-headers.js';

/** Paths that never wait at admission: an instance busy with Okta still says it is alive, and is still scraped. */
const NEVER_WAITS: ReadonlySet<string> = new Set([LIVENESS_PATH, READINESS_PATH, METRICS_PATH]);

export function createApp(deps: AppDeps): Koa {
  const { config } = deps;
  // A load balancer appends the address it saw to X-Forwarded-For; anything to its left came from
  // the client and is whatever the client wrote. maxIpsCount makes ctx.ip the address our own
  // proxies added (the per-IP limits and Okta's X-Forwarded-For use it), never a spoofed one.
  // Koa, without on-finished's listeners on every response (web/koa-app.ts).
  const app = new ServiceKoa({ proxy: config.http.trustProxy, maxIpsCount: config.http.trustProxyHops });
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
  const admission = createAdmission({
    limit: config.http.maxConcurrentRequests,
    // A request that waited this long would have had Okta's timeout by now.
    maxWaitMs: config.okta.timeoutMs,
    clock: deps.clock,
    // The probes and the scrape answer even when every place is taken by a request waiting for Okta.
    exempt: (ctx) => NEVER_WAITS.has(ctx.path.toLowerCase()),
  });
  if (config.http.maxConcurrentRequests > 0) deps.metrics.watchAdmission(admission.counts);
  const stepDeps = { config, engine: deps.engine, clock: deps.clock, logger: deps.logger, audit: deps.audit, mailer: deps.mailer, limits: deps.limits };

  // The logo's and the favicon's origins join img-src (a favicon is fetched under img-src too).
  const imageOrigins = [...new Set([config.brand.logoUrl, config.brand.faviconUrl].flatMap((url) => (url ? [new URL(url).origin] : [])))].filter((origin) => origin !== config.publicOrigin);
  app.use(
    inTurn(
      requestContext({ logger: deps.logger, catalogue: deps.catalogue, cookies, trustProxy: config.http.trustProxy }),
      // Before everything that reads the path: routers, metrics and the log agree on what it is.
      canonicalPaths,
      untrustedForwardingWatch({ trustProxy: config.http.trustProxy, logger: deps.logger, metrics: deps.metrics, clock: deps.clock, lifecycle: deps.lifecycle }),
      securityHeaders({ hsts: config.secureCookies, imageOrigins }),
    ),
  );
  app.use(accessLog(deps.logger, httpMetrics(deps.metrics)));
  app.use(errorBoundary((ctx, outcome) => (presenter.isApi(ctx) ? presenter.json(ctx, outcome) : presenter.page(ctx, outcome))));
  app.use(underAssets(serveAssets(publicDir, ['app.css', 'app.js', 'favicon.svg']), serveBrandStylesheet(config.brand.primaryColor)));
  app.use(admission.middleware);
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

/** Steps that each look at a request and never answer it, run in order as one layer of the list. */
function inTurn(...steps: ((ctx: Context) => void)[]): Middleware {
  return (ctx, next) => {
    for (let i = 0; i < steps.length; i++) (steps[i] as (ctx: Context) => void)(ctx);
    return next();
  };
}

/**
 * The static files' middlewares, in turn, for the paths they serve: every asset's and the brand
 * stylesheet's path starts with ASSETS_PREFIX (case and all); any other request passes them by.
 */
function underAssets(files: Middleware, brand: Middleware): Middleware {
  return (ctx, next) => (ctx.path.startsWith(ASSETS_PREFIX) ? files(ctx, () => brand(ctx, next)) : next());
}
