/**
 * mountRouters answers exactly as the routers mounted one after another (routes() then
 * allowedMethods() of each) would: same status, Allow, body, matched route and params, for exact
 * route paths (its start-up table), their other spellings, parameters, prefixes and router.use()
 * layers, under every method.
 */
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import { mountRouters } from '../../src/web/router-dispatch.js';
import { ROUTING } from '../../src/web/route-paths.js';

function routers(): Router[] {
  const api = new Router({ ...ROUTING, prefix: '/api/things' });
  api.use((ctx, next) => {
    if (ctx.get('x-refuse')) return void (ctx.status = 403);
    return next();
  });
  api.post('/start', (ctx) => void (ctx.body = 'started'));
  api.post('/pass', (_ctx, next) => next());
  const other = new Router({ ...ROUTING, prefix: '/api/other' });
  other.use((_ctx, next) => next());
  other.post('/start', (ctx) => void (ctx.body = 'other'));
  const pages = new Router(ROUTING);
  pages.get('/', (ctx) => void (ctx.body = 'home'));
  pages.get('/page', (ctx) => void (ctx.body = 'page'));
  pages.post('/page', (ctx) => void (ctx.status = 404));
  pages.get('/page/sub', (ctx) => void (ctx.body = 'sub'));
  pages.get('/page/:token', (ctx) => void (ctx.body = `token ${ctx.params.token}`));
  pages.get('/api/things/pass', (ctx) => void (ctx.body = 'pages had it'));
  return [api, other, pages];
}

async function serve(mount: (routers: Router[]) => Middleware[]): Promise<{ url: string; close: () => void }> {
  const app = new Koa();
  // What a later reader of the router's bookkeeping (the HTTP metrics) would see.
  app.use(async (ctx, next) => {
    await next();
    const routed = ctx as unknown as { _matchedRoute?: unknown; params?: unknown; routeMatched?: unknown; matched?: { path: unknown }[] };
    ctx.set('x-route', String(routed._matchedRoute));
    ctx.set('x-params', JSON.stringify(routed.params ?? null));
    // Only where a route matched: a path no router has a route under meets no router at all (router-dispatch.ts).
    if (routed.routeMatched) ctx.set('x-matched', JSON.stringify(routed.matched?.map((layer) => String(layer.path))));
  });
  for (const middleware of mount(routers())) app.use(middleware);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

it('answers every path and method as the routers mounted in turn', async () => {
  const plain = await serve((list) => list.flatMap((router) => [router.routes(), router.allowedMethods()] as Middleware[]));
  const dispatched = await serve((list) => [mountRouters(list)]);
  try {
    const paths = ['/', '/page', '/PAGE', '/page/', '/page/sub', '/page/abc', '/api/things/start', '/api/things/start/', '/API/things/start', '/api/things/pass', '/api/things', '/api/other/start', '/nowhere'];
    for (const path of paths) {
      for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS']) {
        for (const headers of [{}, { 'x-refuse': '1' }] as Record<string, string>[]) {
          const answers = await Promise.all(
            [plain, dispatched].map(async ({ url }) => {
              const response = await fetch(url + path, { method, headers });
              const seen = ['allow', 'x-route', 'x-params', 'x-matched'].map((name) => response.headers.get(name));
              return { status: response.status, seen, body: await response.text() };
            }),
          );
          expect({ method, path, headers, ...answers[1] }).toEqual({ method, path, headers, ...answers[0] });
        }
      }
    }
  } finally {
    plain.close();
    dispatched.close();
  }
});
