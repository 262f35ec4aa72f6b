/**
 * Request duration per method, matched route and status. The route is the router's pattern
 * (`/reset-password/:token`), never the raw path, so tokens stay out of labels and the label set
 * stays small; anything no router matched is counted as `unmatched`.
 *
 * Not a middleware of its own: the access log already times every request and calls this once it
 * ends, so a request pays for one clock and one layer of the middleware list, not two.
 */
import type { Context } from 'koa';
import type { Metrics } from './metrics.js';

export type RequestObserver = (ctx: Context, seconds: number) => void;

type Observe = (seconds: number) => void;

export function httpMetrics(metrics: Metrics): RequestObserver {
  // One labelled child per combination, made once (prom-client's labels(): its observe is made
  // once instead of per observation, and the labels object it keeps is the same every time).
  // Found through nested maps (status, method, route: values the request already holds) rather
  // than a key string built per request. The set is closed (Node's parser knows a fixed list of
  // methods, the routes are our patterns, the statuses ours), so the maps stay as small as the metric.
  const labelSets = new Map<number, Map<string, Map<string, Observe>>>();
  return (ctx, seconds) => {
    const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
    const route = typeof matched === 'string' ? matched : ctx.status === 404 ? 'unmatched' : 'other';
    const method = ctx.method;
    const status = ctx.status;
    let byMethod = labelSets.get(status);
    if (!byMethod) labelSets.set(status, (byMethod = new Map()));
    let byRoute = byMethod.get(method);
    if (!byRoute) byMethod.set(method, (byRoute = new Map()));
    let observe = byRoute.get(route);
    if (!observe) byRoute.set(route, (observe = metrics.httpRequestDuration.labels({ method, route, status: String(status) }).observe));
    observe(seconds);
  };
}
