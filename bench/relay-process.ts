/**
 * The floor: a relay written against `node:http` alone, making the same four Okta calls over one
 * keep-alive agent (the same socket bound as our Okta client), the stateToken handed to the client
 * in JSON. No framework, no HTTP client library, no parsing beyond JSON.parse. Whatever a recovery
 * relay on Node costs, it costs at least this; the Koa + got baseline (baseline-process.ts) shows
 * what the usual framework and client add on top of it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RELAY_ENDPOINTS } from './protocol.js';
import { callOkta, readAll } from './relay-okta.js';

function reply(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

const server = http.createServer((request, response) => {
  const endpoint = RELAY_ENDPOINTS[request.url ?? ''];
  if (request.method !== 'POST' || !endpoint) {
    reply(response, 404, {});
    return;
  }
  readAll(request)
    .then(async (text) => {
      const body = JSON.parse(text || '{}') as Record<string, unknown>;
      if (request.url === '/start') body.factorType = 'EMAIL';
      const answer = await callOkta(endpoint, JSON.stringify(body));
      reply(response, request.url === '/start' && answer.status === 200 ? 202 : answer.status, { status: answer.json.status, stateToken: answer.json.stateToken });
    })
    .catch(() => reply(response, 502, {}));
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
});
process.on('disconnect', () => process.exit(0));
