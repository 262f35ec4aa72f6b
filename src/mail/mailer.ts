/**
 * The emails this service sends, as jobs on the send queue:
 *  - the recovery email (EMAIL_DELIVERY=service): the engine's token source asks Okta for a
 *    recovery token (Classic: the trusted-application call, contract §1.5; Identity Engine: the
 *    Users API, idx contract §3.3) and we mail our own branded link;
 *  - the password-changed notice (whenever SMTP is configured), after a successful reset.
 * The web steps only enqueue; everything that could reveal whether an account exists (Okta's
 * refusal of an unknown user, a missing address, an SMTP error) happens after the response, and
 * is logged and counted, never shown.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Catalogue } from '../i18n/catalogue.js';
import { inLifetime } from '../i18n/relative-time.js';
import type { EndUserContext } from '../okta/context.js';
import { createMailRenderer, type MailRenderer } from './messages.js';
import type { MailJob } from './jobs.js';
import { createMemoryMailQueue, type MailQueue, type MailQueueOptions } from './queue.js';
import { addressOf, emailLocale, formatMoment, type MailUser } from './recipient.js';
import type { RecoveryTokenSource } from './recovery-grant.js';
import type { MailTransport, OutgoingMail } from './send-failure.js';

export interface Mailer {
  readonly queue: MailQueue;
  /**
   * Service delivery: ask Okta for a token and mail the link, after the response. Resolves once
   * the job is kept (written to Redis with REDIS_URL), never waiting on Okta or SMTP.
   */
  sendRecoveryLink(input: { username: string; relayState?: string | undefined }, context: EndUserContext): Promise<void>;
  /** "Your password was changed", with the time and a "this wasn't me" contact line. */
  notifyPasswordChanged(user: MailUser, context: EndUserContext): Promise<void>;
  close(timeoutMs?: number): Promise<void>;
}

export interface MailerDeps {
  readonly config: Config;
  /** The engine's way of asking Okta for a recovery token (service delivery). */
  readonly recoveryTokens: RecoveryTokenSource;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly catalogue: Catalogue;
  readonly templatesDir: string;
  /** Another transport (e.g. an HTTP mail API) in place of SMTP_URL's. */
  readonly transport?: MailTransport;
}

/**
 * null when SMTP_URL is not set: this service then sends no email at all. nodemailer and BullMQ
 * are imported here, when the configuration asks for them, not by the module: a service without
 * SMTP_URL or REDIS_URL never holds their code (BullMQ alone is 200+ files with luxon and msgpackr).
 */
export async function createMailer(deps: MailerDeps): Promise<Mailer | null> {
  const smtp = deps.config.email.smtp;
  if (!smtp) return null;
  const renderer = createMailRenderer(deps.templatesDir, deps.catalogue, deps.config.brand);
  const transport = deps.transport ?? (await import('./transport.js')).createSmtpTransport({ url: smtp.url, from: smtp.from, maxConnections: smtp.concurrency });
  const prepare = async (job: MailJob): Promise<OutgoingMail | null> =>
    job.kind === 'recovery'
      ? prepareRecoveryMail(deps, renderer, job.input, job.context)
      : preparePasswordChangedNotice(deps, renderer, job.user, job.context, job.changedAtMs);
  const options: MailQueueOptions & { transport: MailTransport } = {
    transport,
    prepare,
    logger: deps.logger,
    maxAttempts: smtp.maxAttempts,
    retryBaseMs: smtp.retryBaseMs,
    concurrency: smtp.concurrency,
  };
  // With Redis the queue outlives the process (redis-queue.ts); without it, what waits is lost on a crash.
  const redis = deps.config.redis;
  const queue = redis
    ? (await import('./redis-queue.js')).createRedisMailQueue({ ...options, redisUrl: redis.url, keyPrefix: redis.keyPrefix, secret: deps.config.cookieSecret, previousSecret: deps.config.cookieSecretPrevious })
    : createMemoryMailQueue(options);

  return {
    queue,
    async sendRecoveryLink(input, context) {
      await queue.enqueue({ kind: 'recovery', requestId: context.requestId, input, context });
    },
    async notifyPasswordChanged(user, context) {
      await queue.enqueue({ kind: 'password-changed', requestId: context.requestId, user, context, changedAtMs: deps.clock.now() });
    },
    close: (timeoutMs) => queue.close(timeoutMs),
  };
}

function skipped(deps: MailerDeps, kind: string, context: EndUserContext, reason: string, facts: Record<string, unknown> = {}): null {
  deps.logger.info({ event: 'mail.skipped', kind, requestId: context.requestId, reason, ...facts }, `no ${kind} email: ${reason}`);
  return null;
}

async function prepareRecoveryMail(
  deps: MailerDeps,
  renderer: MailRenderer,
  input: { username: string; relayState?: string | undefined },
  context: EndUserContext,
): Promise<OutgoingMail | null> {
  const grant = await deps.recoveryTokens.grant(input, context);
  if (grant.kind === 'withheld') return skipped(deps, 'recovery', context, grant.reason, grant.facts);
  const { token, user, expiresAtMs, relayState } = grant;
  const to = addressOf(user);
  if (!to) return skipped(deps, 'recovery', context, 'no-email-address');

  const locale = emailLocale(deps.catalogue, user, context.acceptLanguage);
  // Built only from PUBLIC_URL: a Host or X-Forwarded-Host header never reaches this code.
  // relayState (not a secret) only where Okta does not keep it with the token; checked again when the link is opened.
  const carried = relayState ? `?${new URLSearchParams({ relayState })}` : '';
  const link = `${deps.config.publicUrl}/reset-password/${encodeURIComponent(token)}${carried}`;
  const content = renderer.render('recovery', locale, {
    link,
    login: user.login,
    firstName: user.firstName,
    expiresAt: expiresAtMs !== undefined ? formatMoment(expiresAtMs, locale, user.timeZone) : undefined,
    minutes: expiresAtMs !== undefined ? Math.max(1, Math.round((expiresAtMs - deps.clock.now()) / 60_000)) : undefined,
    // Okta did not say (the Identity Engine's Users API): the org's recovery token lifetime as the
    // operator declared it, the same words "check your email" used (README "How long a link lives").
    expiresIn: inLifetime(locale, deps.config.resetLinkLifetimeMinutes),
  });
  return { to, ...content };
}

function preparePasswordChangedNotice(
  deps: MailerDeps,
  renderer: MailRenderer,
  user: MailUser,
  context: EndUserContext,
  changedAtMs: number,
): OutgoingMail | null {
  const to = addressOf(user);
  if (!to) return skipped(deps, 'password-changed', context, 'no-email-address');
  const locale = emailLocale(deps.catalogue, user, context.acceptLanguage);
  const content = renderer.render('password-changed', locale, {
    login: user.login,
    firstName: user.firstName,
    changedAt: formatMoment(changedAtMs, locale, user.timeZone),
  });
  return { to, ...content };
}
