/**
 * IDX rate limits and headers (contract §6.4, §11.15): 10 requests per stateHandle and 20 per user
 * per 5 s → 429 tooManyRequests with the bucket in X-Rate-Limit-*; the org limit and forced 429
 * keep Classic's E0000047 body [F-07c]. The emulator's ManualClock moves the windows.
 */
import { closeAll } from './helpers.js';
import { begin, formOf, idxEmulator, idxPost, messageKeys, submit, toEmailChallenge } from './idx-helpers.js';

afterEach(closeAll);

it('the 11th request on one stateHandle within 5 s is 429, with the headers; the next window is open again', async () => {
  const e = await idxEmulator();
  const { first } = await begin(e);
  const introspect = () => idxPost(e, '/idp/idx/introspect', { stateHandle: first.body.stateHandle });
  // The first introspect (by interaction handle) counted too.
  for (let i = 2; i <= 10; i++) expect((await introspect()).status).toBe(200);
  const over = await introspect();
  expect(over.status).toBe(429);
  expect(messageKeys(over.body)).toEqual(['tooManyRequests']);
  expect(over.body.stateHandle).toBe(first.body.stateHandle);
  expect(over.headers.get('x-rate-limit-limit')).toBe('10');
  expect(over.headers.get('x-rate-limit-remaining')).toBe('0');
  expect(Number(over.headers.get('x-rate-limit-reset'))).toBe(Math.ceil((e.clock.now() + 5_000) / 1000));
  e.clock.advance(5_000);
  expect((await introspect()).status).toBe(200);
});

it('the 21st request for one user within 5 s is 429 across transactions', async () => {
  const e = await idxEmulator();
  let last = 0;
  for (let t = 0; t < 4 && last !== 429; t++) {
    const { reply } = await toEmailChallenge(e, 'bob@example.com');
    for (let i = 0; i < 6 && last !== 429; i++) last = (await submit(e, reply.body.currentAuthenticatorEnrollment.value.poll)).status;
  }
  expect(last).toBe(429);
  expect(e.requests.filter((r) => r.path.startsWith('/idp/idx/') && r.status !== 429).length).toBeGreaterThanOrEqual(20);
});

it('limits follow the run-time settings', async () => {
  const e = await idxEmulator();
  e.idx.configure({ rateLimits: { perStateHandle: 2 } });
  const { first } = await begin(e);
  expect((await idxPost(e, '/idp/idx/introspect', { stateHandle: first.body.stateHandle })).status).toBe(200);
  expect((await idxPost(e, '/idp/idx/introspect', { stateHandle: first.body.stateHandle })).status).toBe(429);
});

it('every IDX answer carries X-Okta-Request-Id and X-Rate-Limit-*', async () => {
  const e = await idxEmulator();
  const { first } = await begin(e);
  const recovered = await submit(e, first.body.currentAuthenticator.value.recover);
  for (const res of [first, recovered]) {
    expect(res.headers.get('x-okta-request-id')).toMatch(/^req/);
    expect(res.headers.get('x-rate-limit-limit')).toMatch(/^\d+$/);
  }
});

it('a forced org rate limit answers IDX calls with the Classic E0000047 body [F-07c]', async () => {
  const e = await idxEmulator();
  const { first } = await begin(e);
  e.forceRateLimit(30);
  const res = await submit(e, formOf(first.body, 'identify'), { identifier: 'bob@example.com' });
  expect(res.status).toBe(429);
  expect(res.body.errorCode).toBe('E0000047');
  expect(res.headers.get('x-rate-limit-remaining')).toBe('0');
});
