/**
 * The framework floor: Koa and koa-bodyparser (the stack our service is built on) relaying the
 * same four Okta calls over Node's http client with one keep-alive agent, as our Okta client does
 * (src/okta/http-transport.ts). It sits between the bare node:http relay (relay-process.ts: no
 * framework) and Koa + got (baseline-process.ts: the usual stack), and splits what we cost above
 * the floor into what the framework costs and what our own features cost.
 */
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { callOkta, ENDPOINTS } from './relay-okta.js';

const app = new Koa();
app.use(bodyParser());
app.use(async (ctx) => {
  const endpoint = ENDPOINTS[ctx.path];
  if (ctx.method !== 'POST' || !endpoint) {
    ctx.status = 404;
    return;
  }
  const body = { ...(ctx.request.body as Record<string, unknown>) };
  if (ctx.path === '/start') body.factorType = 'EMAIL';
  const answer = await callOkta(endpoint, JSON.stringify(body));
  ctx.status = ctx.path === '/start' && answer.status === 200 ? 202 : answer.status;
  ctx.body = { status: answer.json.status, stateToken: answer.json.stateToken };
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
});
process.on('disconnect', () => process.exit(0));
