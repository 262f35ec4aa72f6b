/**
 * The built service as operators run it (`npm run build`, `node dist/src/index.js`), pointed at a
 * slow "Okta" on loopback: SIGTERM arrives while a start's call to Okta is under way (made after
 * the start has answered); the call is drained before the process exits 0, and its audit event
 * is written.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildService, startBuiltService } from '../helpers/built-service.js';
import { fixture } from '../helpers/fixtures.js';

const OKTA_DELAY_MS = 800;
let slowOkta: Server;
let oktaUrl: string;
let oktaCalls = 0;
let oktaCalled: () => void = () => undefined;
let entry: string;

beforeAll(async () => {
  entry = await buildService('dist-test/sigterm');
  const challenge = fixture('recovery-challenge-email.json');
  slowOkta = createServer((incoming, response) => {
    incoming.resume().on('end', () => {
      oktaCalls += 1;
      oktaCalled();
      setTimeout(() => response.writeHead(challenge.status, { 'content-type': 'application/json', 'x-okta-request-id': 'slow-okta-1' }).end(JSON.stringify(challenge.body)), OKTA_DELAY_MS);
    });
  });
  slowOkta.listen(0, '127.0.0.1');
  await once(slowOkta, 'listening');
  oktaUrl = `http://127.0.0.1:${(slowOkta.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  slowOkta.closeAllConnections();
  slowOkta.close();
});

function postStart(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ username: 'leaving@example.com' });
    const outgoing = request(`${url}/api/recovery/start`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

it('answers the request in flight after SIGTERM, then exits 0', async () => {
  const service = await startBuiltService(entry, { OKTA_ORG_URL: oktaUrl, OKTA_ENGINE: 'classic', COOKIE_SECRET: 'sigterm-test-cookie-secret-at-least-32-bytes' });
  const { url, lines } = service;
  const reachedOkta = new Promise<void>((resolve) => (oktaCalled = resolve));
  const inFlight = postStart(url);
  await reachedOkta;
  const exited = service.stop();

  expect(await inFlight).toEqual({ status: 202, body: JSON.stringify({ status: 'EMAIL_SENT' }) });
  expect(await exited).toEqual({ code: 0, signal: null });
  expect(oktaCalls).toBe(1);
  const events = lines.map((line) => line.event);
  expect(events.indexOf('service.stopping')).toBeLessThan(events.indexOf('recovery.start'));
  expect(events.indexOf('recovery.start')).toBeLessThan(events.indexOf('service.stopped'));
  expect(lines.find((line) => line.event === 'recovery.start')).toMatchObject({ outcome: 'email-sent', oktaRequestId: 'slow-okta-1' });
}, 30_000);

it('refuses to start on a Node older than the oldest supported line, saying so', async () => {
  // The built service under a Node that reports itself as 20: Node 20's HTTP agent would send
  // every Okta call to the wrong port, so start-up stops with a sentence instead.
  const olderNode = `data:text/javascript,Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '20.20.2' } });`;
  const child = spawn(process.execPath, ['--import', olderNode, entry], {
    env: { PATH: process.env.PATH, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', OKTA_ORG_URL: oktaUrl, OKTA_ENGINE: 'classic' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // A service that started after all would never exit by itself: stop it, and the test fails.
  const started = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(started);
  expect(code).toBe(1);
  expect(stderr.trim()).toMatch(/^Node 20\.20\.2 is older than 22, the oldest line this service runs on: use Node 22, 24 or 26/);
  // Nothing was started: no listening line.
  expect(stdout).not.toContain('service.started');
});
