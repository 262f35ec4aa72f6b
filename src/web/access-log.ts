/**
 * One line per request: method, path (token removed), status, duration; and the request's metrics.
 * A recovery step's request writes its audit event (observability/audit.ts) as that line, with the
 * same fields added: `event: recovery.<step>` then, instead of `http.request`.
 */
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import type { RequestObserver } from '../observability/http-metrics.js';
import { loggablePath } from './route-paths.js';
import { state } from './request-context.js';

export function accessLog(logger: Logger, observe: RequestObserver): Middleware {
  // Not an async function: its suspended frame (a slot for every local, a promise, the await's
  // reaction) cost more than the two handlers here. koa-compose's next() never throws, it rejects.
  return (ctx, next) => {
    const startedAt = performance.now();
    return next().then(
      () => writeLine(ctx, startedAt),
      (error: unknown) => {
        writeLine(ctx, startedAt);
        throw error;
      },
    );
  };

  function writeLine(ctx: Context, startedAt: number): void {
    const elapsed = performance.now() - startedAt;
    observe(ctx, elapsed / 1000);
    // Through the root logger with the request's ids first: the same line a child logger bound to
    // them would write, without building that child (and serialising its bindings) per request.
    const scope = state(ctx);
    scope.answering = false;
    const { requestId, clientRequestId, audit } = scope;
    const method = ctx.method;
    const path = loggablePath(ctx.originalUrl);
    const status = ctx.status;
    const ms = Math.round(elapsed);
    if (audit) {
      const { facts } = audit;
      if (clientRequestId) facts.clientRequestId = clientRequestId;
      facts.method = method;
      facts.path = path;
      facts.status = status;
      facts.ms = ms;
      if (audit.warn) logger.warn(facts, audit.message);
      else logger.info(facts, audit.message);
    } else logger.info(
      clientRequestId
        ? { requestId, clientRequestId, event: 'http.request', method, path, status, ms }
        : { requestId, event: 'http.request', method, path, status, ms },
      'request',
    );
  }
}
