/**
 * Request bodies: JSON and HTML forms only, small (nothing here needs more than a few KiB), and
 * an unreadable body is a client error with a clear message, never a 500.
 */
import bodyParser from 'koa-bodyparser';
import type { Middleware } from 'koa';
import { BadRequestError } from './errors.js';

export const BODY_LIMIT = '16kb';

export function parseBody(): Middleware {
  return bodyParser({
    enableTypes: ['json', 'form'],
    jsonLimit: BODY_LIMIT,
    formLimit: BODY_LIMIT,
    strict: true,
    onerror(error) {
      if ((error as { status?: number }).status === 413) throw error;
      throw new BadRequestError('invalid-input', 'unreadable request body');
    },
  }) as unknown as Middleware;
}

/** A field of a parsed body, or undefined when the body is not an object. */
export function field(body: unknown, name: string): unknown {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)[name] : undefined;
}
