/**
 * Request bodies: JSON and HTML forms only, small (nothing here needs more than a few KiB), and
 * an unreadable body is a client error with a clear message, never a 500.
 *
 * koa-bodyparser reads them, with one shortcut in front of it for the request the JSON API gets
 * nearly always (plain `application/json`, a Content-Length within the limit, no Content-Encoding):
 * read here in one pass, with the same rules (strict: an object or an array; a key `__proto__`
 * refused; a byte order mark skipped; a body shorter than announced refused). The library's way
 * (co-body, raw-body, inflation, type-is, a copy of its options per request) was the largest
 * share of what the web layer allocated per API request. Every other body (forms, a charset or
 * another JSON type, compressed, chunked, too large) goes to the library as before.
 */
import type { IncomingMessage } from 'node:http';
import bodyParser from 'koa-bodyparser';
import type { Context, Middleware } from 'koa';
import { BadRequestError } from './errors.js';

export const BODY_LIMIT = '16kb';
/** BODY_LIMIT in bytes, as the `bytes` library behind koa-bodyparser reads it. */
const BODY_LIMIT_BYTES = 16 * 1024;

/** co-body's strict test: only an object or an array, after RFC 8259 whitespace. */
const OBJECT_OR_ARRAY = /^[ \t\n\r]*[[{]/;
/** Where a `__proto__` key may hide (spelled out or escaped): only then is the parsed value scanned. */
const MAY_HOLD_PROTO_KEY = /__proto__|\\u/;
const DECIMAL = /^\d+$/;

function unreadable(): BadRequestError {
  return new BadRequestError('invalid-input', 'unreadable request body');
}

export function parseBody(): Middleware {
  const library = bodyParser({
    enableTypes: ['json', 'form'],
    jsonLimit: BODY_LIMIT,
    formLimit: BODY_LIMIT,
    strict: true,
    onerror(error) {
      if ((error as { status?: number }).status === 413) throw error;
      throw unreadable();
    },
  }) as unknown as Middleware;

  return (ctx, next) => {
    const length = ctx.request.body === undefined ? plainJsonLength(ctx.req) : undefined;
    if (length === undefined) return library(ctx, next);
    // next itself as the handler (it takes no argument): no closure per request.
    return readJson(ctx, length).then(next);
  };
}

/** The announced length of a plain, uncompressed JSON body within the limit; otherwise undefined. */
function plainJsonLength(req: IncomingMessage): number | undefined {
  const { headers } = req;
  if (headers['content-type'] !== 'application/json' || headers['content-encoding'] !== undefined || headers['transfer-encoding'] !== undefined) return undefined;
  const announced = headers['content-length'];
  if (announced === undefined || !DECIMAL.test(announced)) return undefined;
  const length = Number(announced);
  return length <= BODY_LIMIT_BYTES ? length : undefined;
}

/** Reads the body into ctx.request.body. */
function readJson(ctx: Context, length: number): Promise<void> {
  const req = ctx.req;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      // Node frames the body by Content-Length; fewer bytes means the client stopped short.
      if (received !== length) return reject(unreadable());
      try {
        ctx.request.body = parseStrict(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks, received).toString('utf8'));
        resolve();
      } catch {
        reject(unreadable());
      }
    };
    const onGone = () => {
      stop();
      reject(unreadable());
    };
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onGone);
  });
}

function parseStrict(text: string): unknown {
  // The byte order mark the library's decoder (iconv-lite) drops.
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (json === '') return {};
  if (!OBJECT_OR_ARRAY.test(json)) throw new SyntaxError('only an object or an array');
  const value: unknown = JSON.parse(json);
  if (MAY_HOLD_PROTO_KEY.test(json)) refuseProtoKeys(value);
  return value;
}

/** Throws when any object in `value` has an own `__proto__` key (JSON.parse makes it an ordinary one). */
function refuseProtoKeys(value: unknown): void {
  let level: unknown[] = [value];
  while (level.length > 0) {
    const below: unknown[] = [];
    for (const node of level) {
      if (node === null || typeof node !== 'object') continue;
      if (Object.hasOwn(node, '__proto__')) throw new SyntaxError('a __proto__ key');
      for (const child of Object.values(node)) if (child !== null && typeof child === 'object') below.push(child);
    }
    level = below;
  }
}

/** A field of a parsed body, or undefined when the body is not an object. */
export function field(body: unknown, name: string): unknown {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)[name] : undefined;
}
