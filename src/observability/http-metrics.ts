/**
 * Request duration per method, matched route and status. The route is the router's pattern
 * (`/reset-password/:token`), never the raw path, so tokens stay out of labels and the label set
 * stays small; anything no router matched is counted as `unmatched`.
 */
import type { Middleware } from 'koa';
import type { Metrics } from './metrics.js';

export function httpMetrics(metrics: Metrics): Middleware {
  return async (ctx, next) => {
    const end = metrics.httpRequestDuration.startTimer();
    try {
      await next();
    } finally {
      const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      const route = typeof matched === 'string' ? matched : ctx.status === 404 ? 'unmatched' : 'other';
      end({ method: ctx.method, route, status: String(ctx.status) });
    }
  };
}
