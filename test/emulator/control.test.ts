/** The /__emulator/ control endpoints (README): the handle over HTTP for standalone use. */
import { systemClock } from '../../src/clock.js';
import { OffsetClock } from '../../src/emulator/index.js';
import { closeAll, emulator, tokenFromEmail } from './helpers.js';

afterEach(closeAll);

async function control(url: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}/__emulator${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = res.headers.get('content-type')?.includes('json') ?? false;
  return { status: res.status, body: json ? (JSON.parse(text) as unknown) : undefined };
}

it('GET /outbox lists the e-mails; DELETE /records clears them; none of it is recorded', async () => {
  const e = await emulator();
  await e.post('/recovery/password', { username: 'alice@example.com', factorType: 'EMAIL' });
  const outbox = await control(e.url, 'GET', '/outbox');
  expect(outbox.status).toBe(200);
  expect(outbox.body).toEqual(JSON.parse(JSON.stringify(e.outbox)));
  expect((await control(e.url, 'GET', '/requests')).body).toHaveLength(1);
  expect((await control(e.url, 'DELETE', '/records')).status).toBe(204);
  expect(e.outbox).toHaveLength(0);
  expect(e.requests).toHaveLength(0);
});

it('POST /clock/advance moves the emulator clock, so tokens expire', async () => {
  const e = await emulator();
  const token = await tokenFromEmail(e, 'alice@example.com');
  const moved = await control(e.url, 'POST', '/clock/advance', { ms: 60 * 60_000 });
  expect(moved).toEqual({ status: 200, body: { now: new Date(e.clock.now()).toISOString() } });
  expect((await e.post('/recovery/token', { recoveryToken: token })).body.errorCode).toBe('E0000105');
  expect((await control(e.url, 'POST', '/clock/advance', { ms: -5 })).status).toBe(400);
});

it('POST /clock/advance works with the standalone OffsetClock and refuses a clock that cannot move', async () => {
  const offset = new OffsetClock();
  const a = await emulator({ clock: offset });
  const before = offset.now();
  await control(a.url, 'POST', '/clock/advance', { ms: 3_600_000 });
  expect(offset.now() - before).toBeGreaterThanOrEqual(3_600_000);
  const b = await emulator({ clock: systemClock });
  expect((await control(b.url, 'POST', '/clock/advance', { ms: 1 })).status).toBe(409);
});

it('POST /faults forces 429 and 500, sets latency, and clears', async () => {
  const e = await emulator();
  const forgot = { username: 'alice@example.com', factorType: 'EMAIL' };
  expect((await control(e.url, 'POST', '/faults', { rateLimitSeconds: 20 })).status).toBe(204);
  expect((await e.post('/recovery/password', forgot)).status).toBe(429);
  await control(e.url, 'POST', '/faults', { clear: true, outage: true });
  expect((await e.post('/recovery/password', forgot)).status).toBe(500);
  await control(e.url, 'POST', '/faults', { clear: true, latencyMs: 120 });
  const started = performance.now();
  expect((await e.post('/recovery/password', forgot)).status).toBe(200);
  expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  expect((await control(e.url, 'POST', '/faults', { outage: 'yes' })).status).toBe(400);
});

it('POST /recovery-tokens issues a token; GET /users and /sms show state', async () => {
  const e = await emulator();
  const issued = await control(e.url, 'POST', '/recovery-tokens', { login: 'alice@example.com' });
  const token = (issued.body as { recoveryToken: string }).recoveryToken;
  expect((await e.post('/recovery/token', { recoveryToken: token })).body.status).toBe('RECOVERY');
  expect((await control(e.url, 'POST', '/recovery-tokens', { login: 'nobody@example.com' })).status).toBe(404);

  const user = await control(e.url, 'GET', '/users/carol@example.com');
  expect(user.body).toMatchObject({ login: 'carol@example.com', status: 'LOCKED_OUT', hasRecoveryQuestion: true });
  expect(JSON.stringify(user.body)).not.toContain('Christmas-2024');
  expect((await control(e.url, 'GET', '/users/nobody@example.com')).status).toBe(404);

  await e.post('/recovery/password', { username: 'alice@example.com', factorType: 'SMS' });
  expect((await control(e.url, 'GET', '/sms/alice@example.com')).body).toEqual({ passCode: e.lastSmsPasscode('alice@example.com') });
});

it('can be switched off', async () => {
  const e = await emulator({ controlEndpoints: false });
  expect((await control(e.url, 'GET', '/outbox')).status).toBe(404);
});
