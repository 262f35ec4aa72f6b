/**
 * Behind a load balancer with TRUST_PROXY off, every request has the balancer's address: the
 * per-IP limits then count all users as one client, and Okta is told the balancer is the user. It
 * is the easiest mistake to make and the hardest to see, so when a request carries
 * X-Forwarded-For from a private or loopback peer (a proxy of ours, by the look of it) while
 * TRUST_PROXY is off, this says so: a warning in the log at most once per interval (with the
 * peer's address), a counter in the metrics, and a warning check in /readyz naming what to set.
 * A public peer sending the header is a client writing it itself, which is nothing to report.
 */
import ipaddr from 'ipaddr.js';
import type { Context } from 'koa';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Lifecycle } from '../lifecycle.js';
import type { Metrics } from '../observability/metrics.js';

/** At most one warning line this often, however many requests arrive. */
export const UNTRUSTED_FORWARDING_WARNING_INTERVAL_MS = 5 * 60 * 1000;
/** /readyz keeps the warning this long after the last such request. */
const ADVICE_LASTS_MS = 60 * 60 * 1000;

const PROXY_RANGES = new Set(['private', 'loopback', 'uniqueLocal', 'linkLocal', 'carrierGradeNat']);

export function isProxyLikePeer(address: string | undefined): boolean {
  if (!address || !ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return PROXY_RANGES.has(parsed.range());
}

export function untrustedForwardingWatch(options: {
  trustProxy: boolean;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  lifecycle: Pick<Lifecycle, 'registerAdvisory'>;
}): (ctx: Context) => void {
  const { logger, metrics, clock } = options;
  if (options.trustProxy) return () => undefined;
  let lastSeenAt: number | undefined;
  let lastWarnedAt: number | undefined;

  options.lifecycle.registerAdvisory('trust-proxy', () =>
    lastSeenAt !== undefined && clock.now() - lastSeenAt < ADVICE_LASTS_MS
      ? 'requests carry X-Forwarded-For from a private or loopback peer while TRUST_PROXY is off: every user counts as the proxy\'s address for the per-IP limits. Behind a load balancer that overwrites X-Forwarded-For, set TRUST_PROXY=true (and TRUST_PROXY_HOPS to the number of proxies)'
      : undefined,
  );

  // A step of the first layer of the middleware list (app.ts), not a middleware of its own.
  return (ctx) => {
    if (ctx.headers['x-forwarded-for'] && isProxyLikePeer(ctx.req.socket.remoteAddress)) {
      const peer = ctx.req.socket.remoteAddress;
      const now = clock.now();
      lastSeenAt = now;
      metrics.untrustedForwarded.inc();
      if (lastWarnedAt === undefined || now - lastWarnedAt >= UNTRUSTED_FORWARDING_WARNING_INTERVAL_MS) {
        lastWarnedAt = now;
        logger.warn(
          { event: 'http.untrusted-forwarded-for', peer },
          'X-Forwarded-For from a proxy-like peer is ignored because TRUST_PROXY is off: set TRUST_PROXY=true behind a load balancer',
        );
      }
    }
  };
}
