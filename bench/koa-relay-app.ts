/**
 * The Koa app both Koa baselines serve (koa-relay-process.ts over node:http, baseline-process.ts
 * over got): Koa and koa-bodyparser relaying the four Classic calls, the stateToken handed to the
 * client in JSON. They differ only in how they call Okta, so what they cost differs only by that.
 */
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { RELAY_ENDPOINTS } from './protocol.js';

/** POSTs a JSON body to an Okta path (leading slash) and resolves with the status and the parsed answer. */
export type OktaCall = (path: string, body: Record<string, unknown>) => Promise<{ status: number; json: Record<string, unknown> }>;

export function serveKoaRelay(callOkta: OktaCall): void {
  const app = new Koa();
  app.use(bodyParser());
  app.use(async (ctx) => {
    const endpoint = RELAY_ENDPOINTS[ctx.path];
    if (ctx.method !== 'POST' || !endpoint) {
      ctx.status = 404;
      return;
    }
    const body = { ...(ctx.request.body as Record<string, unknown>) };
    if (ctx.path === '/start') body.factorType = 'EMAIL';
    const answer = await callOkta(endpoint, body);
    ctx.status = ctx.path === '/start' && answer.status === 200 ? 202 : answer.status;
    ctx.body = { status: answer.json.status, stateToken: answer.json.stateToken };
  });

  const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
  });
  process.on('disconnect', () => process.exit(0));
}
