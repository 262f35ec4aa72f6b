/**
 * Our own abuse limits (OWASP Forgot Password cheat sheet; ASVS 2.2.1 / v5 6.3.1). Every instance
 * calls Okta from the same egress IP, so Okta's per-IP protections see one client: these limits
 * are ours to keep.
 *
 *  limit                              | counted                     | key
 *  ---------------------------------- | --------------------------- | -----------------------------
 *  start per client IP                | every start request         | client IP (IPv6: its /64)
 *  start per username                 | every start request         | HMAC of the lower-cased username
 *  link verification per client IP    | verifications that failed   | client IP (IPv6: its /64)
 *  wrong answers per emailed link     | wrong answers               | HMAC of Okta's stateToken
 *  Okta budget (okta-budget.ts)       | every Okta call             | one global key
 *
 * Counts are taken *before* Okta is called (consume is atomic, so a burst of parallel requests
 * cannot slip through together) and given back when the attempt turns out innocent (a link that
 * verified, a right answer). Keys are HMACs so neither usernames nor tokens sit in Redis.
 */
import { createHmac } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Metrics } from '../observability/metrics.js';
import { isLimitReached, type Counter, type CounterStore } from './counters.js';
import { createOktaBudget, type OktaBudget } from './okta-budget.js';
import type { LimitVerdict } from './verdict.js';

export interface AbuseLimits {
  /** Counts a start request against its client IP and its username, then takes from the Okta budget. */
  admitStart(username: string, clientIp: string | undefined): Promise<LimitVerdict>;
  /** Counts a link verification against the client IP; giveBackVerify undoes it when it was no guess (verified, or Okta busy). */
  admitVerify(clientIp: string | undefined): Promise<LimitVerdict>;
  giveBackVerify(clientIp: string | undefined): Promise<void>;
  /** Counts an answer against the emailed link's flow; 'exhausted' once the wrong answers are used up. */
  admitAnswer(stateToken: string): Promise<AnswerAdmission>;
  /** Undoes admitAnswer's count when the answer was not wrong (right, or Okta busy). */
  giveBackAnswer(stateToken: string): Promise<void>;
  readonly oktaBudget: OktaBudget;
}

export type AnswerAdmission =
  | { readonly kind: 'ok'; /** Wrong answers still allowed after this one. */ readonly remaining: number }
  | { readonly kind: 'exhausted' }
  | { readonly kind: 'store-down' };

/**
 * The /64 is what one IPv6 customer gets: keying on the full address would let one host rotate
 * through 2^64 addresses. IPv4-mapped IPv6 addresses count as the IPv4 address they carry.
 */
export function clientKeyOf(ip: string | undefined): string {
  if (!ip || !ipaddr.isValid(ip)) return 'unknown';
  let address = ipaddr.parse(ip);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
  if (address.kind() === 'ipv4') return address.toString();
  return `${(address as ipaddr.IPv6).toNormalizedString().split(':').slice(0, 4).join(':')}::/64`;
}

export function createAbuseLimits(options: { config: Config; store: CounterStore; metrics: Metrics; clock: Clock }): AbuseLimits {
  const { config, store, metrics } = options;
  const limits = config.limits;
  const startPerIp = store.counter('start-ip', limits.startPerIp);
  const startPerUsername = store.counter('start-user', limits.startPerUsername);
  const verifyPerIp = store.counter('verify-ip', limits.verifyFailuresPerIp);
  // A stateToken lives minutes (sliding); a day outlives any flow it could count for.
  const wrongAnswers = store.counter('wrong-answers', { points: limits.maxWrongAnswers, durationSeconds: 24 * 3600 });
  const oktaBudget = createOktaBudget({
    counter: store.counter('okta-budget', { points: limits.oktaCallsPerMinute, durationSeconds: 60 }),
    reserve: limits.oktaRateLimitReserve,
    clock: options.clock,
  });

  const hmac = (kind: string, value: string) => createHmac('sha256', config.cookieSecret).update(`${kind}\0${value}`).digest('base64url').slice(0, 32);

  async function take(counter: Counter, key: string): Promise<LimitVerdict> {
    try {
      await counter.consume(key, 1);
      return { kind: 'ok' };
    } catch (rejection) {
      if (!isLimitReached(rejection)) return { kind: 'store-down' };
      metrics.rateLimitHit('local');
      return { kind: 'limited', source: 'local', retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
    }
  }

  async function giveBack(counter: Counter, key: string): Promise<void> {
    await counter.reward(key, 1).catch(() => undefined);
  }

  return {
    oktaBudget,
    async admitStart(username, clientIp) {
      const byIp = await take(startPerIp, clientKeyOf(clientIp));
      if (byIp.kind !== 'ok') return byIp;
      const byUser = await take(startPerUsername, hmac('username', username.toLowerCase()));
      if (byUser.kind !== 'ok') return byUser;
      const budget = await oktaBudget.takeForStart();
      if (budget.kind === 'limited') metrics.rateLimitHit('budget');
      return budget;
    },
    admitVerify: (clientIp) => take(verifyPerIp, clientKeyOf(clientIp)),
    giveBackVerify: (clientIp) => giveBack(verifyPerIp, clientKeyOf(clientIp)),
    async admitAnswer(stateToken) {
      try {
        const result = await wrongAnswers.consume(hmac('flow', stateToken), 1);
        return { kind: 'ok', remaining: result.remainingPoints };
      } catch (rejection) {
        return isLimitReached(rejection) ? { kind: 'exhausted' } : { kind: 'store-down' };
      }
    },
    giveBackAnswer: (stateToken) => giveBack(wrongAnswers, hmac('flow', stateToken)),
  };
}
