/**
 * Our own abuse limits, through the public surface against the Okta emulator over real HTTP:
 * what the user gets (429, Retry-After, RATE_LIMITED, a clear page) and what reaches Okta (nothing
 * extra: a refused start sends no email). Counters in memory here; test/limits/redis.test.ts runs
 * the same limits through Redis.
 */
import { ManualClock } from '../../src/clock.js';
import { demoUsers, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { csrfTokenIn, type Browser } from '../helpers/browser.js';
import { latestLinkPath } from '../helpers/emulated.js';
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';

const PUBLIC_URL = 'http://127.0.0.1:3000';
let clock: ManualClock;
let emulator: RunningEmulator;
let service: ServiceUnderTest;

async function start(environment: Record<string, string> = {}): Promise<void> {
  service = await startTestService({ PUBLIC_URL, ...environment }, { oktaOrgUrl: emulator.url, clock });
}

beforeEach(async () => {
  clock = new ManualClock(Date.now());
  emulator = await startEmulator({ publicUrl: PUBLIC_URL, clock, users: demoUsers() });
});
afterEach(async () => {
  await service?.close();
  await emulator.close();
});

const oktaCalls = (path: string) => emulator.requests.filter((request) => request.path === `/api/v1/authn/${path}`).length;
const emailsTo = (login: string) => emulator.outbox.filter((mail) => mail.to.includes(login)).length;

/** A browser behind the load balancer at this client address (believed only with TRUST_PROXY). */
const from = (ip: string) => service.browser({ 'x-forwarded-for': ip });

function startFrom(ip: string, username: string) {
  return from(ip).postJson('/api/recovery/start', { username });
}

async function linkFor(login: string): Promise<string> {
  expect((await postForm(service.browser(), '/forgot-password', { username: login })).status).toBe(303);
  return latestLinkPath(emulator, login);
}

async function postForm(browser: Browser, page: string, fields: Record<string, string> = {}) {
  const form = await browser.get(page);
  return browser.postForm(page, { _csrf: csrfTokenIn(form.text), ...fields });
}

describe('start, per username', () => {
  it('answers the 6th request in an hour 429 RATE_LIMITED with Retry-After, and sends no 6th email', async () => {
    await start({ TRUST_PROXY: 'true' });
    for (let i = 1; i <= 5; i++) {
      expect((await startFrom(`198.51.100.${i}`, 'alice@example.com')).status).toBe(202);
      // Past Okta's own per-user limit (4 a second, which the emulator keeps); ours counts real time.
      clock.advance(1_100);
    }
    const refused = await startFrom('198.51.100.77', 'Alice@Example.com');
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3000);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(oktaCalls('recovery/password')).toBe(5);
    expect(emailsTo('alice@example.com')).toBe(5);
  });

  it('counts an unknown username exactly like a known one', async () => {
    await start({ TRUST_PROXY: 'true', RATE_LIMIT_START_PER_USERNAME: '2/1h' });
    const answers = [];
    for (const username of ['alice@example.com', 'nobody@example.com']) {
      for (let i = 0; i < 3; i++) {
        const response = await startFrom(`203.0.113.${answers.length + 1}`, username);
        answers.push({ status: response.status, body: response.text, cookies: response.headers.getSetCookie() });
      }
    }
    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 429, 202, 202, 429]);
    expect(answers[3]).toEqual(answers[0]);
    expect(answers[5]?.body).toEqual(answers[2]?.body);
  });
});

