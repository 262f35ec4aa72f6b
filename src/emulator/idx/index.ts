/**
 * The IDX side of the emulator, composed from the parts it shares with Classic (store, mailer,
 * clock): the routers for app.ts and the `idx` part of the handle (docs/idx-emulator.md).
 */
import Router from '@koa/router';
import type Koa from 'koa';
import type { Clock } from '../../clock.js';
import type { Mailer } from '../mail.js';
import type { EmulatorStore } from '../store.js';
import type { IdxDeps } from './deps.js';
import { idxErrors } from './errors.js';
import { IdxLimiter } from './limits.js';
import { idxRouter, oauthRouter } from './routes.js';
import type { IdxOptions, IdxSettings, IdxSettingsPatch } from './settings.js';
import { applySettings, clientRegistry, initialSettings } from './settings.js';
import { TokenSigner } from './tokens.js';
import { IdxTransactions } from './transactions.js';

export type Pipeline = 'v1' | 'idx';

/** The test/control side door of the IDX org. */
export interface IdxHandle {
  /** A copy of the current toggles. */
  settings(): IdxSettings;
  configure(patch: IdxSettingsPatch): IdxSettings;
  /** The newest code emailed to `login` (undefined before any, or for users who get no email). */
  lastOtp(login: string): string | undefined;
}

export interface IdxParts {
  store: EmulatorStore;
  mailer: Mailer;
  clock: Clock;
  publicUrl: string;
  pipeline: Pipeline;
  options: IdxOptions | undefined;
}

/** Something unique-looking per emulator for `/.well-known/okta-organization` (`00o…`). */
const ORG_ID = '00o1emulatororg0001';

export function createIdx(parts: IdxParts): { mount(app: Koa): void; handle: IdxHandle } {
  const settings = initialSettings(parts.options);
  const deps: IdxDeps = {
    store: parts.store,
    mailer: parts.mailer,
    clock: parts.clock,
    settings,
    txns: new IdxTransactions(parts.clock, settings),
    clients: clientRegistry(parts.publicUrl, parts.options),
    tokens: new TokenSigner(parts.clock),
    otpFailures: new Map(),
    lastOtps: new Map(),
  };
  const limiter = new IdxLimiter(parts.clock, () => settings.rateLimits);
  const org = new Router();
  // Okta's discovery of the engine: `pipeline` is "idx" on Identity Engine orgs, "v1" on Classic.
  org.get('/.well-known/okta-organization', (ctx) => {
    ctx.body = { id: ORG_ID, pipeline: parts.pipeline, _links: { organization: { href: `${ctx.protocol}://${ctx.host}` } } };
  });
  const idx = idxRouter(deps, limiter);
  const oauth = oauthRouter(deps);
  const handle: IdxHandle = {
    settings: () => structuredClone(settings),
    configure: (patch) => {
      applySettings(settings, patch);
      return structuredClone(settings);
    },
    lastOtp: (login) => deps.lastOtps.get(login.toLowerCase()),
  };
  const mount = (app: Koa): void => {
    app.use(org.routes());
    app.use(idxErrors());
    app.use(idx.routes());
    app.use(oauth.routes());
  };
  return { mount, handle };
}

export type { IdxOptions, IdxSettings, IdxSettingsPatch, IdxClientOptions, IdxRateLimits } from './settings.js';
export { BUILT_IN_CLIENT_ID, settingsPatchSchema } from './settings.js';
