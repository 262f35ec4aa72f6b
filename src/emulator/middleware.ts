/**
 * The emulator's cross-cutting middleware: request ids, the one error writer, and the injected
 * faults (forced 429, forced outage, latency) used by outage and benchmark tests (contract §8).
 */
import type Koa from 'koa';
import type { Clock } from '../clock.js';
import { OktaApiError } from './errors.js';
import { newRequestId } from './ids.js';
import { setRateLimitHeaders } from './rate-limit.js';

/** §0: every response carries X-Okta-Request-Id. */
export function requestId(): Koa.Middleware {
  return async (ctx, next) => {
    const id = newRequestId();
    (ctx.state as { requestId?: string }).requestId = id;
    ctx.set('X-Okta-Request-Id', id);
    await next();
  };
}

export const requestIdOf = (ctx: Koa.Context): string => (ctx.state as { requestId?: string }).requestId ?? '';

/**
 * The one error path: an OktaApiError becomes Okta's body; anything else is a bug in the emulator,
 * reported as Okta's own 500 E0000009 so a client sees the shape it must handle anyway.
 */
export function oktaErrors(): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const oktaError = err instanceof OktaApiError ? err : new OktaApiError('E0000009');
      if (!(err instanceof OktaApiError)) console.error('okta-emulator: unexpected error', err);
      ctx.status = oktaError.status;
      ctx.type = 'application/json';
      ctx.body = oktaError.body();
    }
  };
}

/** Mutable switches, flipped through the handle or /__emulator/faults. */
export class Faults {
  rateLimitUntilMs: number | undefined = undefined;
  outage = false;
  latencyMs = 0;

  clear(): void {
    this.rateLimitUntilMs = undefined;
    this.outage = false;
  }
}

export function latency(faults: Faults): Koa.Middleware {
  return async (_ctx, next) => {
    // Real time, not the injected clock: this delays the socket, as a slow Okta would.
    if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    await next();
  };
}

/**
 * Forced failures. A forced 429 reports `Remaining: 0` and `Reset = now + N s` (§8
 * recommendation); a forced outage answers AUTHJS error-internal (500 E0000009).
 */
export function injectedFaults(faults: Faults, clock: Clock, orgLimit: number): Koa.Middleware {
  return async (ctx, next) => {
    if (faults.outage) throw new OktaApiError('E0000009');
    const until = faults.rateLimitUntilMs;
    if (until !== undefined && clock.now() < until) {
      setRateLimitHeaders(ctx, { limit: orgLimit, remaining: 0, resetMs: until });
      throw new OktaApiError('E0000047');
    }
    await next();
  };
}
