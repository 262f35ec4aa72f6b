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
  // Labelled children made once per endpoint (and status), as http-metrics.ts does: not a labels
  // object and an observe closure per call. Endpoints are our few paths, statuses Okta's few.
  const durations = new Map<string, Map<number | string, (seconds: number) => void>>();
  const remaining = new Map<string, (value: number) => void>();
  return (call) => {
    let byStatus = durations.get(call.endpoint);
    if (!byStatus) durations.set(call.endpoint, (byStatus = new Map()));
    let observe = byStatus.get(call.status);
    if (!observe) byStatus.set(call.status, (observe = metrics.oktaCallDuration.labels({ endpoint: call.endpoint, status: String(call.status) }).observe));
    observe(call.durationMs / 1000);
    if (call.rateLimitRemaining !== undefined) {
      let set = remaining.get(call.endpoint);
      if (!set) remaining.set(call.endpoint, (set = metrics.oktaRateLimitRemaining.labels({ endpoint: call.endpoint }).set));
      set(call.rateLimitRemaining);
    }
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
