/**
 * The composition root: builds every dependency once from the frozen Config. Tests build the
 * same graph with their own clock and log destination; nothing here branches on "is this a test".
 */
import type Router from '@koa/router';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { loadCatalogue, type Catalogue } from './i18n/catalogue.js';
import { createLifecycle, type Lifecycle } from './lifecycle.js';
import { createAbuseLimits, type AbuseLimits } from './limits/abuse-limits.js';
import { createCounterStore } from './limits/counters.js';
import { createLogger } from './logger.js';
import { createAuditor, type Auditor } from './observability/audit.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { observeOktaCalls } from './observability/okta-observer.js';
import { OktaRequestIds } from './observability/okta-request-ids.js';
import { createMailer, type Mailer } from './mail/mailer.js';
import type { RecoveryTokenSource } from './mail/recovery-grant.js';
import { createOktaClient, type OktaClient } from './okta/client.js';
import type { RecoveryEngine } from './recovery/engine.js';
import { messagesDir, templatesDir } from './paths.js';
import { createOktaEmails, type OktaEmails } from './okta/classic/okta-emails.js';
import { createRenderer, type Renderer } from './web/render.js';
import type { Presenter } from './web/present.js';

export interface AppDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly okta: OktaClient;
  /** Classic or Identity Engine, behind the recovery steps' port (OKTA_ENGINE, resolved at start-up). */
  readonly engine: RecoveryEngine;
  readonly catalogue: Catalogue;
  readonly renderer: Renderer;
  readonly metrics: Metrics;
  /** One audit event (log line + metrics) per recovery step and outcome. */
  readonly audit: Auditor;
  /** registerCloser(name, fn) for shutdown, registerReadinessCheck(name, fn) for /readyz. */
  readonly lifecycle: Lifecycle;
  /** Abuse limits and the Okta budget, counted in memory or in Redis (REDIS_URL). */
  readonly limits: AbuseLimits;
  /** Resolves when dependencies that connect (Redis) have connected, or stopped waiting (bounded). */
  readonly connected: Promise<void>;
  /** Our own emails (recovery link in service mode, password-changed notice); null without SMTP_URL. */
  readonly mailer: Mailer | null;
  /** EMAIL_DELIVERY=okta: Okta asked to send the recovery email after the response. */
  readonly oktaEmails: OktaEmails;
  /** Routes only demo mode mounts (the mailbox); empty in production. */
  readonly extraRouters: readonly ExtraRouter[];
}

export interface DepsOverrides {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly extraRouters?: readonly ExtraRouter[];
}

/** A router made once the app has its presenter, so its pages wear the same layout as ours. */
export type ExtraRouter = (pages: { readonly presenter: Presenter }) => Router;

/** Demo mode is never "ok" to an operator: it runs a fake Okta and serves every reset link at /dev/mailbox. */
export function demoModeAdvice(config: Config): string {
  return config.http.hostIsExplicit
    ? 'demo mode (built-in Okta emulator): HOST is set, so /dev/mailbox and its reset links are reachable from the network; set OKTA_ORG_URL for real use'
    : 'demo mode (built-in Okta emulator): listening on loopback only; set OKTA_ORG_URL for real use, or HOST to expose the demo';
}

/**
 * Async so that what only some configurations use is imported only by them: the other engine's
 * modules, ioredis (REDIS_URL), nodemailer and BullMQ (SMTP_URL, REDIS_URL). Every import happens
 * here, before the server listens, so a configured service that cannot load still stops start-up.
 */
