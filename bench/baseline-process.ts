/**
 * The bare minimum the benchmark compares us with: Koa + got relaying the same four Okta calls,
 * with the stateToken handed to the client in JSON. No templates, cookies, CSRF, limits, logs,
 * metrics or input checks; the same keep-alive socket bound as our Okta client. What it costs is
 * the floor any recovery relay pays; what we cost above it is what our safety and operability cost.
 */
import http from 'node:http';
import got from 'got';
import { serveKoaRelay } from './koa-relay-app.js';

const orgUrl = process.env.OKTA_ORG_URL ?? '';
const maxSockets = Number(process.env.OKTA_MAX_SOCKETS ?? 64);
const okta = got.extend({
  prefixUrl: orgUrl,
  agent: { http: new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets }) },
  retry: { limit: 0 },
  throwHttpErrors: false,
  responseType: 'json',
});

// got's prefixUrl wants paths without their leading slash.
serveKoaRelay(async (path, body, contentType) => {
  const response = await okta.post(path.slice(1), { body, headers: { 'content-type': contentType } });
  return { status: response.statusCode, json: (response.body ?? {}) as unknown as Record<string, unknown> };
});
