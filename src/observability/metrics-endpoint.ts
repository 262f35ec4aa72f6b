/**
 * Where Prometheus scrapes `/metrics`: either a separate listener (METRICS_PORT, typically not
 * exposed by the load balancer) or the main port behind `Authorization: Bearer METRICS_TOKEN`.
 * With neither configured, metrics are collected but not served: counts of flows and failures
 * are not for the public internet.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import type { Registry } from 'prom-client';

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time comparison of the bearer token (hashing first makes the lengths equal). */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return match !== null && timingSafeEqual(sha256(match[1] ?? ''), sha256(token));
}

/** Where both serve the metrics. */
export const METRICS_PATH = '/metrics';

/** GET /metrics on the main app, only with the bearer token; no token configured → not mounted. */
export function metricsRouter(registry: Registry, token: string): Router {
  const router = new Router();
  router.get(METRICS_PATH, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    if (!bearerMatches(ctx.get('authorization') || undefined, token)) {
      ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
      ctx.status = 401;
      ctx.body = { error: { code: 'UNAUTHORIZED' } };
      return;
    }
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  return router;
}

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/** A bare listener answering GET /metrics (and nothing else); the token is checked when set. */
export async function startMetricsServer(registry: Registry, options: { host: string; port: number; token?: string | undefined }): Promise<MetricsServer> {
  const server: Server = createServer((request: IncomingMessage, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || path !== METRICS_PATH) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (options.token && !bearerMatches(request.headers.authorization, options.token)) {
      response.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain' }).end('unauthorized\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(text),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    async close() {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
