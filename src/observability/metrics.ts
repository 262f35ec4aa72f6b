/**
 * The service's Prometheus metrics, on a registry of its own (not prom-client's global one), so
 * two services in one process — tests, the benchmark — never share or double-register counters.
 * Label values are closed sets (step names, outcome kinds, endpoint paths, HTTP statuses): no
 * user input becomes a label, which keeps cardinality bounded and secrets out.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Where a rate limit was met: Okta's 429, our own limiter, or our budget backing off before Okta's. */
export type RateLimitSource = 'okta' | 'local' | 'budget';

export interface Metrics {
  readonly registry: Registry;
  readonly flowsStarted: Counter<never>;
  readonly flowsCompleted: Counter<never>;
  readonly stepOutcomes: Counter<'step' | 'outcome'>;
  readonly oktaCallDuration: Histogram<'endpoint' | 'status'>;
  readonly oktaRateLimitRemaining: Gauge<'endpoint'>;
  readonly rateLimitHits: Counter<'source'>;
  /** Requests with X-Forwarded-For from a proxy-like peer while TRUST_PROXY is off (web/proxy-check.ts). */
  readonly untrustedForwarded: Counter<never>;
  /** Read from the mail queue's own counters at scrape time (see watchMailQueue). */
  readonly emails: Counter<'result'>;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  /** For other modules (the limiter, the budget) that should not depend on prom-client's API. */
  rateLimitHit(source: RateLimitSource): void;
  /** The mail queue keeps plain counters (sent, failed, retried, …); exported as emails_total{result}. */
  watchMailQueue(read: () => Readonly<Record<string, number>>): void;
  /** Requests worked on, waiting, and turned away at admission (web/admission.ts); not called without a limit. */
  watchAdmission(read: () => { readonly inProgress: number; readonly waiting: number; readonly turnedAway: number }): void;
  /** The in-memory limiter store's size and evictions (limits/memory-store.ts); not called with Redis. */
  watchLimitStore(read: () => { readonly keys: number; readonly evictions: number }): void;
}

