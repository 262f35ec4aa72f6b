/**
 * The two outer layers, access log and error boundary, on their own (not async functions since
 * issue 13, so what an async function's try did is pinned here): whatever a route throws, or the
 * boundary's own handling of an unanswered request throws, becomes one presented failure, and the
 * request still gets exactly one access line with the status it was answered with.
 */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import Koa, { type Middleware } from 'koa';
import { createLogger } from '../../src/logger.js';
import { accessLog } from '../../src/web/access-log.js';
import { BadRequestError, errorBoundary } from '../../src/web/errors.js';
import type { AnyOutcome } from '../../src/web/present.js';

interface Harness {
  url: string;
  lines: Record<string, unknown>[];
  presented: string[];
  observed: number[];
  close(): Promise<void>;
}

async function serve(route: Middleware, options: { boundary?: boolean; presentThrowsOn?: string } = {}): Promise<Harness> {
  const lines: Record<string, unknown>[] = [];
  const presented: string[] = [];
  const observed: number[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  const app = new Koa();
  app.silent = true;
  app.use((ctx, next) => {
    ctx.state = { requestId: 'req-0001', clientRequestId: undefined, locale: 'en', log: logger, answering: true, audit: undefined };
    return next();
  });
  app.use(accessLog(logger, (ctx) => observed.push(ctx.status)));
  if (options.boundary !== false) {
    app.use(
      errorBoundary((ctx, outcome: AnyOutcome) => {
        if (outcome.kind === options.presentThrowsOn) throw new Error('presenter failed');
        presented.push(outcome.kind);
        ctx.status = outcome.kind === 'internal' ? 500 : outcome.kind === 'not-found' ? 404 : 400;
        ctx.body = { error: outcome.kind };
      }),
    );
  }
  app.use(route);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    lines,
    presented,
    observed,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const accessLines = (harness: Harness) => harness.lines.filter((line) => line.event === 'http.request');

async function settled(harness: Harness): Promise<void> {
  // The line is written when the middleware's promise settles, just after the answer.
  for (let i = 0; i < 50 && accessLines(harness).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

test('a route that throws: the internal failure, no-store, the error logged, one access line with 500', async () => {
  harness = await serve(() => {
    throw new Error('bug');
  });
  const response = await fetch(`${harness.url}/x`);
  expect(response.status).toBe(500);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(await response.json()).toEqual({ error: 'internal' });
  await settled(harness);
  expect(harness.presented).toEqual(['internal']);
  expect(harness.lines.filter((line) => line.event === 'http.unhandled')).toHaveLength(1);
  expect(accessLines(harness)).toEqual([expect.objectContaining({ requestId: 'req-0001', method: 'GET', path: '/x', status: 500 })]);
  expect(harness.observed).toEqual([500]);
});

test('a route that rejects later, a bad request and a client error with a status', async () => {
  harness = await serve(async (ctx) => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (ctx.path === '/bad') throw new BadRequestError('invalid-input', 'unreadable request body');
    throw Object.assign(new Error('too large'), { status: 413 });
  });
  const bad = await fetch(`${harness.url}/bad`);
  expect(bad.status).toBe(400);
  const large = await fetch(`${harness.url}/large`);
  expect(large.status).toBe(413);
  expect(large.headers.get('cache-control')).toBe('no-store');
  await settled(harness);
  for (let i = 0; i < 50 && accessLines(harness).length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(harness.presented).toEqual(['invalid-input', 'invalid-input']);
  expect(accessLines(harness).map((line) => line.status)).toEqual([400, 413]);
});

test('an unanswered request is not found; should presenting it throw, that is an internal failure', async () => {
  harness = await serve(() => undefined, { presentThrowsOn: 'not-found' });
  const response = await fetch(`${harness.url}/nothing`);
  expect(response.status).toBe(500);
  expect(await response.json()).toEqual({ error: 'internal' });
  await settled(harness);
  expect(harness.presented).toEqual(['internal']);
  expect(accessLines(harness).map((line) => line.status)).toEqual([500]);
});

test('without the boundary, a rejection still gets its access line and reaches Koa', async () => {
  harness = await serve(() => Promise.reject(new Error('bug')), { boundary: false });
  const response = await fetch(`${harness.url}/x`);
  expect(response.status).toBe(500);
  await settled(harness);
  expect(accessLines(harness)).toHaveLength(1);
});
