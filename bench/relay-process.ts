/**
 * The floor: a relay written against `node:http` alone, making the same Okta calls as our service
 * over one keep-alive agent (the same socket bound as our Okta client): the four Classic calls, or
 * with BENCH_RELAY_ENGINE=idx the eight IDX calls (relay-steps.ts). No framework, no HTTP client
 * library, no parsing beyond JSON.parse. Whatever a recovery relay on Node costs, it costs at least
 * this; the Koa + got baseline (baseline-process.ts) shows what the usual framework and client add
 * on top of it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { callOkta, readAll } from './relay-okta.js';
import { relayEngine, relaySteps } from './relay-steps.js';

const steps = relaySteps(relayEngine(), callOkta);

function reply(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

const server = http.createServer((request, response) => {
  const step = steps[request.url ?? ''];
  if (request.method !== 'POST' || !step) {
    reply(response, 404, {});
    return;
  }
  readAll(request)
    .then(async (text) => {
      const answer = await step(JSON.parse(text || '{}') as Record<string, unknown>);
      reply(response, answer.status, answer.body);
    })
    .catch(() => reply(response, 502, {}));
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
});
process.on('disconnect', () => process.exit(0));
