/**
 * The Okta client's wire (src/okta/http-transport.ts) against a real local server: calls stay on
 * the org, the sockets stay within OKTA_MAX_SOCKETS and are reused, a silent Okta is cut at the
 * deadline, and bodies go out as JSON or as a form.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import { createOktaClient, type OktaCallObservation, type OktaClient } from '../../src/okta/client.js';
import { OktaUnavailableError } from '../../src/okta/errors.js';

const CONTEXT = { requestId: 'req-client-1', clientIp: '203.0.113.9', userAgent: 'Firefox/130', acceptLanguage: 'fr' };

interface Received {
  path: string;
  method: string;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: string;
}

let server: Server;
let orgUrl: string;
let received: Received[];
let connections: number;
let open: number;
let peakOpen: number;
let answer: (request: IncomingMessage, response: ServerResponse) => void;
const clients: OktaClient[] = [];

function client(options: { timeoutMs?: number; maxSockets?: number } = {}): OktaClient {
  const created = createOktaClient({ orgUrl, timeoutMs: options.timeoutMs ?? 2000, maxSockets: options.maxSockets ?? 64 });
  clients.push(created);
  return created;
}

beforeEach(async () => {
  received = [];
  connections = 0;
  open = 0;
  peakOpen = 0;
  answer = (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'x-okta-request-id': 'okta-req-1' });
    response.end('{"status":"RECOVERY_CHALLENGE"}');
  };
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', method: request.method ?? '', headers: request.headers, rawHeaders: request.rawHeaders, body: Buffer.concat(chunks).toString('utf8') });
      answer(request, response);
    });
  });
  server.on('connection', (socket) => {
    connections += 1;
    open += 1;
    peakOpen = Math.max(peakOpen, open);
    socket.once('close', () => (open -= 1));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  orgUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const created of clients.splice(0)) created.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the Okta client', () => {
  it('posts JSON with the end user context and reads the answer, whatever its status', async () => {
    const body = await client().post('/api/v1/authn/recovery/password', { username: 'a@example.com', factorType: 'EMAIL' }, { context: CONTEXT });
    expect(body).toEqual({ status: 'RECOVERY_CHALLENGE' });
    expect(received[0]).toMatchObject({ path: '/api/v1/authn/recovery/password', body: '{"username":"a@example.com","factorType":"EMAIL"}' });
    expect(received[0]?.headers).toMatchObject({ 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'Firefox/130', 'accept-language': 'fr', 'x-forwarded-for': '203.0.113.9' });
    expect(received[0]?.headers.authorization).toBeUndefined();

    answer = (_request, response) => {
      response.writeHead(429, { 'content-type': 'application/json', 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 30) });
      response.end('{"errorCode":"E0000047"}');
    };
    const limited = await client().send('/idp/idx/introspect', { context: CONTEXT, json: { stateHandle: 'x' }, contentType: 'application/ion+json; okta-version=1.0.0' });
    expect(limited).toMatchObject({ status: 429, body: { errorCode: 'E0000047' } });
    expect(limited.retryAfterSeconds).toBeGreaterThanOrEqual(29);
    expect(received[1]?.headers['content-type']).toBe('application/ion+json; okta-version=1.0.0');
  });

  it("reads Okta's request id and rate-limit headers in any casing", async () => {
    const reset = Math.floor(Date.now() / 1000) + 40;
    answer = (_request, response) => {
      response.writeHead(200, ['Content-Type', 'application/json', 'X-Okta-Request-ID', 'okta-req-9', 'X-RATE-LIMIT-REMAINING', '17', 'x-Rate-Limit-Reset', String(reset)]);
      response.end('{}');
    };
    const observations: OktaCallObservation[] = [];
    const created = createOktaClient({ orgUrl, timeoutMs: 2000, observe: (observation) => observations.push(observation) });
    clients.push(created);
    const answered = await created.send('/idp/idx/introspect', { context: CONTEXT, json: {} });
    expect(answered.requestId).toBe('okta-req-9');
    expect(observations[0]).toMatchObject({ oktaRequestId: 'okta-req-9', rateLimitRemaining: 17, rateLimitResetEpochSeconds: reset });
  });

  it('writes the request head as Node would for the org URL: names, order, Host with its port, the org URL credentials', async () => {
    const host = new URL(orgUrl).host;
    await client().post('/api/v1/authn/recovery/password', { username: 'a@example.com' }, { context: CONTEXT });
    expect(received[0]?.method).toBe('POST');
    expect(received[0]?.rawHeaders).toEqual([
      'user-agent', 'Firefox/130', 'accept-language', 'fr', 'x-forwarded-for', '203.0.113.9', 'accept', 'application/json',
      'content-type', 'application/json', 'content-length', '28', 'Host', host, 'Connection', 'keep-alive',
    ]);
    // Credentials in the org URL go as Basic; a GET has no body and so no length.
    const withCredentials = createOktaClient({ orgUrl: orgUrl.replace('http://', 'http://svc:s%40cret@'), timeoutMs: 2000, apiToken: 'tok' });
    clients.push(withCredentials);
    await withCredentials.get('/api/v1/users/x', { context: {} });
    expect(received[1]?.method).toBe('GET');
    expect(received[1]?.rawHeaders).toEqual([
      'user-agent', 'okta-custom-domain-recovery/0.1 (+https://github.com/)', 'accept', 'application/json',
      'Host', host, 'Authorization', `Basic ${Buffer.from('svc:s@cret').toString('base64')}`, 'Connection', 'keep-alive',
    ]);
    // The trusted variant's own credentials win over the org URL's.
    await withCredentials.get('/api/v1/users/y', { context: {}, useApiToken: true });
    expect(received[2]?.rawHeaders).toEqual([
      'user-agent', 'okta-custom-domain-recovery/0.1 (+https://github.com/)', 'accept', 'application/json', 'authorization', 'SSWS tok',
      'Host', host, 'Connection', 'keep-alive',
    ]);
  });

  it('sends an OAuth form as a form', async () => {
    await client().send('/oauth2/v1/interact', { context: CONTEXT, form: { client_id: '0oa1', scope: 'openid profile', state: 'a&b=c' } });
    expect(received[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(received[0]?.body))).toEqual({ client_id: '0oa1', scope: 'openid profile', state: 'a&b=c' });
  });

  it('refuses a call that would leave the org, before anything is sent', async () => {
    for (const path of ['https://evil.example/api/v1/users', 'http://evil.example/x']) {
      await expect(client().send(path, { context: CONTEXT, json: {} })).rejects.toThrow('an Okta call must stay on the org URL');
    }
    // Leading slashes are a path on the org, not another host.
    await client().send('//evil.example/api', { context: CONTEXT, json: {} });
    expect(received.map((call) => call.path)).toEqual(['/evil.example/api']);
  });

  it('sends every path as the URL parser resolves it on the org, dot segments and odd characters included', async () => {
    const paths = ['api/v1/x', 'a/./b', 'a/%2E%2e/b', 'a/..', 'a/.b/c..d', 'a?', 'a?b?c', "a?b'c", 'a b', 'a\\b', 'a#b', 'a?b#c', 'a/%zz', 'a/é', 'a"b', 'a{b}', 'x/y:z'];
    for (const path of paths) await client().send(path, { context: CONTEXT, json: {} });
    const expected = paths.map((path) => {
      const url = new URL(path, `${orgUrl}/`);
      return url.pathname + url.search;
    });
    expect(received.map((call) => call.path)).toEqual(expected);
  });

  it('keeps at most OKTA_MAX_SOCKETS connections and reuses them', async () => {
    answer = (_request, response) => setTimeout(() => response.end('{}'), 20);
    const okta = client({ maxSockets: 3 });
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 12 }, () => okta.send('/api/v1/authn/recovery/token', { context: CONTEXT, json: {} })));
    }
    expect(received).toHaveLength(36);
    expect(peakOpen).toBeLessThanOrEqual(3);
    expect(connections).toBeLessThanOrEqual(3);
  });

  it('cuts a call that waited for a connection past the deadline, and never sends it', async () => {
    // The one connection is held by a call Okta never answers; the second call waits for it. Both
    // deadlines are on a fake clock, so they end in the same instant, before the first call's
    // socket can be handed on: with real timers the second call, armed a moment later under load,
    // could get the freed connection before its own deadline and rightly be sent.
    answer = () => undefined;
    const okta = client({ maxSockets: 1, timeoutMs: 200 });
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const calls = [okta.send('/api/v1/first', { context: CONTEXT, json: {} }), okta.send('/api/v1/second', { context: CONTEXT, json: {} })];
      while (received.length === 0) await new Promise((resolve) => setImmediate(resolve));
      jest.advanceTimersByTime(200);
      const outcomes = await Promise.allSettled(calls);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
      expect(String((outcomes[1] as PromiseRejectedResult).reason)).toContain('ETIMEDOUT');
    } finally {
      jest.useRealTimers();
    }
    // Calls leave in the order they were made: had the second still been waiting, it would reach
    // Okta before this third one.
    answer = (_request, response) => response.end('{}');
    await okta.send('/api/v1/third', { context: CONTEXT, json: {} });
    expect(received.map((call) => call.path)).toEqual(['/api/v1/first', '/api/v1/third']);
  });

  it('gives every connection back after calls that failed: reset, timed out or refused by Node', async () => {
    let resets = 3;
    answer = (request, response) => {
      if (resets > 0) {
        resets -= 1;
        request.socket.destroy();
      } else if (request.url === '/api/v1/silent') {
        // Never answered: the caller's deadline ends it.
      } else response.end('{"ok":true}');
    };
    const okta = client({ maxSockets: 2, timeoutMs: 300 });
    const reset = await Promise.allSettled(Array.from({ length: 3 }, () => okta.send('/api/v1/reset', { context: CONTEXT, json: {} })));
    expect(reset.every((outcome) => outcome.status === 'rejected')).toBe(true);
    await expect(okta.send('/api/v1/silent', { context: CONTEXT, json: {} })).rejects.toThrow('ETIMEDOUT');
    await expect(okta.send('/api/v1/silent', { context: CONTEXT, json: {} })).rejects.toThrow('ETIMEDOUT');
    // A header value Node will not write fails that call before anything is sent.
    await expect(okta.send('/api/v1/x', { context: { userAgent: 'caf\u20ac' }, json: {} })).rejects.toThrow();
    // Both places are free again: four calls at once all go through.
    const answers = await Promise.all(Array.from({ length: 4 }, () => okta.send('/api/v1/ok', { context: CONTEXT, json: {} })));
    expect(answers.map((answer) => answer.body)).toEqual(Array.from({ length: 4 }, () => ({ ok: true })));
  });

  it('reports a connection lost in the middle of an answer as a reset, at once', async () => {
    answer = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      response.write('{"status":', () => setTimeout(() => response.socket?.destroy(), 20));
    };
    const okta = client({ timeoutMs: 1500 });
    const startedAt = Date.now();
    const failure = await okta.post('/api/v1/authn/recovery/token', {}, { context: CONTEXT }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OktaUnavailableError);
    expect((failure as Error).message).toContain('ECONNRESET');
    expect(Date.now() - startedAt).toBeLessThan(1000);
    // The same with a chunked answer, and the place is free for the next call.
    answer = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"status":', () => setTimeout(() => response.socket?.destroy(), 20));
    };
    await expect(okta.send('/api/v1/chunked', { context: CONTEXT, json: {} })).rejects.toThrow('ECONNRESET');
    answer = (_request, response) => response.end('{"ok":true}');
    await expect(okta.send('/api/v1/ok', { context: CONTEXT, json: {} })).resolves.toMatchObject({ status: 200, body: { ok: true } });
  });

  it('gives up on an Okta that does not answer within the timeout, as unavailable', async () => {
    // Never answered: only the client's own deadline can end this call.
    answer = () => undefined;
    const failure = await client({ timeoutMs: 200 })
      .post('/api/v1/authn/recovery/token', { recoveryToken: 'x' }, { context: CONTEXT })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OktaUnavailableError);
    expect((failure as Error).message).toContain('ETIMEDOUT');
  });

  it('reports a refused connection as unavailable', async () => {
    const okta = client();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    const failure = await okta.post('/api/v1/authn/recovery/token', {}, { context: CONTEXT }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OktaUnavailableError);
    expect((failure as Error).message).toContain('ECONNREFUSED');
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
});
