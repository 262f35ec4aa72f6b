/**
 * Readiness and graceful shutdown of the service started in-process: /readyz follows registered
 * dependency checks; close() lets a request already talking to Okta finish, refuses new
 * connections, then runs the closers in order; a request past the bound is cut.
 */
import { request } from 'node:http';
import { OktaMock, PATHS } from '../helpers/okta-nock.js';
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';

const okta = new OktaMock();
let service: ServiceUnderTest;

afterEach(async () => {
  await service.close();
  okta.reset();
});

/**
 * POST /api/recovery/verify over node:http, so the test sees the socket's fate as well as the
 * status. Verify, because it waits for Okta inside the request (start answers before Okta).
 */
function verifyLink(url: string): Promise<{ status: number; body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ token: 'VBQ0gwBp5LyJJFdbmWCM' });
    const outgoing = request(`${url}/api/recovery/verify`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text, connection: response.headers.connection }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('/readyz', () => {
  it('is ready when configuration is loaded and every registered check passes', async () => {
    service = await startTestService();
    service.deps.lifecycle.registerReadinessCheck('redis', () => true);
    const response = await fetch(`${service.url}/readyz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ status: 'ready', engine: 'classic', checks: { config: 'ok', shutdown: 'ok', redis: 'ok', 'trust-proxy': 'ok' } });
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
  });

  it('is not ready while a dependency check fails, throws or hangs, and says which, without details', async () => {
    service = await startTestService();
    service.deps.lifecycle.registerReadinessCheck('redis', () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:6379')));
    service.deps.lifecycle.registerReadinessCheck('smtp', () => false);
    service.deps.lifecycle.registerReadinessCheck('slow', () => new Promise<boolean>(() => undefined));
    const response = await fetch(`${service.url}/readyz`);
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ status: 'not-ready', engine: 'classic', checks: { config: 'ok', shutdown: 'ok', redis: 'failing', smtp: 'failing', slow: 'failing', 'trust-proxy': 'ok' } });
    expect(text).not.toContain('10.0.0.7');
    // Liveness is a different question: the process itself is fine.
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
  });

  it('reports not ready once shutdown has begun', async () => {
    service = await startTestService();
    await service.close();
    expect(await service.deps.lifecycle.readiness()).toEqual({ ready: false, checks: { config: 'ok', shutdown: 'failing', 'trust-proxy': 'ok' } });
  });
});

describe('graceful shutdown', () => {
  it('finishes a request in flight, refuses new connections, then runs the closers in order', async () => {
    service = await startTestService();
    const events: string[] = [];
    service.deps.lifecycle.registerCloser('mail-queue', async () => {
      events.push('mail-queue drained');
    });
    service.deps.lifecycle.registerCloser('redis', () => {
      events.push('redis closed');
    });
    okta.delay(PATHS.verify, 400, 'recovery-question.json');
    const arrived = new Promise((resolve) => service.server.once('request', resolve));
    const inFlight = verifyLink(service.url);
    await arrived;
    const report = await service.close('SIGTERM');
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.body)).toMatchObject({ status: 'RECOVERY' });
    // A keep-alive client is told not to send its next request to an instance that is leaving.
    expect(answered.connection).toBe('close');
    expect(report).toEqual({ timedOut: false, failedClosers: [] });
    expect(events).toEqual(['mail-queue drained', 'redis closed']);
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
    // The order the service saw: shutdown began, the in-flight request was answered (its line is
    // the verify step's audit event, with the access fields), then closers.
    const logged = service.logs.map((line) => JSON.parse(line) as { event?: string; closer?: string }).map((line) => line.closer ?? line.event);
    expect(logged).toEqual(['service.stopping', 'recovery.verify', 'okta-emails', 'counters', 'mail-queue', 'redis', 'service.stopped']);
  });

  it('cuts a request still running at SHUTDOWN_TIMEOUT_MS, and still runs the closers', async () => {
    service = await startTestService({ SHUTDOWN_TIMEOUT_MS: '100' });
    let closed = false;
    service.deps.lifecycle.registerCloser('redis', () => {
      closed = true;
    });
    okta.delay(PATHS.verify, 600, 'recovery-question.json');
    const arrived = new Promise((resolve) => service.server.once('request', resolve));
    const inFlight = verifyLink(service.url);
    await arrived;
    const report = await service.close('SIGTERM');
    expect(report).toEqual({ timedOut: true, failedClosers: [] });
    expect(closed).toBe(true);
    await expect(inFlight).rejects.toThrow(/socket hang up|ECONNRESET/);
    // Let the abandoned Okta call settle before this file's nock is torn down.
    await new Promise((resolve) => setTimeout(resolve, 700));
  });

  it('runs every closer even when one fails, and reports the failure', async () => {
    service = await startTestService();
    const ran: string[] = [];
    service.deps.lifecycle.registerCloser('smtp', () => {
      throw new Error('SMTP went away');
    });
    service.deps.lifecycle.registerCloser('redis', () => {
      ran.push('redis');
    });
    expect(await service.close()).toEqual({ timedOut: false, failedClosers: ['smtp'] });
    expect(ran).toEqual(['redis']);
    // A second close (a second signal) does not run the closers again.
    expect(await service.close()).toEqual({ timedOut: false, failedClosers: ['smtp'] });
    expect(ran).toEqual(['redis']);
  });
});
