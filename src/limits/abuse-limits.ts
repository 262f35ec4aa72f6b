/**
 * Our own abuse limits (OWASP Forgot Password cheat sheet; ASVS 2.2.1 / v5 6.3.1). Every instance
 * calls Okta from the same egress IP, so Okta's per-IP protections see one client: these limits
 * are ours to keep.
 *
 *  limit                              | counted                     | key
 *  ---------------------------------- | --------------------------- | -----------------------------
 *  start per client IP (degrading)    | every start request         | client IP (IPv6: its /64)
 *  start per username                 | every start request         | HMAC of the lower-cased username
 *  link verification per client IP    | verifications that failed   | client IP (IPv6: its /64)
 *    (degrading)                      |                             |
 *  wrong answers per emailed link     | wrong answers               | HMAC of Okta's stateToken
 *  wrong codes per flow               | wrong codes                 | HMAC of the flow's key
 *  resends per flow                   | every resend                | HMAC of the flow's key
 *  Okta budget (okta-budget.ts)       | every Okta call             | one global key
 *  its share for verifications        | verifications that failed   | one global key
 *
 * The per-IP limits degrade (degrading.ts): past the count, a growing wait between requests, and
 * a hard block only at twice the count, because one address is often a whole office.
 *
 * Counts are taken *before* Okta is called (consume is atomic, so a burst of parallel requests
 * cannot slip through together) and given back when the attempt turns out innocent (a link that
 * verified, a right answer). Keys are HMACs so neither usernames nor tokens sit in Redis.
 */
import { createHmac, createSecretKey } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import type { Clock } from '../clock.js';
import type { Config, LimitSpec } from '../config.js';
import type { Metrics } from '../observability/metrics.js';
import { ignoreFailure, isLimitReached, type Counter, type CounterStore } from './counters.js';
import type { RateLimiterRes } from 'rate-limiter-flexible';
import { createDegradingLimit, type DegradingLimit, type PacedVerdict } from './degrading.js';
import { createOktaBudget, type OktaBudget } from './okta-budget.js';
import { toOk, type LimitVerdict } from './verdict.js';

export interface AbuseLimits {
  /** Counts a start request against its client IP and its username, then takes from the Okta budget. */
  admitStart(username: string, clientIp: string | undefined): Promise<LimitVerdict>;
  /**
   * Counts a link verification against the client IP and the verifications' share of the Okta
   * budget; giveBackVerify undoes both when it was no guess (verified, or Okta unreachable).
   */
  admitVerify(clientIp: string | undefined): Promise<LimitVerdict>;
  giveBackVerify(clientIp: string | undefined): Promise<void>;
  /** Counts an answer against the emailed link's flow; 'exhausted' once the wrong answers are used up. */
  admitAnswer(stateToken: string): Promise<AnswerAdmission>;
  /** Counts a typed code against its flow (MAX_WRONG_ANSWERS, like answers): a code is a guess too. */
  admitCode(flowKey: string): Promise<AnswerAdmission>;
  /** Counts a new code (text, call or email) against its flow: each one reaches a person's phone or inbox. */
  admitResend(flowKey: string): Promise<LimitVerdict>;
  readonly oktaBudget: OktaBudget;
}

/**
 * New codes one flow may ask for. With the 30 s cool-down between them this bounds the texts and
 * calls one flow can send to someone's phone (SMS pumping), well past what a person needs.
 */
const RESENDS_PER_FLOW = 5;

export type AnswerAdmission =
  | {
      readonly kind: 'ok';
      /** Wrong answers still allowed after this one. */
      readonly remaining: number;
      /**
       * Undoes this count when the attempt was not a wrong guess (right, or Okta busy). It holds the
       * counter's key, so the flow's key is not put through the HMAC a second time.
       */
      giveBack(): Promise<void>;
    }
  | { readonly kind: 'exhausted' }
  | { readonly kind: 'store-down' };

// The limits' answers, made once where they carry nothing of the request.
const EXHAUSTED: AnswerAdmission = Object.freeze({ kind: 'exhausted' });
const STORE_DOWN: AnswerAdmission = Object.freeze({ kind: 'store-down' });
const refusedGuess = (rejection: unknown): AnswerAdmission => (isLimitReached(rejection) ? EXHAUSTED : STORE_DOWN);

/** An IPv4 address in the one spelling ipaddr.js gives back unchanged: four decimal bytes, no leading zeros. */
const CANONICAL_IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
/** How Node spells an IPv4 client on a dual-stack socket. */
const MAPPED_PREFIX = '::ffff:';

/**
 * The /64 is what one IPv6 customer gets: keying on the full address would let one host rotate
 * through 2^64 addresses. IPv4-mapped IPv6 addresses count as the IPv4 address they carry.
 * Addresses already in their key's spelling (nearly every one: Node's own) are recognised without
 * parsing, which cost ipaddr.js several arrays a request; every other spelling is parsed.
 */
export function clientKeyOf(ip: string | undefined): string {
  if (!ip) return 'unknown';
  if (CANONICAL_IPV4.test(ip)) return ip;
  if (ip.startsWith(MAPPED_PREFIX) && CANONICAL_IPV4.test(ip.slice(MAPPED_PREFIX.length))) return ip.slice(MAPPED_PREFIX.length);
  if (!ipaddr.isValid(ip)) return 'unknown';
  let address = ipaddr.parse(ip);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
  if (address.kind() === 'ipv4') return address.toString();
  return `${(address as ipaddr.IPv6).toNormalizedString().split(':').slice(0, 4).join(':')}::/64`;
}