export async function createDeps(config: Config, overrides: DepsOverrides = {}): Promise<AppDeps> {
  if (!config.okta.orgUrl) throw new Error('createDeps needs an Okta org URL (demo mode starts the emulator first)');
  if (config.okta.engine === 'auto') throw new Error('createDeps needs the engine decided (server.ts reads the org first)');
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, pretty: config.env === 'development' && process.stdout.isTTY });
  const catalogue = loadCatalogue(messagesDir, config.languages ?? undefined);
  const clock = overrides.clock ?? systemClock;
  const metrics = createMetrics();
  const lifecycle = createLifecycle({ logger, timeoutMs: config.shutdownTimeoutMs });
  const oktaRequestIds = new OktaRequestIds();
  const counters = await createCounterStore(config, logger, clock);
  // Redis is a readiness check only when required (closed): in open mode an instance without Redis
  // still serves, and taking every instance out of the load balancer is the outage we chose to avoid.
  if (counters.kind === 'redis' && config.redis?.failureMode === 'closed') {
    lifecycle.registerReadinessCheck('redis', () => counters.healthy());
  }
  if (config.demoMode) lifecycle.registerAdvisory('demo-mode', () => demoModeAdvice(config));
  const memoryStats = counters.stats;
  if (counters.kind === 'memory') metrics.watchLimitStore(() => memoryStats() ?? { keys: 0, evictions: 0 });
  const limits = createAbuseLimits({ config, store: counters, metrics, clock });
  const observeForMetrics = observeOktaCalls(metrics, logger, oktaRequestIds);
  const okta = createOktaClient({
    orgUrl: config.okta.orgUrl,
    timeoutMs: config.okta.timeoutMs,
    apiToken: config.okta.apiToken,
    maxSockets: config.okta.maxSockets,
    observe: (call) => {
      observeForMetrics(call);
      limits.oktaBudget.observe(call);
    },
  });
  const audit = createAuditor(logger, metrics, oktaRequestIds);
  const oktaEmails = createOktaEmails({ okta, audit, logger, concurrency: config.okta.maxSockets });
  // Starts already answered "email sent" reach Okta before its sockets close (server.ts).
  lifecycle.registerCloser('okta-emails', () => oktaEmails.queue.close(Math.floor(config.shutdownTimeoutMs * 0.9)));
  // Service delivery asks Okta for the token the engine's way (Classic authn, or the Users API).
  // Only with SMTP_URL: without it nothing asks for a token this way.
  const recoveryTokens = config.email.smtp ? await recoveryTokensFor(config, okta) : undefined;
  const mailer = recoveryTokens ? await createMailer({ config, recoveryTokens, clock, logger, catalogue, templatesDir }) : null;
  if (mailer) {
    metrics.watchMailQueue(() => mailer.queue.counters);
    // Emails already promised to users go out before Okta's sockets close (server.ts closes them
    // after every closer: a queued recovery job still calls Okta). Ends before the closer's bound.
    lifecycle.registerCloser('mail-queue', () => mailer.close(Math.floor(config.shutdownTimeoutMs * 0.9)));
  }
  const engine = await createEngine(config, { okta, clock, logger, mailer, oktaEmails });
  const background = engine.background;
  // Starts already answered reach Okta before its sockets close, as Okta-sent emails do.
  if (background) lifecycle.registerCloser('engine-background', () => background.close(Math.floor(config.shutdownTimeoutMs * 0.9)));
  // One series for the engine, as Prometheus "info" metrics do: dashboards join on it.
  new Gauge({ name: 'recovery_okta_engine_info', help: 'The Okta engine this instance drives (classic or idx).', labelNames: ['engine'], registers: [metrics.registry] }).set({ engine: engine.name }, 1);
  // After the mail queue's closer: a queued recovery email still takes from the budget.
  lifecycle.registerCloser('counters', () => counters.close());
  return {
    config,
    clock,
    limits,
    connected: counters.connected(),
    logger,
    okta,
    engine,
    metrics,
    audit,
    oktaEmails,
    lifecycle,
    catalogue,
    renderer: createRenderer(templatesDir, catalogue),
    mailer,
    extraRouters: overrides.extraRouters ?? [],
  };
}

