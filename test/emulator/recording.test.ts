/**
 * Request recording (contract §7): tests of the service assert what it forwarded to "Okta"; the
 * record must show headers and body without any secret.
 */
import { API_TOKEN, closeAll, emulator, passwordResetState, trusted } from './helpers.js';

afterEach(closeAll);

it('records method, path, the end user’s context headers and the body', async () => {
  const e = await emulator();
  const res = await e.post(
    '/recovery/password',
    { username: 'alice@example.com', factorType: 'EMAIL', relayState: '/back' },
    { 'user-agent': 'Mozilla/5.0 (X11; Linux) Firefox/140', 'accept-language': 'fr-FR', 'x-forwarded-for': '203.0.113.9' },
  );
  expect(e.requests).toHaveLength(1);
  expect(e.requests[0]).toMatchObject({
    id: res.headers.get('x-okta-request-id'),
    at: new Date(e.clock.now()).toISOString(),
    method: 'POST',
    path: '/api/v1/authn/recovery/password',
    userAgent: 'Mozilla/5.0 (X11; Linux) Firefox/140',
    acceptLanguage: 'fr-FR',
    xForwardedFor: '203.0.113.9',
    authorization: { present: false, scheme: undefined },
    body: { username: 'alice@example.com', factorType: 'EMAIL', relayState: '/back' },
    status: 200,
  });
  expect(e.requests[0]?.headers['content-type']).toBe('application/json');
});

it('never records a secret: API token, passwords, answers, passcodes or tokens', async () => {
  const e = await emulator();
  await e.post('/recovery/password', { username: 'alice@example.com' }, trusted);
  const pr = await passwordResetState(e);
  await e.post('/credentials/reset_password', { stateToken: pr.body.stateToken, newPassword: 'Quartz-Lamp-77' });
  await e.post('', { username: 'alice@example.com', password: 'Quartz-Lamp-77' });
  const ch = await e.post('/recovery/password', { username: 'bob@example.com', factorType: 'SMS' });
  await e.post('/recovery/factors/sms/verify', { stateToken: ch.body.stateToken, passCode: '123456' });

  const trustedCall = e.requests.find((r) => r.authorization.present);
  expect(trustedCall?.authorization).toEqual({ present: true, scheme: 'SSWS' });
  expect(trustedCall?.headers).not.toHaveProperty('authorization');
  const reset = e.requests.find((r) => r.path.endsWith('/reset_password'));
  expect(reset?.body).toEqual({ stateToken: '[REDACTED]', newPassword: '[REDACTED]' });

  const everything = JSON.stringify(e.requests);
  for (const secret of [API_TOKEN, 'Quartz-Lamp-77', 'Brussels sprouts', '123456', pr.body.stateToken, ch.body.stateToken]) {
    expect(everything).not.toContain(secret);
  }
  expect(e.requests.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 403]);
});

it('records the status of failed and malformed requests, without a body it could not parse', async () => {
  const e = await emulator();
  await e.post('/recovery/token', '{"recoveryToken": "abc"');
  expect(e.requests[0]).toMatchObject({ status: 400, body: undefined });
});

it('clearRecords empties the outbox and the log in place', async () => {
  const e = await emulator();
  const { outbox, requests } = e;
  await e.post('/recovery/password', { username: 'alice@example.com', factorType: 'EMAIL' });
  expect([outbox.length, requests.length]).toEqual([1, 1]);
  e.clearRecords();
  expect([outbox.length, requests.length]).toEqual([0, 0]);
});
