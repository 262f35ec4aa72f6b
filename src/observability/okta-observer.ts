/**
 * The Okta client's observe hook (okta/client.ts): one place that turns every Okta call into a
 * latency observation per endpoint and status, the X-Rate-Limit-Remaining gauge, a rate-limit hit
 * on 429, a debug log line with our request id beside Okta's, and the Okta request id remembered
 * for the request's audit event.
 */
import type { Logger } from 'pino';
import type { OktaCallObservation } from '../okta/client.js';
import type { Metrics } from './metrics.js';
import type { OktaRequestIds } from './okta-request-ids.js';

export function observeOktaCalls(metrics: Metrics, logger: Logger, oktaRequestIds: OktaRequestIds): (call: OktaCallObservation) => void {
  return (call) => {
    const status = String(call.status);
    metrics.oktaCallDuration.observe({ endpoint: call.endpoint, status }, call.durationMs / 1000);
    if (call.rateLimitRemaining !== undefined) metrics.oktaRateLimitRemaining.set({ endpoint: call.endpoint }, call.rateLimitRemaining);
    if (call.status === 429) metrics.rateLimitHit('okta');
    if (call.oktaRequestId) oktaRequestIds.remember(call.context, call.oktaRequestId);
    if (logger.isLevelEnabled('debug')) {
      logger.debug(
        {
          event: 'okta.call',
          requestId: call.context.requestId,
          endpoint: call.endpoint,
          status: call.status,
          ms: Math.round(call.durationMs),
          oktaRequestId: call.oktaRequestId,
          rateLimitRemaining: call.rateLimitRemaining,
        },
        'okta call',
      );
    }
  };
}