/** Okta answers in tens to hundreds of ms; the 10 s bucket catches calls that hit the timeout. */
const OKTA_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(options: { prefix?: string; defaultMetrics?: boolean } = {}): Metrics {
  const prefix = options.prefix ?? 'recovery_';
  const registry = new Registry();
  // Process CPU, memory, event-loop lag, GC: what an operator checks first when latency rises.
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix });
  const registers = [registry];
  let readMailQueue: (() => Readonly<Record<string, number>>) | undefined;
  let readAdmission: (() => { readonly inProgress: number; readonly waiting: number; readonly turnedAway: number }) | undefined;
  let readLimitStore: (() => { readonly keys: number; readonly evictions: number }) | undefined;

  /**
   * A gauge whose value another module keeps and this one reads at scrape time; registered only
   * once something is watched (see watchLimitStore), so an absent source never reads as a zero.
   */
  function gaugeReadAtScrape(name: string, help: string, read: () => number | undefined): Gauge {
    return new Gauge({
      name: `${prefix}${name}`,
      help,
      registers: [],
      collect() {
        const value = read();
        if (value !== undefined) this.set(value);
      },
    });
  }
  /** The same for a running total kept elsewhere: set at scrape time, never incremented here. */
  function counterReadAtScrape(name: string, help: string, read: () => number | undefined): Counter {
    return new Counter({
      name: `${prefix}${name}`,
      help,
      registers: [],
      collect() {
        const total = read();
        if (total === undefined) return;
        this.reset();
        this.inc(total);
      },
    });
  }

  const metrics = {
    registry,
    flowsStarted: new Counter({ name: `${prefix}flows_started_total`, help: 'Recovery flows started (emails asked of Okta).', registers }),
    flowsCompleted: new Counter({ name: `${prefix}flows_completed_total`, help: 'Recovery flows that ended with a changed password.', registers }),
    stepOutcomes: new Counter({
      name: `${prefix}step_outcomes_total`,
      help: 'Outcomes of each recovery step (one per audit event).',
      labelNames: ['step', 'outcome'] as const,
      registers,
    }),
    oktaCallDuration: new Histogram({
      name: `${prefix}okta_call_duration_seconds`,
      help: 'Okta API call latency by endpoint and HTTP status (network-error when no answer came).',
      labelNames: ['endpoint', 'status'] as const,
      buckets: OKTA_BUCKETS,
      registers,
    }),
    oktaRateLimitRemaining: new Gauge({
      name: `${prefix}okta_rate_limit_remaining`,
      help: "Okta's X-Rate-Limit-Remaining from the latest answer, by endpoint.",
      labelNames: ['endpoint'] as const,
      registers,
    }),
    rateLimitHits: new Counter({
      name: `${prefix}rate_limit_hits_total`,
      help: 'Requests refused for a rate limit: okta (Okta answered 429), local (our limiter), budget (held back before Okta would refuse).',
      labelNames: ['source'] as const,
      registers,
    }),
    untrustedForwarded: new Counter({
      name: `${prefix}untrusted_forwarded_requests_total`,
      help: 'Requests carrying X-Forwarded-For from a private or loopback peer while TRUST_PROXY is off (a load balancer we do not believe).',
      registers,
    }),
    emails: new Counter({
      name: `${prefix}emails_total`,
      help: 'Emails this service handled, by result: enqueued, sent, failed, retried, skipped (nothing to send), dropped (queue full or closing).',
      labelNames: ['result'] as const,
      registers,
      collect() {
        const counts = readMailQueue?.();
        if (!counts) return;
        this.reset();
        for (const [result, count] of Object.entries(counts)) this.inc({ result }, count);
      },
    }),
    limitStoreKeys: gaugeReadAtScrape(
      'limit_store_keys',
      'Keys the in-memory abuse-limit store holds (bounded by RATE_LIMIT_MEMORY_MAX_KEYS; absent with Redis).',
      () => readLimitStore?.().keys,
    ),
    limitStoreEvictions: counterReadAtScrape(
      'limit_store_evictions_total',
      'Live keys the in-memory abuse-limit store dropped because it was full (new keys are then held down for a window).',
      () => readLimitStore?.().evictions,
    ),
    httpRequestsInProgress: gaugeReadAtScrape('http_requests_in_progress', 'Requests being worked on now (at most MAX_CONCURRENT_REQUESTS).', () => readAdmission?.().inProgress),
    httpRequestsWaiting: gaugeReadAtScrape(
      'http_requests_waiting',
      'Requests waiting for admission (MAX_CONCURRENT_REQUESTS are being worked on).',
      () => readAdmission?.().waiting,
    ),
    httpRequestsTurnedAway: counterReadAtScrape(
      'http_requests_turned_away_total',
      'Requests answered 503 at admission: waited longer than OKTA_TIMEOUT_MS, or their client left while waiting.',
      () => readAdmission?.().turnedAway,
    ),
    httpRequestDuration: new Histogram({
      name: `${prefix}http_request_duration_seconds`,
      help: 'HTTP request duration by method, matched route and status.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: HTTP_BUCKETS,
      registers,
    }),
  };
  return {
    ...metrics,
    rateLimitHit: (source) => metrics.rateLimitHits.inc({ source }),
    watchMailQueue: (read) => {
      readMailQueue = read;
    },
    watchAdmission: (read) => {
      readAdmission = read;
      registry.registerMetric(metrics.httpRequestsInProgress);
      registry.registerMetric(metrics.httpRequestsWaiting);
      registry.registerMetric(metrics.httpRequestsTurnedAway);
    },
    watchLimitStore: (read) => {
      readLimitStore = read;
      // Registered only when watched: with Redis these would be zeros that look like facts.
      registry.registerMetric(metrics.limitStoreKeys);
      registry.registerMetric(metrics.limitStoreEvictions);
    },
  };
}
