/**
 * The Okta budget's verdicts from its counters (src/limits/okta-budget.ts), each way a counter can
 * answer: a point taken, the count used up, the store failing (rejecting, or throwing at once),
 * and Okta's own window reported low.
 */
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Counter } from '../../src/limits/counters.js';
import { createOktaBudget } from '../../src/limits/okta-budget.js';

type Answer = 'taken' | 'used-up' | 'store-down' | 'throws';

function counter(answer: () => Answer, calls: string[]): Counter {
  const reply = (name: string): Promise<RateLimiterRes> => {
    calls.push(name);
    const kind = answer();
    if (kind === 'throws') throw new Error('not connected');
    if (kind === 'store-down') return Promise.reject(new Error('store down'));
    const res = new RateLimiterRes(0, 2500, 1, false);
    return kind === 'used-up' ? Promise.reject(res) : Promise.resolve(res);
  };
  return { consume: () => reply('consume'), penalty: () => reply('penalty'), reward: () => reply('reward'), block: () => reply('block') };
}

describe('the Okta budget verdicts', () => {
  it('answers each counter outcome as a verdict, and gives back whatever the store says', async () => {
    let answer: Answer = 'taken';
    const calls: string[] = [];
    const now = 1_000_000;
    const budget = createOktaBudget({ counter: counter(() => answer, calls), verifyCounter: counter(() => answer, calls), reserve: 5, clock: { now: () => now } });
    for (const take of [() => budget.takeForStart(), () => budget.takeForVerify()]) {
      answer = 'taken';
      await expect(take()).resolves.toEqual({ kind: 'ok' });
      answer = 'used-up';
      await expect(take()).resolves.toEqual({ kind: 'limited', source: 'budget', retryAfterSeconds: 3 });
      answer = 'store-down';
      await expect(take()).resolves.toEqual({ kind: 'store-down' });
      answer = 'throws';
      await expect(take()).resolves.toEqual({ kind: 'store-down' });
    }
    for (const kind of ['taken', 'used-up', 'store-down'] as const) {
      answer = kind;
      await expect(budget.giveBackVerify()).resolves.toBeUndefined();
    }
    // Okta says its window is nearly spent until 30 s from now: starts wait without a counter call.
    answer = 'taken';
    budget.observe({ endpoint: 'x', status: 200, durationMs: 1, oktaRequestId: undefined, rateLimitRemaining: 2, rateLimitResetEpochSeconds: now / 1000 + 30, context: {}, prepaid: true });
    calls.length = 0;
    await expect(budget.takeForStart()).resolves.toEqual({ kind: 'limited', source: 'budget', retryAfterSeconds: 30 });
    expect(calls).toEqual([]);
  });
});