async function recoveryTokensFor(config: Config, okta: OktaClient): Promise<RecoveryTokenSource> {
  if (config.okta.engine === 'idx') return (await import('./okta/idx/service-emails.js')).createIdxRecoveryTokens(okta);
  return (await import('./okta/classic/service-emails.js')).createClassicRecoveryTokens(okta);
}

/** The engine's modules are imported by the engine chosen: a Classic service never loads the IDX protocol, nor the reverse. */
async function createEngine(config: Config, deps: { okta: OktaClient; clock: Clock; logger: Logger; mailer: Mailer | null; oktaEmails: OktaEmails }): Promise<RecoveryEngine> {
  const { okta, clock, logger, mailer, oktaEmails } = deps;
  if (config.okta.engine === 'idx') {
    const { createIdxEngine } = await import('./okta/idx/engine.js');
    const { idx } = config.okta;
    // config.ts refuses an IDX start without a client id; this only narrows the type.
    if (!idx.clientId) throw new Error('OKTA_CLIENT_ID is required for the Identity Engine');
    const settings = { orgUrl: config.okta.orgUrl as string, clientId: idx.clientId, clientSecret: idx.clientSecret, authServerPath: idx.authServerPath, redirectUri: idx.redirectUri };
    // Service delivery needs the mailer (config.ts requires SMTP_URL and OKTA_API_TOKEN for it).
    const idxDelivery = config.email.delivery === 'service' && mailer ? ({ by: 'service', mailer } as const) : ({ by: 'okta' } as const);
    // Okta sends the code: the start answers first and hands the walk's result over (start-handoff.ts).
    const handoff = idxDelivery.by === 'okta' ? await idxStartHandoff(config, clock, logger) : undefined;
    return createIdxEngine({ okta, clock, logger, settings, delivery: idxDelivery, handoff });
  }
  const { createClassicEngine } = await import('./okta/classic/engine.js');
  // Service delivery needs the mailer (config.ts requires SMTP_URL for it).
  const delivery = config.email.delivery === 'service' && mailer ? ({ by: 'service', mailer } as const) : ({ by: 'okta', emails: oktaEmails } as const);
  return createClassicEngine({ okta, clock, logger, delivery, unlockEmails: oktaEmails });
}

/**
 * Where an IDX start's walk leaves its result for the code's step: this process's memory, and
 * Redis too with REDIS_URL (another instance may take the code). In memory it is bounded by what
 * can be alive: every start takes at least one call from the Okta budget a minute, and a result
 * lives PENDING_START_LIFETIME_MS; never more than the counters' own bound.
 */
async function idxStartHandoff(config: Config, clock: Clock, logger: Logger) {
  const { createStartHandoff, createMemoryHandoffStore, layeredHandoffStore, PENDING_START_LIFETIME_MS } = await import('./okta/idx/start-handoff.js');
  const alive = Math.ceil((config.limits.oktaCallsPerMinute * PENDING_START_LIFETIME_MS) / 60_000);
  const near = createMemoryHandoffStore({ maxEntries: Math.min(config.limits.memoryMaxKeys, alive), now: () => clock.now() });
  const redis = config.redis;
  const store = redis
    ? layeredHandoffStore(
        near,
        await (await import('./okta/idx/handoff-redis.js')).createRedisHandoffStore({ url: redis.url, keyPrefix: redis.keyPrefix, secret: config.cookieSecret, previousSecret: config.cookieSecretPrevious }),
      )
    : near;
  // Half of Okta's sockets at most: walks nobody is waiting on never take every connection from the
  // steps people are waiting on, and a burst of starts queues here instead of slowing every answer
  // (at 1,000 paced flows with all 64: start p99 9–10× the other steps' when the burst met a fresh
  // process; with 32: 0.5–0.8×). 32 walks at 20 ms a call finish ~300 starts a second.
  const concurrency = Math.max(1, Math.floor(config.okta.maxSockets / 2));
  return createStartHandoff({ store, logger, ttlMs: PENDING_START_LIFETIME_MS, concurrency });
}
