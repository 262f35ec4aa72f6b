/** One line per request: method, path (token removed), status, duration. */
import type { Middleware } from 'koa';
import { loggablePath } from './route-paths.js';
import { state } from './request-context.js';

export const accessLog: Middleware = async (ctx, next) => {
  const startedAt = performance.now();
  try {
    await next();
  } finally {
    state(ctx).log.info(
      { event: 'http.request', method: ctx.method, path: loggablePath(ctx.originalUrl), status: ctx.status, ms: Math.round(performance.now() - startedAt) },
      'request',
    );
  }
};
