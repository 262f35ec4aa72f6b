/**
 * ServiceKoa (src/web/koa-app.ts) answers as stock Koa does, byte for byte, for every kind of body
 * Koa takes: it only leaves out on-finished. If a Koa upgrade changes how Koa answers, this fails.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import Koa, { type Middleware } from 'koa';
import { ServiceKoa } from '../../src/web/koa-app.js';

interface Case {
  readonly name: string;
  readonly method?: string;
  readonly httpVersion?: string;
  readonly handler: Middleware;
}

const cases: Case[] = [
  { name: 'a string', handler: (ctx) => void (ctx.body = '<p>hello</p>') },
  { name: 'a string with a status and type of its own', handler: (ctx) => void ((ctx.status = 422), (ctx.type = 'application/problem+json'), (ctx.body = '{"a":1}')) },
  { name: 'a Buffer', handler: (ctx) => void (ctx.body = Buffer.from('bytes here')) },
  { name: 'an object, as JSON', handler: (ctx) => void (ctx.body = { status: 'EMAIL_SENT', n: 1 }) },
  { name: 'an array, as JSON', handler: (ctx) => void (ctx.body = [1, 'two']) },
  { name: 'a Node stream', handler: (ctx) => void ((ctx.type = 'text/css'), (ctx.body = Readable.from(['body {', ' color: red }']))) },
  { name: 'a Blob', handler: (ctx) => void (ctx.body = new Blob(['from a blob'])) },
  { name: 'a web ReadableStream', handler: (ctx) => void ((ctx.type = 'text'), (ctx.body = new Blob(['web stream']).stream())) },
  { name: 'nothing: 404 by default', handler: () => undefined },
  { name: 'nothing, with a status', handler: (ctx) => void (ctx.status = 403) },
  { name: 'nothing, with a status and a message', handler: (ctx) => void ((ctx.status = 503), (ctx.message = 'Try later')) },
  { name: 'null set on purpose', handler: (ctx) => void ((ctx.type = 'json'), (ctx.body = null)) },
  { name: '204 with a body', handler: (ctx) => void ((ctx.body = 'dropped'), (ctx.status = 204)) },
  { name: '304', handler: (ctx) => void ((ctx.body = 'dropped'), (ctx.status = 304)) },
  { name: 'a redirect', handler: (ctx) => ctx.redirect('/reset-password/question') },
  { name: 'HEAD of a string', method: 'HEAD', handler: (ctx) => void (ctx.body = 'not sent, but counted') },
  { name: 'HEAD of an object', method: 'HEAD', handler: (ctx) => void (ctx.body = { a: 'b' }) },
  { name: 'HEAD of nothing', method: 'HEAD', handler: () => undefined },
  { name: 'HTTP/1.0, nothing', httpVersion: '1.0', handler: (ctx) => void (ctx.status = 410) },
  { name: 'answered by the middleware itself', handler: (ctx) => void ((ctx.respond = false), ctx.res.end('raw')) },
  { name: 'an error thrown', handler: () => Promise.reject(Object.assign(new Error('boom'), { status: 418, expose: true })) },
  { name: 'an error without a status', handler: () => Promise.reject(new Error('hidden')) },
];

async function listen(app: Koa): Promise<{ server: Server; port: number }> {
  app.silent = true;
  const server = createServer(app.callback()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

/** The whole answer as it crossed the wire, its Date header removed. */
async function rawAnswer(port: number, method: string, httpVersion: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.write(`${method} /page HTTP/${httpVersion}\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('latin1')
    .replace(/^Date: .*\r\n/im, '');
}

it.each(cases)('answers $name as stock Koa does', async ({ method = 'GET', httpVersion = '1.1', handler }) => {
  const apps = [new Koa(), new ServiceKoa()].map((app) => app.use(handler));
  const servers = await Promise.all(apps.map(listen));
  try {
    const [stock, ours] = await Promise.all(servers.map(({ port }) => rawAnswer(port, method, httpVersion)));
    expect(ours).toBe(stock);
    expect(ours).toMatch(/^HTTP\/1\.[01] \d{3} /);
  } finally {
    servers.forEach(({ server }) => server.close());
  }
});
