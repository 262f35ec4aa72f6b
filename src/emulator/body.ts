/**
 * The JSON request body, read by hand so every failure is Okta's error rather than a generic 400
 * or a 500: unparsable or non-object JSON → 400 E0000003 (contract §6 "Malformed requests").
 * An empty body parses as `{}`, so the schemas report the missing fields as E0000001.
 */
import type Koa from 'koa';
import { OktaApiError } from './errors.js';

/** Okta's bodies are tiny; anything bigger is not a well-formed authn request. */
const MAX_BODY_BYTES = 64 * 1024;

export type JsonObject = Record<string, unknown>;

export async function readJsonObject(req: NodeJS.ReadableStream): Promise<JsonObject> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new OktaApiError('E0000003');
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new OktaApiError('E0000003');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new OktaApiError('E0000003');
  return parsed as JsonObject;
}

/** Where the parsed body lives on the context (koa has no typed slot of its own). */
export function bodyOf(ctx: Koa.Context): JsonObject | undefined {
  return (ctx.state as { body?: JsonObject }).body;
}

/** The OAuth endpoints take forms (idx contract §1.2, §5.4); everything else JSON. */
async function readFormObject(req: NodeJS.ReadableStream): Promise<JsonObject> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

export function jsonBody(): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'POST') {
      const form = ctx.path.startsWith('/oauth2/') && ctx.is('application/x-www-form-urlencoded');
      (ctx.state as { body?: JsonObject }).body = form ? await readFormObject(ctx.req) : await readJsonObject(ctx.req);
    }
    await next();
  };
}
