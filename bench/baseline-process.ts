/**
 * The bare minimum the benchmark compares us with: Koa + got relaying the same four Okta calls,
 * with the stateToken handed to the client in JSON. No templates, cookies, CSRF, limits, logs,
 * metrics or input checks; the same keep-alive socket bound as our Okta client. What it costs is
 * the floor any recovery relay pays; what we cost above it is what our safety and operability cost.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import got from 'got';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';

const orgUrl = process.env.OKTA_ORG_URL ?? '';
const maxSockets = Number(process.env.OKTA_MAX_SOCKETS ?? 64);
const okta = got.extend({
  prefixUrl: orgUrl,
  agent: { http: new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets }) },
  retry: { limit: 0 },
  throwHttpErrors: false,
  responseType: 'json',
});

const ENDPOINTS: Record<string, string> = {
  '/start': 'api/v1/authn/recovery/password',
  '/verify': 'api/v1/authn/recovery/token',
  '/answer': 'api/v1/authn/recovery/answer',
  '/reset': 'api/v1/authn/credentials/reset_password',
};

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
  const response = await okta.post(endpoint, { json: body });
  const answer = (response.body ?? {}) as unknown as Record<string, unknown>;
  ctx.status = ctx.path === '/start' && response.statusCode === 200 ? 202 : response.statusCode;
  ctx.body = { status: answer.status, stateToken: answer.stateToken };
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
});
process.on('disconnect', () => process.exit(0));
