/**
 * The composition root: builds every dependency once from the frozen Config. Tests build the
 * same graph with their own clock and log destination; nothing here branches on "is this a test".
 */
import type Router from '@koa/router';
import type { Logger } from 'pino';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { loadCatalogue, type Catalogue } from './i18n/catalogue.js';
import { createLogger } from './logger.js';
import { createMailer, type Mailer } from './mail/mailer.js';
import { createOktaClient, type OktaClient } from './okta/client.js';
import { messagesDir, templatesDir } from './paths.js';
import { createRenderer, type Renderer } from './web/render.js';

export interface AppDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly okta: OktaClient;
  readonly catalogue: Catalogue;
  readonly renderer: Renderer;
  /** Our own emails (recovery link in service mode, password-changed notice); null without SMTP_URL. */
  readonly mailer: Mailer | null;
  /** Routes only demo mode mounts (the mailbox); empty in production. */
  readonly extraRouters: readonly Router[];
}

export interface DepsOverrides {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly extraRouters?: readonly Router[];
}

export function createDeps(config: Config, overrides: DepsOverrides = {}): AppDeps {
  if (!config.okta.orgUrl) throw new Error('createDeps needs an Okta org URL (demo mode starts the emulator first)');
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, pretty: config.env === 'development' && process.stdout.isTTY });
  const catalogue = loadCatalogue(messagesDir);
  const clock = overrides.clock ?? systemClock;
  const okta = createOktaClient({ orgUrl: config.okta.orgUrl, timeoutMs: config.okta.timeoutMs, apiToken: config.okta.apiToken });
  return {
    config,
    clock,
    logger,
    okta,
    catalogue,
    renderer: createRenderer(templatesDir, catalogue),
    mailer: createMailer({ config, okta, clock, logger, catalogue, templatesDir }),
    extraRouters: overrides.extraRouters ?? [],
  };
}
