/**
 * Admission (MAX_CONCURRENT_REQUESTS): beyond the limit, requests wait their turn before any work
 * is done on them, the probes never wait, and a request that waited longer than OKTA_TIMEOUT_MS
 * is answered "try again later" without reaching Okta. Okta is held by the test (OktaMock.hold),
 * so what is waiting is decided, not raced.
 */
import { fresh } from '../helpers/fixtures.js';
import { OktaMock, PATHS } from '../helpers/okta-nock.js';
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';
import { until } from '../helpers/until.js';

const METRICS_TOKEN = 'metrics-token-for-admission-tests-0123456789';
const okta = new OktaMock();
let service: ServiceUnderTest;

beforeEach(() => {
  okta.reset();
});
afterEach(async () => {
  await service.close();
});

/** A verify step, as a user's browser sends it. */
function verify(token: string) {
  return service.browser().postJson('/api/recovery/verify', { token });
}

/** The value of one of the service's Prometheus series. */
async function metric(name: string): Promise<number | undefined> {
  const response = await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const line = (await response.text()).split('\n').find((text) => text.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

const questionAnswer = () => fresh('recovery-question.json', service.clock.now(), { stateToken: '00lMJySRYNz3u_rKQrsLvLrzxiARgivP8FB_1gpmVb' });

describe('with MAX_CONCURRENT_REQUESTS=1', () => {
  beforeEach(async () => {
    service = await startTestService({ MAX_CONCURRENT_REQUESTS: '1', METRICS_TOKEN, OKTA_TIMEOUT_MS: '2000' });
  });

  it('works on the second request only once the first is answered, and answers the probes meanwhile', async () => {
    const releaseFirst = okta.hold(PATHS.verify, questionAnswer());
    const first = verify('VBQ0gwBp5LyJJFdbmWCM');
    await until(() => okta.callsTo(PATHS.verify).length === 1, 'the first verify at Okta');
    okta.reply(PATHS.verify, questionAnswer());
    const second = verify('WCR1hxCq6MzKKGecnXDN');
    await waitForMetric('recovery_http_requests_waiting', 1);

    // The probes answer while the only place is taken.
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
    expect(await metric('recovery_http_requests_in_progress')).toBe(1);
    // The second is waiting before any work: its Okta call has not been made.
    expect(okta.callsTo(PATHS.verify)).toHaveLength(1);

    releaseFirst();
    const [firstAnswer, secondAnswer] = await Promise.all([first, second]);
    expect(firstAnswer.status).toBe(200);
    expect(secondAnswer.status).toBe(200);
    expect(okta.callsTo(PATHS.verify).map((call) => call.body.recoveryToken)).toEqual(['VBQ0gwBp5LyJJFdbmWCM', 'WCR1hxCq6MzKKGecnXDN']);
    expect(await metric('recovery_http_requests_waiting')).toBe(0);
    expect(await metric('recovery_http_requests_turned_away_total')).toBe(0);
  });

  it('answers 503 UPSTREAM_UNAVAILABLE, without asking Okta, a request that waited longer than OKTA_TIMEOUT_MS', async () => {
    const releaseFirst = okta.hold(PATHS.verify, questionAnswer());
    const first = verify('VBQ0gwBp5LyJJFdbmWCM');
    await until(() => okta.callsTo(PATHS.verify).length === 1, 'the first verify at Okta');
    const second = verify('WCR1hxCq6MzKKGecnXDN');
    await waitForMetric('recovery_http_requests_waiting', 1);

    service.clock.advance(2001);
    releaseFirst();
    const [firstAnswer, secondAnswer] = await Promise.all([first, second]);
    expect(firstAnswer.status).toBe(200);
    expect(secondAnswer.status).toBe(503);
    expect(secondAnswer.json()).toMatchObject({ error: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(okta.callsTo(PATHS.verify)).toHaveLength(1);
    expect(await metric('recovery_http_requests_turned_away_total')).toBe(1);
    expect(service.logs.some((line) => line.includes('"event":"http.turned-away"') && line.includes('"reason":"waited-too-long"'))).toBe(true);

    // The place is free again: the next request is worked on at once.
    okta.reply(PATHS.verify, questionAnswer());
    expect((await verify('XDS2iyDr7NaLLHfdoYEO')).status).toBe(200);
  });

  it('does no work, and asks Okta nothing, for a request whose client left while it waited', async () => {
    const releaseFirst = okta.hold(PATHS.verify, questionAnswer());
    const first = verify('VBQ0gwBp5LyJJFdbmWCM');
    await until(() => okta.callsTo(PATHS.verify).length === 1, 'the first verify at Okta');
    const leaving = new AbortController();
    const abandoned = fetch(`${service.url}/api/recovery/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: service.config.publicOrigin },
      body: JSON.stringify({ token: 'WCR1hxCq6MzKKGecnXDN' }),
      signal: leaving.signal,
    }).catch((error: unknown) => error);
    await waitForMetric('recovery_http_requests_waiting', 1);
    const connections = await openConnections();
    leaving.abort();
    expect(await abandoned).toMatchObject({ name: 'AbortError' });
    for (let attempt = 0; attempt < 200 && (await openConnections()) >= connections; attempt++) await new Promise((resolve) => setTimeout(resolve, 5));

    releaseFirst();
    expect((await first).status).toBe(200);
    await waitForMetric('recovery_http_requests_turned_away_total', 1);
    expect(okta.callsTo(PATHS.verify)).toHaveLength(1);
    expect(service.logs.some((line) => line.includes('"event":"http.turned-away"') && line.includes('"reason":"client-gone"'))).toBe(true);
  });
});

/** Connections the service holds open now. */
function openConnections(): Promise<number> {
  return new Promise((resolve, reject) => service.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

it('refuses a MAX_CONCURRENT_REQUESTS that is not a whole number, naming it', async () => {
  await expect(startTestService({ MAX_CONCURRENT_REQUESTS: '-1' })).rejects.toThrow(/MAX_CONCURRENT_REQUESTS/);
  service = await startTestService();
});

/** Polls the metrics until `name` reads `value` (requests reach admission on their own schedule). */
async function waitForMetric(name: string, value: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if ((await metric(name)) === value) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`${name} never read ${value}`);
}
