/**
 * Koa, answering every request as Koa 3 does, without on-finished on every response.
 *
 * Koa's `handleRequest` hands each response to on-finished before any middleware runs: ee-first's
 * four listeners on the response and its socket, wrapped in an AsyncResource, added and removed
 * per request (~2.2 KiB and 1.4 % of the busy CPU at saturation, README "Benchmark"). All it is
 * for is to pass a socket error to `ctx.onerror`, which, for a socket that has failed, only emits
 * the application's 'error' event; this service does not listen to it (`app.silent`, and errors
 * from middleware are the error boundary's). Node itself still closes a failed socket.
 *
 * Overriding `handleRequest` is the extension point Koa's maintainers name for changing how a
 * request is handled; Koa's `respond` is private to its module, so `respond` below follows Koa
 * 3's rules for the bodies Koa takes, and `test/unit/koa-app.test.ts` holds its bytes on the wire
 * to stock Koa's for each kind of answer, so a Koa upgrade that answers differently fails there.
 */
import Koa, { type Context } from 'koa';
import { createRequire } from 'node:module';
import { pipeline, Readable } from 'node:stream';

/** Statuses whose answers carry no body (RFC 9110), as Koa's `statuses.empty`. */
const BODILESS_STATUSES = new Set([204, 205, 304]);

export class ServiceKoa extends Koa {
  /** Called by Koa's `callback()` for each request, with the context it made and the composed middleware. */
  handleRequest(ctx: Context, fnMiddleware: (ctx: Context) => Promise<void>): Promise<void> {
    ctx.res.statusCode = 404;
    return fnMiddleware(ctx)
      .then(() => respond(ctx))
      .catch((error: Error) => ctx.onerror(error));
  }
}

/**
 * Koa's own test for a stream body (a Node stream, or one shaped like it from another copy of
 * node:stream), taken from Koa rather than written again: its package exports its files.
 */
const isNodeStream = createRequire(import.meta.url)('koa/lib/is-stream.js') as (body: unknown) => body is NodeJS.ReadableStream;

/** What Koa's `respond` does with `ctx.body` once the middleware is done. */
function respond(ctx: Context): void {
  if (ctx.respond === false) return;
  const res = ctx.res;
  if (!ctx.writable) {
    res.end();
    return;
  }
  let body: unknown = ctx.body;
  const code = ctx.status;
  if (BODILESS_STATUSES.has(code)) {
    ctx.body = null;
    res.end();
    return;
  }
  if (ctx.method === 'HEAD') {
    if (!res.headersSent && !res.hasHeader('Content-Length')) {
      const { length } = ctx.response;
      if (Number.isInteger(length)) ctx.length = length;
    }
    res.end();
    return;
  }
  if (body === null || body === undefined) {
    // `ctx.body = null` set on purpose: an empty answer, not the status's name.
    if ((ctx.response as { _explicitNullBody?: boolean })._explicitNullBody) {
      ctx.response.remove('Content-Type');
      ctx.response.remove('Transfer-Encoding');
      ctx.length = 0;
      res.end();
      return;
    }
    const text = ctx.req.httpVersionMajor >= 2 ? String(code) : ctx.message || String(code);
    if (!res.headersSent) {
      ctx.type = 'text';
      ctx.length = Buffer.byteLength(text);
    }
    res.end(text);
    return;
  }
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    res.end(body);
    return;
  }
  const stream = body instanceof Blob ? Readable.from(body.stream()) : body instanceof ReadableStream ? Readable.from(body) : body instanceof Response ? Readable.from(body.body ?? '') : isNodeStream(body) ? body : undefined;
  if (stream) {
    pipeline(stream, res, (error) => {
      if (error && ctx.app.listenerCount('error')) ctx.onerror(error);
    });
    return;
  }
  body = JSON.stringify(body);
  if (!res.headersSent) ctx.length = Buffer.byteLength(body as string);
  res.end(body);
}
