/**
 * Probes for load balancers and orchestrators:
 *   /healthz — liveness: the process is up and serving HTTP (restart it if this fails);
 *   /readyz  — readiness (and which Okta engine runs): configuration loaded, every registered
 *              dependency check passing (Redis when configured), and not shutting down (stop
 *              routing traffic here if this fails).
 * Neither says more than check names and ok/failing/warning: no versions, hosts or error text. A
 * warning (demo mode, X-Forwarded-For arriving without TRUST_PROXY) comes with fixed advice naming
 * the variable to set; it never makes the instance unready.
 */
import Router from '@koa/router';
import { ROUTING } from './route-paths.js';
import type { Lifecycle } from '../lifecycle.js';
import type { EngineName } from '../recovery/engine.js';

export const LIVENESS_PATH = '/healthz';
export const READINESS_PATH = '/readyz';

export function healthRouter(lifecycle: Pick<Lifecycle, 'readiness'>, engine: EngineName): Router {
  const router = new Router(ROUTING);
  router.get(LIVENESS_PATH, (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });
  router.get(READINESS_PATH, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const readiness = await lifecycle.readiness();
    ctx.status = readiness.ready ? 200 : 503;
    // The engine is configuration, not a secret: operators check an upgraded org was picked up.
    ctx.body = { status: readiness.ready ? 'ready' : 'not-ready', engine, checks: readiness.checks, ...(readiness.advice ? { advice: readiness.advice } : {}) };
  });
  return router;
}
