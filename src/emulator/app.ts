/**
 * The emulator as a Koa app. The middleware list below is the architecture, in order:
 * request id → request log → Okta's error writer → control endpoints → latency → org rate limit
 * → forced faults → JSON body → per-user rate limit → Okta's Classic routes → the IDX and OAuth
 * routes (idx/, docs/idx-emulator.md).
 */
import Koa from 'koa';
import { systemClock } from '../clock.js';
import { jsonBody } from './body.js';
import { controlRouter } from './control.js';
import type { FlowDeps } from './flow-deps.js';
import { createHandle } from './handle.js';
import type { EmulatorHandle } from './handle.js';
import { Mailer } from './mail.js';
import { PhoneOutbox } from './phone.js';
import { Faults, injectedFaults, latency, oktaErrors, requestId } from './middleware.js';
import { DEFAULT_POLICY, mergePolicy } from './policy.js';
import { WindowCounter, orgRateLimit, perUserRateLimit } from './rate-limit.js';
import { recordRequests } from './recorder.js';
import type { RecordedRequest } from './recorder.js';
import { notFound, oktaRouter } from './routes.js';
import { demoUsers, parseSeedUsers, toUserRecords } from './seed.js';
import { EmulatorStore } from './store.js';
import { usersRouter } from './users-api.js';
import { createIdx } from './idx/index.js';
import type { EmulatorOptions } from './types.js';

/** §9: recovery token 60 min as observed (DEVFORUM-22315, GUARDIAN); stateToken ~5 min sliding. */
export const DEFAULT_RECOVERY_TOKEN_LIFETIME_MS = 60 * 60_000;
export const DEFAULT_STATE_TOKEN_LIFETIME_MS = 5 * 60_000;
/** §8: 4 requests per second per username; 600 per minute for the org's authn bucket. */
export const DEFAULT_PER_USER_PER_SECOND = 4;
export const DEFAULT_ORG_PER_MINUTE = 600;

export function createEmulatorApp(options: EmulatorOptions): { app: Koa; handle: EmulatorHandle } {
  const clock = options.clock ?? systemClock;
  const orgPolicy = mergePolicy(DEFAULT_POLICY, options.policy);
  const seeds = options.users ? parseSeedUsers(options.users, 'options.users') : demoUsers();
  const store = new EmulatorStore(toUserRecords(seeds, clock, orgPolicy), clock, {
    recoveryTokenMs: options.recoveryTokenLifetimeMs ?? DEFAULT_RECOVERY_TOKEN_LIFETIME_MS,
    stateTokenMs: options.stateTokenLifetimeMs ?? DEFAULT_STATE_TOKEN_LIFETIME_MS,
  });
  const mailer = new Mailer({
    publicUrl: options.publicUrl,
    clock,
    smtpUrl: options.smtpUrl,
    mailFrom: options.mailFrom,
  });
  const phone = new PhoneOutbox(clock);
  const requests: RecordedRequest[] = [];
  const faults = new Faults();
  faults.latencyMs = options.latencyMs ?? 0;
  const idx = createIdx({ store, mailer, clock, publicUrl: options.publicUrl, pipeline: options.pipeline ?? 'v1', options: options.idx });
  const handle = createHandle({ clock, store, mailer, phone, requests, faults, idx: idx.handle });
  const deps: FlowDeps = {
    store,
    mailer,
    phone,
    clock,
    orgPolicy,
    neverIssuedTokenError: options.neverIssuedTokenError ?? 'E0000011',
  };
  const orgLimit = options.rateLimits?.orgPerMinute ?? DEFAULT_ORG_PER_MINUTE;
  const perUserLimit = options.rateLimits?.perUserPerSecond ?? DEFAULT_PER_USER_PER_SECOND;
  const okta = oktaRouter(deps, options.apiToken);

  const app = new Koa();
  app.use(requestId());
  app.use(recordRequests(requests, clock));
  app.use(oktaErrors());
  if (options.controlEndpoints ?? true) app.use(controlRouter(handle).routes());
  app.use(latency(faults));
  app.use(orgRateLimit(new WindowCounter(orgLimit, 60_000, clock)));
  app.use(injectedFaults(faults, clock, orgLimit));
  app.use(jsonBody());
  app.use(perUserRateLimit(new WindowCounter(perUserLimit, 1_000, clock)));
  app.use(notFound(okta));
  app.use(okta.routes());
  app.use(usersRouter(deps, options.apiToken).routes());
  idx.mount(app);
  return { app, handle };
}
