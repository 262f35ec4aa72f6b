/** Liveness for load balancers: the process is up and serving HTTP. */
import Router from '@koa/router';

export function healthRouter(): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });
  return router;
}