describe('start, per client IP', () => {
  it('holds back the 31st request from one IP in 15 minutes, for any username, without calling Okta', async () => {
    await start({ TRUST_PROXY: 'true' });
    for (let i = 0; i < 30; i++) expect((await startFrom('192.0.2.10', `user${i}@example.com`)).status).toBe(202);
    const refused = await startFrom('192.0.2.10', 'alice@example.com');
    expect(refused.status).toBe(429);
    // A wait, not the window: the per-IP limits degrade (see "one address, many people").
    expect(Number(refused.headers.get('retry-after'))).toBe(1);
    expect(oktaCalls('recovery/password')).toBe(30);
    expect(emailsTo('alice@example.com')).toBe(0);
    // Another client is not affected.
    expect((await startFrom('192.0.2.11', 'alice@example.com')).status).toBe(202);
  });

  it('shows the page form a clear, retryable page', async () => {
    await start({ RATE_LIMIT_START_PER_IP: '1/15m' });
    const browser = service.browser();
    expect((await postForm(browser, '/forgot-password', { username: 'alice@example.com' })).status).toBe(303);
    const refused = await postForm(browser, '/forgot-password', { username: 'bob@example.com' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.text).toContain('<h1>Please wait before trying again</h1>');
    // The first refusal is a short wait, said in seconds; no button that would meet the same limit.
    expect(refused.text).toMatch(/You can try again in \d+ seconds?\./);
    expect(refused.text).not.toContain('class="button"');
    expect(emailsTo('bob@example.com')).toBe(0);
  });

  it('counts an IPv6 client by its /64, and an IPv4-mapped address as the IPv4 address', async () => {
    await start({ TRUST_PROXY: 'true', RATE_LIMIT_START_PER_IP: '2/15m' });
    expect((await startFrom('2001:db8:1:2::1', 'a@example.com')).status).toBe(202);
    expect((await startFrom('2001:db8:1:2:ffff::9', 'b@example.com')).status).toBe(202);
    expect((await startFrom('2001:db8:1:2:abcd::1', 'c@example.com')).status).toBe(429);
    expect((await startFrom('2001:db8:1:3::1', 'd@example.com')).status).toBe(202);
    expect((await startFrom('192.0.2.50', 'e@example.com')).status).toBe(202);
    expect((await startFrom('::ffff:192.0.2.50', 'f@example.com')).status).toBe(202);
    expect((await startFrom('192.0.2.50', 'g@example.com')).status).toBe(429);
    // Other spellings of the same addresses count as them.
    expect((await startFrom('::FFFF:c000:232', 'h@example.com')).status).toBe(429);
    expect((await startFrom('2001:0db8:0001:0002:0000:0000:0000:0007', 'i@example.com')).status).toBe(429);
  });

  it('ignores X-Forwarded-For without TRUST_PROXY: a client cannot dodge the limit by inventing addresses', async () => {
    await start({ RATE_LIMIT_START_PER_IP: '2/15m' });
    expect((await startFrom('198.51.100.1', 'a@example.com')).status).toBe(202);
    expect((await startFrom('198.51.100.2', 'b@example.com')).status).toBe(202);
    expect((await startFrom('198.51.100.3', 'c@example.com')).status).toBe(429);
  });

  it('believes only the address our own proxy appended: prepending fake addresses dodges nothing', async () => {
    await start({ TRUST_PROXY: 'true', RATE_LIMIT_START_PER_IP: '2/15m' });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await startFrom(`198.51.100.${i}, 192.0.2.10`, `spoof${i}@example.com`)).status);
    expect(statuses).toEqual([202, 202, 429]);
    // Okta is told the same client address.
    const forwarded = emulator.requests.filter((request) => request.path === '/api/v1/authn/recovery/password').map((request) => request.xForwardedFor);
    expect(forwarded).toEqual(['192.0.2.10', '192.0.2.10']);
  });

  it('counts TRUST_PROXY_HOPS proxies from the right (a CDN in front of the load balancer)', async () => {
    await start({ TRUST_PROXY: 'true', TRUST_PROXY_HOPS: '2', RATE_LIMIT_START_PER_IP: '1/15m' });
    expect((await startFrom('6.6.6.6, 198.51.100.7, 10.0.0.1', 'hop1@example.com')).status).toBe(202);
    expect((await startFrom('7.7.7.7, 198.51.100.7, 10.0.0.2', 'hop2@example.com')).status).toBe(429);
    expect(emulator.requests.find((request) => request.path === '/api/v1/authn/recovery/password')?.xForwardedFor).toBe('198.51.100.7');
  });

  it('reads every limit from configuration', async () => {
    await start({ TRUST_PROXY: 'true', RATE_LIMIT_START_PER_IP: '3/1m', RATE_LIMIT_START_PER_USERNAME: '100/1h' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await startFrom('192.0.2.99', 'alice@example.com')).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
  });
});

