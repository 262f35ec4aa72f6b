/**
 * What one incoming request has learnt so far, carried through async calls with AsyncLocalStorage:
 * our request id, and the X-Okta-Request-Id of the latest Okta call made for it. The Okta
 * client's observe hook writes it; audit lines read it, so a successful step's audit event names
 * the Okta request it rests on without threading ids through every function signature.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Middleware } from 'koa';

export interface CallContext {
  readonly requestId: string;
  /** X-Okta-Request-Id of the latest Okta call made while serving this request. */
  oktaRequestId: string | undefined;
  oktaCalls: number;
}

const storage = new AsyncLocalStorage<CallContext>();

export function currentCallContext(): CallContext | undefined {
  return storage.getStore();
}

export function runInCallContext<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId, oktaRequestId: undefined, oktaCalls: 0 }, fn);
}

/** Must come after the request-context middleware, which decides the request id. */
export function callContext(requestIdOf: (ctx: Parameters<Middleware>[0]) => string): Middleware {
  return (ctx, next) => runInCallContext(requestIdOf(ctx), next);
}
