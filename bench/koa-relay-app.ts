/**
 * The Koa app both Koa baselines serve (koa-relay-process.ts over node:http, baseline-process.ts
 * over got): Koa and koa-bodyparser relaying the same Okta calls as our service (relay-steps.ts:
 * Classic's four, or IDX's eight with BENCH_RELAY_ENGINE=idx). They differ only in how they call
 * Okta, so what they cost differs only by that.
 */
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { relayEngine, relaySteps, type OktaCall } from './relay-steps.js';

export function serveKoaRelay(callOkta: OktaCall): void {
  const steps = relaySteps(relayEngine(), callOkta);
  const app = new Koa();
  app.use(bodyParser());
  app.use(async (ctx) => {
    const step = steps[ctx.path];
    if (ctx.method !== 'POST' || !step) {
      ctx.status = 404;
      return;
    }
    const answer = await step({ ...(ctx.request.body as Record<string, unknown>) });
    ctx.status = answer.status;
    ctx.body = answer.body;
  });

  const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
  });
  process.on('disconnect', () => process.exit(0));
}
