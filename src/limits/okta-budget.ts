/**
 * The Okta budget guard. Okta's authn rate limit (600 requests a minute by default) belongs to the
 * whole organisation: every sign-in shares it. A flood on our reset page must not spend it, so we
 * keep our own budget of Okta calls per minute, counted across instances (the shared counters),
 * and watch what Okta says is left (X-Rate-Limit-Remaining / -Reset).
 *
 * Priority: *start* requests (which cost Okta a call and an email) are refused first. Calls for
 * flows already past the emailed link (answer, reset, cancel) are counted but never refused: the
 * user holding a link is the one we are here for, and there are few of them, because each one
 * needed an email that the start budget already paid for.
 *
 * Link verification is the exception, because nothing proves a link genuine before Okta has seen
 * it: a spray of made-up tokens from many addresses would otherwise spend the org's authn bucket
 * one /recovery/token call each. So verifications, all clients together, may take only a share of
 * the budget (OKTA_CALL_BUDGET_VERIFY_SHARE, a third by default) on a counter of their own; one
 * that verifies, or that met an Okta outage, is given back; one that Okta answered 429 stays
 * counted (it spent Okta's bucket all the same). Beyond the share verify answers a retryable 429
 * without calling Okta, and the rest of the budget stays for starts and for everyone's sign-ins.
 */
import type { Counter } from './counters.js';
import { ignoreFailure, isLimitReached } from './counters.js';
import type { OktaCallObservation } from '../okta/client.js';
import type { Clock } from '../clock.js';
import { toOk, type LimitVerdict } from './verdict.js';

export interface OktaBudget {
  /** Takes one call from the budget for a start request, or says why not. */
  takeForStart(): Promise<LimitVerdict>;
  /** Takes one link verification from the share failed verifications may use, or says why not. */
  takeForVerify(): Promise<LimitVerdict>;
  /** The verification was no guess (it verified, or Okta was down): it leaves the share. */
  giveBackVerify(): Promise<void>;
  /** The Okta client's observe hook: counts every other call and reads Okta's rate-limit headers. */
  observe(call: OktaCallObservation): void;
}

/** The budget's answer to a counter's refusal: used up (retry when it frees), or the store is down. */
function refusal(rejection: unknown): LimitVerdict {
  if (isLimitReached(rejection)) return { kind: 'limited', source: 'budget', retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
  return { kind: 'store-down' };
}

export function createOktaBudget(options: { counter: Counter; verifyCounter: Counter; reserve: number; clock: Clock }): OktaBudget {
  const { counter, verifyCounter, reserve, clock } = options;
  const KEY = 'okta-calls';
  const VERIFY_KEY = 'verifications';
  /** Epoch ms until which Okta itself says its window is (nearly) spent. */
  let oktaLowUntil = 0;

  // then with handlers made once, not async methods: an async method costs a promise, its
  // suspended frame and an await per request. A counter that throws instead of rejecting is
  // answered as its rejection would be, as the async methods' try did (the caller of
  // giveBackVerify awaits it in an async function: a throw there is its rejection, as before).
  return {
    takeForStart() {
      const now = clock.now();
      if (now < oktaLowUntil) return Promise.resolve({ kind: 'limited', source: 'budget', retryAfterSeconds: Math.ceil((oktaLowUntil - now) / 1000) });
      try {
        return counter.consume(KEY, 1).then(toOk, refusal);
      } catch (rejection) {
        return Promise.resolve(refusal(rejection));
      }
    },
    takeForVerify() {
      try {
        return verifyCounter.consume(VERIFY_KEY, 1).then(toOk, refusal);
      } catch (rejection) {
        return Promise.resolve(refusal(rejection));
      }
    },
    giveBackVerify() {
      return verifyCounter.reward(VERIFY_KEY, 1).then(ignoreFailure, ignoreFailure);
    },
    observe(call) {
      // A start's first call was counted when the start was admitted (takeForStart), before it
      // was made; the engine marks that call prepaid. Every other call counts here, once: an IDX
      // start's later calls, a Users API lookup's second call, verify, answer, reset, cancel.
      if (!call.prepaid) {
        counter.penalty(KEY, 1).catch(ignoreFailure);
      }
      const low = call.status === 429 || (call.rateLimitRemaining !== undefined && call.rateLimitRemaining <= reserve);
      if (low) {
        const resetMs = call.rateLimitResetEpochSeconds !== undefined ? call.rateLimitResetEpochSeconds * 1000 : clock.now() + 60_000;
        // Never trust a reset more than an hour away (a clock skew or a hostile proxy).
        oktaLowUntil = Math.max(oktaLowUntil, Math.min(resetMs, clock.now() + 3_600_000));
      }
    },
  };
}
