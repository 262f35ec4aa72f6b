/**
 * IDX and OAuth errors. IDX answers errors with a whole ION body (§6.1: "IDX returns error codes
 * that contain valid ION responses"); the OAuth endpoints with `{error, error_description}` (§1.3,
 * §5.4). Both are thrown by the steps and written by `idxErrors`; anything else falls through to
 * the emulator's one error writer (Okta's 500 E0000009).
 */
import type Koa from 'koa';
import type { Json } from './ion.js';
import { ION_TYPE } from './ion.js';
import { sessionExpiredBody } from './views.js';

export class IdxError extends Error {
  readonly status: number;
  readonly body: Json;

  constructor(status: number, body: Json) {
    super(`IDX ${status}`);
    this.status = status;
    this.body = body;
  }
}

export class OAuthError extends Error {
  readonly status: number;
  readonly error: string;
  readonly description: string;

  constructor(status: number, error: string, description: string) {
    super(error);
    this.status = status;
    this.error = error;
    this.description = description;
  }
}

/** §11.2: unknown, expired, cancelled or finished handle → 401 [F-12]. */
export const sessionExpired = (): IdxError => new IdxError(401, sessionExpiredBody());

/** The IDX response content type (§11.3), set before the body so koa keeps it. */
export function replyIon(ctx: Koa.Context, status: number, body: Json): void {
  ctx.status = status;
  ctx.set('Content-Type', ION_TYPE);
  ctx.body = body;
}

export function idxErrors(): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (err instanceof IdxError) {
        replyIon(ctx, err.status, err.body);
      } else if (err instanceof OAuthError) {
        ctx.status = err.status;
        ctx.body = { error: err.error, error_description: err.description };
      } else {
        throw err;
      }
    }
  };
}