export function createAbuseLimits(options: { config: Config; store: CounterStore; metrics: Metrics; clock: Clock }): AbuseLimits {
  const { config, store, metrics } = options;
  const limits = config.limits;
  // The wait between requests past a per-IP count: one point a second, held down for the wait.
  const paceSpec = { points: 1, durationSeconds: 1 };
  const perIp = (name: string, spec: LimitSpec): DegradingLimit =>
    createDegradingLimit({ count: store.counter(name, spec), pace: store.counter(`${name}-pace`, paceSpec), points: spec.points });
  const startPerIp = perIp('start-ip', limits.startPerIp);
  const startPerUsername = store.counter('start-user', limits.startPerUsername);
  const verifyPerIp = perIp('verify-ip', limits.verifyFailuresPerIp);
  // A stateToken lives minutes (sliding); a day outlives any flow it could count for.
  const wrongAnswers = store.counter('wrong-answers', { points: limits.maxWrongAnswers, durationSeconds: 24 * 3600 });
  const wrongCodes = store.counter('wrong-codes', { points: limits.maxWrongAnswers, durationSeconds: 24 * 3600 });
  const resends = store.counter('resends', { points: RESENDS_PER_FLOW, durationSeconds: 24 * 3600 });
  const oktaBudget = createOktaBudget({
    counter: store.counter('okta-budget', { points: limits.oktaCallsPerMinute, durationSeconds: 60 }, { pinned: true }),
    verifyCounter: store.counter('okta-budget-verify', { points: limits.failedVerifiesPerMinute, durationSeconds: 60 }, { pinned: true }),
    reserve: limits.oktaRateLimitReserve,
    clock: options.clock,
  });

  // The secret as a key once: a string key is turned into a new one inside every createHmac.
  const hmacKey = createSecretKey(Buffer.from(config.cookieSecret));
  const hmac = (kind: string, value: string) => createHmac('sha256', hmacKey).update(`${kind}\0${value}`).digest('base64url').slice(0, 32);

  // Then-chains with handlers made once, not async functions: every start and every link
  // verification passes three limits, and an async function's suspended frame and awaits cost
  // more than a promise reaction each time. The rare paths (a refusal) may stay async.
  /** One of our own limits said no: counted for metrics, answered 429 with this Retry-After. */
  function limitedHere(retryAfterSeconds: number): LimitVerdict {
    metrics.rateLimitHit('local');
    return { kind: 'limited', source: 'local', retryAfterSeconds };
  }
  function localRefusal(rejection: unknown): LimitVerdict {
    if (!isLimitReached(rejection)) return { kind: 'store-down' };
    return limitedHere(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
  }
  const take = (counter: Counter, key: string): Promise<LimitVerdict> => counter.consume(key, 1).then(toOk, localRefusal);
  const giveBack = (counter: Counter, key: string): Promise<void> => counter.reward(key, 1).then(ignoreFailure, ignoreFailure);

  const localPaced = (verdict: PacedVerdict): LimitVerdict => (verdict.kind === 'limited' ? limitedHere(verdict.retryAfterSeconds) : verdict);
  const takePerIp = (limit: DegradingLimit, clientIp: string | undefined): Promise<LimitVerdict> => limit.take(clientKeyOf(clientIp)).then(localPaced);

  function countedBudget(budget: LimitVerdict): LimitVerdict {
    if (budget.kind === 'limited') metrics.rateLimitHit('budget');
    return budget;
  }
  const startBudget = (byUser: LimitVerdict): LimitVerdict | Promise<LimitVerdict> =>
    byUser.kind !== 'ok' ? byUser : oktaBudget.takeForStart().then(countedBudget);

  /** The verifications' share refused it before Okta: the client's own count gets nothing for it. */
  async function refusedShare(clientIp: string | undefined, share: LimitVerdict): Promise<LimitVerdict> {
    await verifyPerIp.giveBack(clientKeyOf(clientIp));
    return countedBudget(share);
  }
  const giveBackShare = (): Promise<void> => oktaBudget.giveBackVerify();

  /** A guess (an answer, a typed code) counted under its flow's key, which the admission keeps for giving it back. */
  const admitGuess = (counter: Counter, key: string): Promise<AnswerAdmission> =>
    counter.consume(key, 1).then(
      (result: RateLimiterRes): AnswerAdmission => ({ kind: 'ok', remaining: result.remainingPoints, giveBack: () => giveBack(counter, key) }),
      refusedGuess,
    );

  return {
    oktaBudget,
    admitStart(username, clientIp) {
      return takePerIp(startPerIp, clientIp).then((byIp) =>
        byIp.kind !== 'ok' ? byIp : take(startPerUsername, hmac('username', username.toLowerCase())).then(startBudget),
      );
    },
    admitVerify(clientIp) {
      return takePerIp(verifyPerIp, clientIp).then((byIp) =>
        byIp.kind !== 'ok' ? byIp : oktaBudget.takeForVerify().then((share) => (share.kind === 'ok' ? share : refusedShare(clientIp, share))),
      );
    },
    giveBackVerify(clientIp) {
      return verifyPerIp.giveBack(clientKeyOf(clientIp)).then(giveBackShare);
    },
    admitAnswer: (stateToken) => admitGuess(wrongAnswers, hmac('flow', stateToken)),
    admitCode: (flowKey) => admitGuess(wrongCodes, hmac('code', flowKey)),
    admitResend: (flowKey) => take(resends, hmac('resend', flowKey)),
  };
}
