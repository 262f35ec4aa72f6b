/**
 * The outermost middleware: whatever escapes a route becomes a safe answer. Expected outcomes never
 * arrive here (steps return them as values); what does is a bad request body, an unknown route, or
 * a bug. A client sees only the table's message for the outcome, never a stack or an internal
 * message (koa's `expose` rule, STYLE.md principle 6); the log keeps the details.
 */
import type { Context, Middleware } from 'koa';
import type { AnyOutcome } from './present.js';
import { OverloadedError } from './admission.js';
import { state } from './request-context.js';

/** Thrown by the body parser and guards for requests that cannot be read at all. */
export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
  constructor(readonly outcome: 'invalid-input' | 'forbidden', reason: string) {
    super(reason);
  }
}

export type PresentFailure = (ctx: Context, outcome: AnyOutcome) => void;

const UNREADABLE: AnyOutcome = { kind: 'invalid-input', field: 'body', problem: 'invalid' };

export function errorBoundary(present: PresentFailure): Middleware {
  // Not an async function: its suspended frame (a slot for every local, a promise, the await's
  // reaction) cost more than the two handlers here. koa-compose's next() never throws, it rejects;
  // and what settle() throws is a failure like any other, as when both sat in one try.
  return (ctx, next) =>
    next().then(
      () => {
        try {
          settle(ctx);
        } catch (error) {
          fail(ctx, error);
        }
      },
      (error: unknown) => fail(ctx, error),
    );

  /** What the routers left unanswered or answered bare. */
  function settle(ctx: Context): void {
    if (ctx.status === 404 && ctx.body === undefined) present(ctx, { kind: 'not-found' });
    // The routers' allowedMethods answer a known path asked with another method with a bare 405,
    // and a method no router knows (PROPFIND, TRACE) with 501: koa's plain text, and a 5xx that
    // blames us for the client's request. Both become our page or JSON; Allow is kept.
    if ((ctx.status === 405 || ctx.status === 501) && ctx.body == null) {
      if (ctx.response.get('allow')) present(ctx, { kind: 'method-not-allowed' });
      else {
        // The router sends an empty Allow when no route has this path under any method: it is
        // simply not found, and an empty Allow would claim the path exists.
        ctx.remove('allow');
        present(ctx, { kind: 'not-found' });
      }
    }
  }

  function fail(ctx: Context, error: unknown): void {
    // Thrown before a router's noStore ran (the body parser, the API's origin guard): an answer
    // to someone's own request, so never cached either (the same rule as flow pages and the API).
    ctx.set('Cache-Control', 'no-store');
    if (error instanceof BadRequestError) {
      state(ctx).log?.info({ event: 'http.bad-request', reason: error.message }, 'request refused');
      present(ctx, error.outcome === 'forbidden' ? { kind: 'forbidden' } : UNREADABLE);
      return;
    }
    if (error instanceof OverloadedError) {
      state(ctx).log?.warn({ event: 'http.turned-away', reason: error.reason }, 'request turned away at admission');
      present(ctx, { kind: 'upstream-unavailable' });
      return;
    }
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // koa and its body parser signal client errors (413 too large, 415, 400) with a status.
      state(ctx).log?.info({ event: 'http.client-error', status }, 'request refused');
      present(ctx, status === 404 ? { kind: 'not-found' } : UNREADABLE);
      if (status === 413 || status === 415) ctx.status = status;
      return;
    }
    (state(ctx).log ?? console).error({ event: 'http.unhandled', err: error }, 'unhandled error');
    present(ctx, { kind: 'internal' });
  }
}