describe('link verification, per client IP', () => {
  it('refuses token guessing after 20 failed verifications, without asking Okta', async () => {
    await start();
    const browser = service.browser();
    for (let i = 0; i < 20; i++) {
      const guess = await browser.postJson('/api/recovery/verify', { token: `guessedToken${String(i).padStart(8, '0')}` });
      expect(guess.status).toBe(400);
    }
    const before = oktaCalls('recovery/token');
    const refused = await browser.postJson('/api/recovery/verify', { token: 'guessedTokenXXXXXXXX' });
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(oktaCalls('recovery/token')).toBe(before);
  });

  it('does not count links that verify: a busy office behind one address is not locked out', async () => {
    await start({ RATE_LIMIT_VERIFY_PER_IP: '2/15m', RATE_LIMIT_START_PER_USERNAME: '100/1h' });
    for (let i = 0; i < 4; i++) {
      const browser = service.browser();
      expect((await browser.get(await linkFor('alice@example.com'))).status).toBe(303);
      const verified = await postForm(browser, '/reset-password');
      expect(verified.location).toBe('/reset-password/question');
    }
  });
});

describe('wrong answers, per emailed link', () => {
  async function verifiedBrowser(): Promise<Browser> {
    const browser = service.browser();
    await browser.get(await linkFor('alice@example.com'));
    expect((await postForm(browser, '/reset-password')).location).toBe('/reset-password/question');
    return browser;
  }

  it('ends the flow at the 3rd wrong answer, counting the tries out; the link is spent, not the account', async () => {
    // Okta's own lockout set above ours, so this proves our count, not the emulator's.
    await emulator.close();
    emulator = await startEmulator({ publicUrl: PUBLIC_URL, clock, users: demoUsers(), policy: { maxWrongAnswers: 50 } });
    await start();
    const browser = await verifiedBrowser();
    const first = await postForm(browser, '/reset-password/question', { answer: 'wrong 1' });
    expect(first.status).toBe(422);
    expect(first.text).toContain('You have 2 tries left.');
    const second = await postForm(browser, '/reset-password/question', { answer: 'wrong 2' });
    expect(second.status).toBe(422);
    expect(second.text).toContain('You have 1 try left');
    const ended = await postForm(browser, '/reset-password/question', { answer: 'wrong 3' });
    expect(ended.status).toBe(403);
    expect(ended.text).toContain(service.deps.catalogue.t('en', 'error.attempts-exhausted'));
    expect(ended.text).toContain('This link can no longer be used');
    expect(ended.text).not.toContain('Your account is locked');
    expect(emulator.getUser('alice@example.com')?.status).not.toBe('LOCKED_OUT');
    expect(oktaCalls('cancel')).toBe(1);
    // The flow is gone: the question page no longer opens.
    expect((await browser.get('/reset-password/question')).status).toBe(401);
  });

  it('keeps the count on the server: replaying an older cookie does not buy more guesses', async () => {
    await emulator.close();
    emulator = await startEmulator({ publicUrl: PUBLIC_URL, clock, users: demoUsers(), policy: { maxWrongAnswers: 50 } });
    await start({ MAX_WRONG_ANSWERS: '3' });
    const browser = await verifiedBrowser();
    const savedCookies = new Map(browser.cookies);
    const withSavedCookies = () => {
      const replay = service.browser();
      for (const [name, value] of savedCookies) replay.cookies.set(name, value);
      return replay;
    };
    for (let i = 1; i <= 2; i++) expect((await postForm(browser, '/reset-password/question', { answer: `wrong ${i}` })).status).toBe(422);
    // An attacker restores the cookie from before the guesses, as many times as they like.
    const replay = withSavedCookies();
    const answersBefore = oktaCalls('recovery/answer');
    const third = await postForm(replay, '/reset-password/question', { answer: 'wrong 3' });
    expect(third.status).toBe(403);
    const fourth = await withSavedCookies().postJson('/api/recovery/answer', { answer: 'wrong 4' });
    expect(fourth.status).toBe(403);
    expect(JSON.parse(fourth.text)).toMatchObject({ error: { code: 'ATTEMPTS_EXHAUSTED' } });
    expect(oktaCalls('recovery/answer')).toBe(answersBefore + 1);
  });

  it('does not count a right answer', async () => {
    await start({ MAX_WRONG_ANSWERS: '2' });
    const browser = await verifiedBrowser();
    expect((await postForm(browser, '/reset-password/question', { answer: 'wrong' })).status).toBe(422);
    const right = await postForm(browser, '/reset-password/question', { answer: 'Brussels sprouts' });
    expect(right.location).toBe('/reset-password/new-password');
  });
});
