/**
 * The environment schema: the only place that reads configuration. `loadConfig` validates once at
 * start-up, names the variable at fault, and returns one frozen object that everything else is
 * given (STYLE.md principle 8; practica's config schema, got's "validate once, freeze").
 */
import { randomBytes } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { readdirSync } from 'node:fs';
import { messagesDir } from './paths.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Loopback by what the host *is*, never by how it starts: `127.attacker.example` is a public name.
 * Only `localhost`, an IPv4 address in 127.0.0.0/8 and `::1` qualify (WHATWG URL parsing has
 * already turned `127.1` or `0x7f.1` into dotted-quad form).
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost') return true;
  if (!ipaddr.isValid(host)) return false;
  return ipaddr.parse(host).range() === 'loopback';
}

function parsedUrl(value: string): URL | null {
  return URL.canParse(value) ? new URL(value) : null;
}

const httpUrl = z
  .string()
  .trim()
  .refine((value) => parsedUrl(value) !== null, { message: 'must be an absolute URL', abort: true })
  .refine((value) => ['http:', 'https:'].includes(parsedUrl(value)?.protocol ?? ''), { message: 'must be an http(s) URL', abort: true });

/** Okta's own domains; an org's Admin Console lives on `<org>-admin.<one of these>`. */
const OKTA_ADMIN_HOST = /^([a-z0-9-]+)-admin\.((?:okta|oktapreview|okta-emea|okta-gov|trexcloud)\.com|okta\.mil)$/i;

/**
 * Okta's org URL: https required, except for a loopback emulator (plain http is fine on 127.0.0.1).
 * Only an origin: credentials would be sent to (and logged by) whatever is there, and a path or
 * query would silently change every endpoint we call.
 */
const oktaOrgUrl = httpUrl
  // Copying the address bar from the Admin Console is a common slip; its host serves no authn API.
  .superRefine((value, context) => {
    const admin = OKTA_ADMIN_HOST.exec(parsedUrl(value)?.hostname ?? '');
    if (admin) {
      context.addIssue({
        code: 'custom',
        message: `${admin[0]} is the Admin Console's address, not the org's: use https://${admin[1]}.${admin[2]} (without "-admin")`,
      });
    }
  })
  .refine((value) => {
    const url = parsedUrl(value);
    return url !== null && url.username === '' && url.password === '' && url.pathname === '/' && url.search === '' && url.hash === '';
  }, { message: 'must be the org\'s origin only (e.g. https://acme.okta.com): no credentials, path, query or fragment', abort: true })
  .refine((value) => {
    const url = parsedUrl(value);
    return url !== null && (url.protocol === 'https:' || isLoopbackHost(url.hostname));
  }, 'must use https unless the host is loopback (localhost, 127.0.0.0/8, ::1)');

/**
 * A secret that fills 32 bytes with one repeated character or a short repeated pattern has far
 * less entropy than its length says (32 spaces pass a length test). Refused: a repeated block of
 * up to half the length, and fewer than 8 different characters.
 */
export function isTriviallyRepetitive(secret: string): boolean {
  if (new Set(secret).size < 8) return true;
  for (let period = 1; period <= secret.length / 2; period++) {
    if (secret === secret.slice(0, period).repeat(Math.ceil(secret.length / period)).slice(0, secret.length)) return true;
  }
  return false;
}

const cookieSecret = z
  .string()
  .refine((value) => Buffer.byteLength(value, 'utf8') >= 32, { message: 'must be at least 32 bytes (e.g. `openssl rand -base64 48`)', abort: true })
  .refine((value) => !isTriviallyRepetitive(value), 'must be random, not a repeated character or pattern (e.g. `openssl rand -base64 48`)');

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** "30/15m": at most 30 in any 15-minute window (units s, m, h). */
const limitSpec = z
  .string()
  .trim()
  .regex(/^\d+\/\d+[smh]$/, 'must be COUNT/WINDOW with the window in s, m or h, e.g. "30/15m"')
  .transform((value) => {
    const [count, window] = value.split('/') as [string, string];
    const unit = { s: 1, m: 60, h: 3600 }[window.slice(-1) as 's' | 'm' | 'h'];
    return { points: Number(count), durationSeconds: Number(window.slice(0, -1)) * unit };
  })
  .refine((spec) => spec.points >= 1 && spec.durationSeconds >= 1, 'count and window must both be at least 1');

const originList = z
  .string()
  .transform((value) => value.split(',').map((part) => part.trim()).filter(Boolean))
  .pipe(z.array(httpUrl.transform((value) => new URL(value).origin)));

/** Everything read from the environment, before derived values are computed. */
const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  OKTA_ORG_URL: oktaOrgUrl.optional(),
  OKTA_API_TOKEN: z.string().trim().min(1).optional(),
  /** classic: /api/v1/authn; idx: Identity Engine (IDX); auto: ask the org once at start-up. */
  OKTA_ENGINE: z.enum(['classic', 'idx', 'auto']).default('auto'),
  /** Identity Engine: the OIDC app with the Interaction Code grant that recovery runs as. */
  OKTA_CLIENT_ID: z.string().trim().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be an Okta client id (letters, digits, "_" and "-")').optional(),
  /** Identity Engine, confidential (web) app only; never logged. */
  OKTA_CLIENT_SECRET: z.string().trim().min(1).optional(),
  /** Identity Engine: the authorization server; default the org's own (issuer = OKTA_ORG_URL). */
  OKTA_ISSUER: httpUrl.optional(),
  OKTA_TIMEOUT_MS: z.coerce.number().int().min(100).max(10_000).default(10_000),
  /** Upper bound on concurrent (keep-alive) connections to Okta from one instance. */
  OKTA_MAX_SOCKETS: z.coerce.number().int().min(1).max(1024).default(64),
  PUBLIC_URL: httpUrl.optional(),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  /** Unset: 0.0.0.0, except in demo mode, which listens on loopback only (/dev/mailbox holds every reset link). */
  HOST: z.string().trim().min(1).optional(),
  /** Idle keep-alive connections live this long; above the load balancer's idle timeout (ALB: 60 s). */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(65_000),
  /** Requests worked on at once (web/admission.ts); the rest wait their turn. Unset: OKTA_MAX_SOCKETS; 0: no limit. */
  MAX_CONCURRENT_REQUESTS: z.coerce.number().int().min(0).max(100_000).optional(),
  COOKIE_SECRET: cookieSecret.optional(),
  /** The secret COOKIE_SECRET replaced: flows sealed under it still open (flow-cookie.ts); new ones use COOKIE_SECRET. */
  COOKIE_SECRET_PREVIOUS: cookieSecret.optional(),
  SUCCESS_REDIRECT_URL: httpUrl.optional(),
  /** Where "Back to sign in" leads from every page; the success redirect unless set. */
  SIGN_IN_URL: httpUrl.optional(),
  ALLOWED_REDIRECT_ORIGINS: originList.default([]),
  TRUST_PROXY: booleanFlag.default(false),
  /** Proxies in front of us that append to X-Forwarded-For; the client is the address that many from the right. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(1).max(10).default(1),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /**
   * The languages the org offers (those whose Okta email templates it has edited): the switcher
   * and negotiation keep to them. Unset: all of ours.
   */
  LANGUAGES: z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (!value) return null;
      const known = readdirSync(messagesDir).filter((file) => file.endsWith('.json')).map((file) => file.slice(0, -'.json'.length));
      const wanted = value.split(',').map((code) => code.trim()).filter(Boolean);
      const unknown = wanted.filter((code) => !known.includes(code));
      if (wanted.length === 0 || unknown.length > 0) {
        ctx.addIssue({ code: 'custom', message: `comma-separated language codes from ${known.join(', ')}${unknown.length > 0 ? `; not known: ${unknown.join(', ')}` : ''}` });
        return z.NEVER;
      }
      return [...new Set(wanted)];
    }),
  BRAND_NAME: z.string().trim().min(1).max(100).default('Acme'),
  /** Served to pages and emails as-is; an https URL (or a path on PUBLIC_URL) the CSP must allow. */
  BRAND_LOGO_URL: httpUrl.optional(),
  /** The tab's icon; our own neutral one unless set (browsers otherwise ask for a /favicon.ico that 404s). */
  BRAND_FAVICON_URL: httpUrl.optional(),
  /** Footer links on every page, as a corporate sign-in page has them. */
  PRIVACY_URL: httpUrl.optional(),
  HELP_URL: httpUrl.optional(),
  BRAND_PRIMARY_COLOR: z
    .string()
    .trim()
    .regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour')
    .default('#1d4ed8'),
  SUPPORT_CONTACT: z.string().trim().max(200).optional(),
  /** Serve /metrics on this separate port (0 = any free port, for tests). */
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** Serve /metrics on the main port to `Authorization: Bearer <token>` (also required on METRICS_PORT when set). */
  METRICS_TOKEN: z.string().trim().min(16, 'must be at least 16 characters').optional(),
  /** How long shutdown waits for in-flight requests, and for each closer (mail drain, Redis, SMTP). */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  EMAIL_DELIVERY: z.enum(['okta', 'service']).default('okta'),
  /**
   * How long the org's recovery links live: the password policy's recovery token lifetime, which
   * an anonymous caller cannot read from Okta. Okta's default is 1 hour; "check your email" says it.
   */
  RESET_LINK_LIFETIME_MINUTES: z.coerce.number().int().min(1).max(43_200).default(60),
  /** May carry SMTP credentials (smtp://user:pass@host:587): never logged. */
  SMTP_URL: z
    .string()
    .trim()
    .refine((value) => ['smtp:', 'smtps:'].includes(parsedUrl(value)?.protocol ?? ''), 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** An address on a domain whose SPF/DKIM/DMARC cover the SMTP server, e.g. "Acme <no-reply@acme.com>". */
  MAIL_FROM: z
    .string()
    .trim()
    .max(320)
    .regex(/^(?:[^<>\r\n]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, 'must be an address, optionally with a name: "Acme <no-reply@acme.com>"')
    .optional(),
  MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  MAIL_RETRY_BASE_MS: z.coerce.number().int().min(1).max(600_000).default(2000),
  /** SMTP connections kept open and reused, and emails sent at once; a relay's per-client connection cap bounds it. */
  MAIL_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Shared counters for the abuse limits and the Okta budget; without it each instance counts alone. */
  REDIS_URL: z
    .string()
    .trim()
    .refine((value) => ['redis:', 'rediss:'].includes(parsedUrl(value)?.protocol ?? ''), 'must be a redis:// or rediss:// URL')
    .optional(),
  /** Keeps this service's keys apart from anything else in the same Redis. */
  REDIS_KEY_PREFIX: z.string().trim().regex(/^[A-Za-z0-9:_-]{1,64}$/, 'letters, digits, ":", "_" and "-" only').default('okta-recovery'),
  /** open: Redis down → each instance counts in its own memory (with a warning); closed: → 503. */
  REDIS_FAILURE_MODE: z.enum(['open', 'closed']).default('open'),
  RATE_LIMIT_START_PER_USERNAME: limitSpec.default({ points: 5, durationSeconds: 3600 }),
  RATE_LIMIT_START_PER_IP: limitSpec.default({ points: 30, durationSeconds: 900 }),
  /** Link verifications that fail (token guessing); a verification that succeeds is not counted. */
  RATE_LIMIT_VERIFY_PER_IP: limitSpec.default({ points: 20, durationSeconds: 900 }),
  /**
   * Wrong answers to the recovery question per emailed link, counted on the server. Below Okta's
   * own lockout (5 consecutive wrong answers by default), so "this link is spent, ask for another"
   * comes before Okta locks the account, which no new link can undo.
   */
  MAX_WRONG_ANSWERS: z.coerce.number().int().min(1).max(100).default(3),
  /**
   * How users may receive their recovery proof: the factors the org's password policy enables for
   * recovery. Okta does not tell an anonymous caller which those are, so the operator says so.
   */
  RECOVERY_METHODS: z
    .string()
    .transform((value) => [...new Set(value.split(',').map((part) => part.trim().toLowerCase()).filter(Boolean))])
    .pipe(z.array(z.enum(['email', 'sms', 'call'], { message: 'each method must be email, sms or call' })).min(1, 'name at least one of email, sms, call'))
    // Unset: email, or every method in Classic demo mode (demoDefaults).
    .optional(),
  /**
   * Self-service unlock as the org's password policy allows it: off (empty, the default), or by
   * email and/or SMS (contract §5: Okta unlocks by EMAIL or SMS, never by CALL).
   */
  SELF_SERVICE_UNLOCK: z
    .string()
    .transform((value) => [...new Set(value.split(',').map((part) => part.trim().toLowerCase()).filter((part) => part !== '' && part !== 'off'))])
    .pipe(z.array(z.enum(['email', 'sms'], { message: 'must be off, email, sms or email,sms' })))
    // Unset: off, or email and SMS in Classic demo mode (demoDefaults).
    .optional(),
  /** Okta calls per minute, all instances together; beyond it, start requests get 429. */
  OKTA_CALL_BUDGET_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(300),
  /** Share of OKTA_CALL_BUDGET_PER_MINUTE that failed link verifications (all clients together) may take. */
  OKTA_CALL_BUDGET_VERIFY_SHARE: z.coerce.number().min(0.01).max(1).default(0.33),
  /** Without Redis: most limiter keys held in memory, all limits together (about 0.2 KB each). */
  RATE_LIMIT_MEMORY_MAX_KEYS: z.coerce.number().int().min(100).max(10_000_000).default(100_000),
  /** When Okta's X-Rate-Limit-Remaining falls to this, start requests wait for its window to reset. */
  OKTA_RATE_LIMIT_RESERVE: z.coerce.number().int().min(0).max(1_000_000).default(100),
});

export type LogLevel = (typeof LOG_LEVELS)[number];

export type OktaEngineChoice = 'classic' | 'idx' | 'auto';

/** How a recovery proof reaches the user: Okta's recovery factors (contract §1.1). */
export type RecoveryMethod = 'email' | 'sms' | 'call';
const METHOD_ORDER: readonly RecoveryMethod[] = ['email', 'sms', 'call'];
/** Okta's self-service unlock factors (contract §5). */
export type UnlockMethod = 'email' | 'sms';

/** The client the built-in emulator registers for this service (docs/idx-emulator.md): demo mode's default. */
export const EMULATOR_CLIENT_ID = '0oa1recoveryemulator';

/** At most `points` events in any window of `durationSeconds`. */
export interface LimitSpec {
  readonly points: number;
  readonly durationSeconds: number;
}

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  /** No OKTA_ORG_URL outside production: run against the built-in Okta emulator. */
  readonly demoMode: boolean;
  readonly okta: {
    /** null until demo mode has started the emulator (see withOktaOrgUrl). */
    readonly orgUrl: string | null;
    readonly apiToken: string | undefined;
    readonly timeoutMs: number;
    readonly maxSockets: number;
    /** auto until start-up has read the org's pipeline (server.ts, withEngine). */
    readonly engine: OktaEngineChoice;
    /** Identity Engine settings; clientId is checked once the engine is known to be idx. */
    readonly idx: {
      readonly clientId: string | undefined;
      readonly clientSecret: string | undefined;
      /** Path of the authorization server on the org URL: "oauth2" (org AS) or "oauth2/{id}". */
      readonly authServerPath: string;
      /** The app's Sign-in redirect URI, `${PUBLIC_URL}/reset-password/callback` (never visited in recovery). */
      readonly redirectUri: string;
      /** Where magic links land: the app's Email Verification Experience callback. */
      readonly emailVerifyUri: string;
    };
  };
  readonly publicUrl: string;
  readonly publicOrigin: string;
  /** Cookies get `Secure` and HSTS is sent only when the public URL is https. */
  readonly secureCookies: boolean;
  readonly http: { readonly host: string; /** HOST was set, not defaulted. */ readonly hostIsExplicit: boolean; readonly port: number; readonly trustProxy: boolean; readonly trustProxyHops: number; readonly keepAliveTimeoutMs: number; /** 0: no limit. */ readonly maxConcurrentRequests: number };
  readonly cookieSecret: string;
  /** True when COOKIE_SECRET was not given and one was generated for this process only. */
  readonly cookieSecretIsEphemeral: boolean;
  /** COOKIE_SECRET_PREVIOUS: opens flows and queued mail jobs sealed before a rotation, never seals. */
  readonly cookieSecretPrevious: string | undefined;
  readonly successRedirectUrl: string;
  /** LANGUAGES: the languages pages may be shown in; null: every catalogue. */
  readonly languages: readonly string[] | null;
  /** "Back to sign in" on every page: SIGN_IN_URL, else the success redirect. */
  readonly signInUrl: string;
  /** Origins a relayState may send the user to; PUBLIC_URL's and SUCCESS_REDIRECT_URL's are always in. */
  readonly allowedRedirectOrigins: readonly string[];
  readonly logLevel: LogLevel;
  readonly brand: {
    readonly name: string;
    readonly logoUrl: string | undefined;
    readonly faviconUrl: string | undefined;
    readonly privacyUrl: string | undefined;
    readonly helpUrl: string | undefined;
    readonly primaryColor: string;
    readonly supportContact: string | undefined;
  };
  /** Neither set: metrics are collected but not served. */
  readonly metrics: { readonly port: number | undefined; readonly token: string | undefined };
  readonly shutdownTimeoutMs: number;
  readonly limits: {
    readonly startPerUsername: LimitSpec;
    readonly startPerIp: LimitSpec;
    readonly verifyFailuresPerIp: LimitSpec;
    readonly maxWrongAnswers: number;
    readonly oktaCallsPerMinute: number;
    /** Failed verifications a minute, all clients together: OKTA_CALL_BUDGET_VERIFY_SHARE of the budget. */
    readonly failedVerifiesPerMinute: number;
    readonly oktaRateLimitReserve: number;
    readonly memoryMaxKeys: number;
  };
  /** RECOVERY_METHODS, in the order the forgot-password page offers them; email first when enabled. */
  readonly recoveryMethods: readonly RecoveryMethod[];
  /** SELF_SERVICE_UNLOCK: how a locked-out user may unlock themselves; empty: not offered. */
  readonly unlockMethods: readonly UnlockMethod[];
  /** null: counters live in this process's memory. */
  readonly redis: { readonly url: string; readonly keyPrefix: string; readonly failureMode: 'open' | 'closed' } | null;
  /** RESET_LINK_LIFETIME_MINUTES: how long "check your email" says a recovery link lives. */
  readonly resetLinkLifetimeMinutes: number;
  readonly email: {
    /** okta: Okta sends the recovery email; service: we ask for the token and send our own. */
    readonly delivery: 'okta' | 'service';
    /** null: no SMTP_URL, so this service sends no email at all (not even the password-changed notice). */
    readonly smtp: {
      readonly url: string;
      readonly from: string;
      readonly maxAttempts: number;
      readonly retryBaseMs: number;
      /** Pooled SMTP connections, and emails in flight at once (MAIL_CONCURRENCY). */
      readonly concurrency: number;
    } | null;
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Example values for numeric variables that have no default to show instead. */
const EXAMPLES: Partial<Record<string, string>> = { METRICS_PORT: '9464' };

/** The schema under .default()/.optional() and, for flags like TRUST_PROXY, the enum before its transform. */
function innerSchema(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) return innerSchema(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodPipe) return innerSchema(schema.in as z.ZodType);
  return schema;
}

/**
 * zod's own words ("Invalid input: expected number, received NaN") name neither the variable nor
 * what would do; operators read this at 3 a.m. For numbers and fixed choices, say both, with an
 * example. The value is echoed only for these kinds, which are never secrets.
 */
function describeVariable(name: string, where: string, message: string, value: string | undefined): string {
  const schema = (environmentSchema.shape as Record<string, z.ZodType | undefined>)[name];
  const inner = schema ? innerSchema(schema) : undefined;
  const fallback = schema instanceof z.ZodDefault ? String(schema.def.defaultValue) : undefined;
  const got = value === undefined ? '' : `; got ${JSON.stringify(value.slice(0, 40))}`;
  if (inner instanceof z.ZodNumber) {
    const kind = inner.isInt ? 'a whole number' : 'a number';
    const range = inner.minValue !== null && inner.maxValue !== null ? ` from ${inner.minValue} to ${inner.maxValue}` : '';
    const example = fallback ?? EXAMPLES[name] ?? String(inner.minValue ?? 1);
    return `${name} must be ${kind}${range}, e.g. ${name}=${example}${got}.`;
  }
  if (inner instanceof z.ZodEnum) {
    const choices = inner.options.map(String);
    const example = fallback ?? choices[0];
    return `${name} must be one of ${choices.join(', ')}, e.g. ${name}=${example}${got}.`;
  }
  return `${where}: ${message}`;
}

function describeIssues(error: z.ZodError, environment: Record<string, string | undefined>): string {
  const lines = error.issues.map((issue) => {
    const name = issue.path[0];
    const where = issue.path.join('.') || '(environment)';
    return typeof name === 'string' ? describeVariable(name, where, issue.message, environment[name]) : `${where}: ${issue.message}`;
  });
  return [...new Set(lines)].join('\n');
}

/** Reads and validates the environment once. Throws ConfigError naming every variable at fault. */
export function loadConfig(environment: Record<string, string | undefined>): Config {
  // Empty strings count as unset: `.env` files and CI systems often export VAR= for "nothing".
  const present = Object.fromEntries(
    Object.entries(environment).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) throw new ConfigError(`Invalid configuration:\n${describeIssues(parsed.error, present)}`);
  const env = { ...parsed.data, ...demoDefaults(parsed.data) };
  const production = env.NODE_ENV === 'production';

  const problems: string[] = [];
  if (production && !env.OKTA_ORG_URL) {
    problems.push('OKTA_ORG_URL: required in production (demo mode with the built-in emulator is for development only)');
  }
  if (production && !env.COOKIE_SECRET) {
    problems.push('COOKIE_SECRET: required in production (at least 32 random bytes, shared by every instance)');
  }
  if (env.COOKIE_SECRET_PREVIOUS && !env.COOKIE_SECRET) {
    problems.push('COOKIE_SECRET_PREVIOUS: only with COOKIE_SECRET (the previous secret opens flows sealed before a rotation to COOKIE_SECRET)');
  }
  if (production && !env.PUBLIC_URL) {
    problems.push('PUBLIC_URL: required in production (the external https URL users see)');
  }
  // Over http on a public host, cookies lose Secure and __Host- and no HSTS is sent: a user on a
  // hostile network would hand over the sealed flow. Loopback is allowed (a local smoke test, the benchmark).
  if (production && env.PUBLIC_URL && new URL(env.PUBLIC_URL).protocol !== 'https:' && !isLoopbackHost(new URL(env.PUBLIC_URL).hostname)) {
    problems.push('PUBLIC_URL: must be https in production (plain http only on a loopback host)');
  }
  if (env.METRICS_PORT !== undefined && env.METRICS_PORT !== 0 && env.METRICS_PORT === env.PORT) {
    problems.push('METRICS_PORT: must differ from PORT (use METRICS_TOKEN to serve /metrics on the main port)');
  }
  // Service delivery needs the token to ask Okta for a recovery token (Classic: the trusted authn
  // call; Identity Engine: the Users API, idx contract §3.3), and SMTP to deliver it.
  if (env.EMAIL_DELIVERY === 'service') {
    if (!env.OKTA_API_TOKEN) {
      problems.push('OKTA_API_TOKEN: required when EMAIL_DELIVERY=service, with either engine (an admin token allowed to manage users: it asks Okta for the recovery token that our email carries)');
    }
    if (!env.SMTP_URL) problems.push('SMTP_URL: required when EMAIL_DELIVERY=service (e.g. smtp://user:pass@smtp.acme.com:587)');
  }
  if (env.OKTA_ISSUER && authServerPathOf(env.OKTA_ISSUER, env.OKTA_ORG_URL) === null) {
    problems.push('OKTA_ISSUER: must be OKTA_ORG_URL itself (the org authorization server) or OKTA_ORG_URL/oauth2/{authorization server id}');
  }
  if ((env.EMAIL_DELIVERY === 'service' || env.SMTP_URL) && !env.MAIL_FROM) {
    problems.push('MAIL_FROM: required when EMAIL_DELIVERY=service or SMTP_URL is set (e.g. "Acme <no-reply@acme.com>")');
  }
  if (env.OKTA_ENGINE === 'idx') problems.push(...engineProblems('idx', env.OKTA_CLIENT_ID ?? (env.OKTA_ORG_URL ? undefined : EMULATOR_CLIENT_ID), env.RECOVERY_METHODS, env.SELF_SERVICE_UNLOCK));
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);

  const publicUrl = publicUrlOf(env);
  const publicOrigin = new URL(publicUrl).origin;
  const successRedirectUrl = env.SUCCESS_REDIRECT_URL ?? env.OKTA_ORG_URL ?? `${publicUrl}/`;
  const allowedRedirectOrigins = [
    ...new Set([publicOrigin, new URL(successRedirectUrl).origin, ...env.ALLOWED_REDIRECT_ORIGINS]),
  ];

  return deepFreeze({
    env: env.NODE_ENV,
    demoMode: !env.OKTA_ORG_URL,
    okta: {
      orgUrl: env.OKTA_ORG_URL ? env.OKTA_ORG_URL.replace(/\/+$/, '') : null,
      apiToken: env.OKTA_API_TOKEN,
      timeoutMs: env.OKTA_TIMEOUT_MS,
      maxSockets: env.OKTA_MAX_SOCKETS,
      engine: env.OKTA_ENGINE,
      idx: {
        // Demo mode runs against the built-in emulator, whose client is registered for us.
        clientId: env.OKTA_CLIENT_ID ?? (env.OKTA_ORG_URL ? undefined : EMULATOR_CLIENT_ID),
        clientSecret: env.OKTA_CLIENT_SECRET,
        authServerPath: (env.OKTA_ISSUER && authServerPathOf(env.OKTA_ISSUER, env.OKTA_ORG_URL)) || 'oauth2',
        redirectUri: `${publicUrlOf(env)}/reset-password/callback`,
        emailVerifyUri: `${publicUrlOf(env)}/reset-password/verify-email`,
      },
    },
    publicUrl,
    publicOrigin,
    secureCookies: new URL(publicUrl).protocol === 'https:',
    // Demo mode's /dev/mailbox shows every demo user's reset links: on the network only when asked.
    http: { host: env.HOST ?? (env.OKTA_ORG_URL ? '0.0.0.0' : '127.0.0.1'), hostIsExplicit: env.HOST !== undefined, port: env.PORT, trustProxy: env.TRUST_PROXY, trustProxyHops: env.TRUST_PROXY_HOPS, keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS, maxConcurrentRequests: env.MAX_CONCURRENT_REQUESTS ?? env.OKTA_MAX_SOCKETS },
    cookieSecret: env.COOKIE_SECRET ?? randomBytes(32).toString('base64url'),
    cookieSecretIsEphemeral: !env.COOKIE_SECRET,
    cookieSecretPrevious: env.COOKIE_SECRET_PREVIOUS,
    successRedirectUrl,
    signInUrl: env.SIGN_IN_URL ?? successRedirectUrl,
    languages: env.LANGUAGES,
    allowedRedirectOrigins,
    logLevel: env.LOG_LEVEL,
    brand: { name: env.BRAND_NAME, logoUrl: env.BRAND_LOGO_URL, faviconUrl: env.BRAND_FAVICON_URL, privacyUrl: env.PRIVACY_URL, helpUrl: env.HELP_URL, primaryColor: env.BRAND_PRIMARY_COLOR, supportContact: env.SUPPORT_CONTACT },
    metrics: { port: env.METRICS_PORT, token: env.METRICS_TOKEN },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    limits: {
      startPerUsername: env.RATE_LIMIT_START_PER_USERNAME,
      startPerIp: env.RATE_LIMIT_START_PER_IP,
      verifyFailuresPerIp: env.RATE_LIMIT_VERIFY_PER_IP,
      maxWrongAnswers: env.MAX_WRONG_ANSWERS,
      oktaCallsPerMinute: env.OKTA_CALL_BUDGET_PER_MINUTE,
      failedVerifiesPerMinute: Math.max(1, Math.floor(env.OKTA_CALL_BUDGET_PER_MINUTE * env.OKTA_CALL_BUDGET_VERIFY_SHARE)),
      oktaRateLimitReserve: env.OKTA_RATE_LIMIT_RESERVE,
      memoryMaxKeys: env.RATE_LIMIT_MEMORY_MAX_KEYS,
    },
    recoveryMethods: METHOD_ORDER.filter((method) => env.RECOVERY_METHODS.includes(method)),
    unlockMethods: (['email', 'sms'] as const).filter((method) => env.SELF_SERVICE_UNLOCK.includes(method)),
    redis: env.REDIS_URL ? { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX, failureMode: env.REDIS_FAILURE_MODE } : null,
    resetLinkLifetimeMinutes: env.RESET_LINK_LIFETIME_MINUTES,
    email: {
      delivery: env.EMAIL_DELIVERY,
      smtp:
        env.SMTP_URL && env.MAIL_FROM
          ? { url: env.SMTP_URL, from: env.MAIL_FROM, maxAttempts: env.MAIL_MAX_ATTEMPTS, retryBaseMs: env.MAIL_RETRY_BASE_MS, concurrency: env.MAIL_CONCURRENCY }
          : null,
    },
  });
}

/**
 * RECOVERY_METHODS and SELF_SERVICE_UNLOCK when unset. Demo mode plays a Classic org (unless
 * OKTA_ENGINE=idx) whose seed users include one with a phone and one locked out (issue 12), so a
 * newcomer's `npm start` offers every path: text, voice call and unlock too. A real org gets
 * email only and no unlock, because Okta does not tell us which factors its policy enables.
 * Identity Engine demo keeps those defaults: SMS, call and unlock are Classic only (engineProblems).
 */
function demoDefaults(env: { OKTA_ORG_URL?: string | undefined; OKTA_ENGINE: OktaEngineChoice; RECOVERY_METHODS?: string[] | undefined; SELF_SERVICE_UNLOCK?: string[] | undefined }): {
  RECOVERY_METHODS: string[];
  SELF_SERVICE_UNLOCK: string[];
} {
  const classicDemo = !env.OKTA_ORG_URL && env.OKTA_ENGINE !== 'idx';
  return {
    RECOVERY_METHODS: env.RECOVERY_METHODS ?? (classicDemo ? ['email', 'sms', 'call'] : ['email']),
    SELF_SERVICE_UNLOCK: env.SELF_SERVICE_UNLOCK ?? (classicDemo ? ['email', 'sms'] : []),
  };
}

function publicUrlOf(env: { PUBLIC_URL?: string | undefined; PORT: number }): string {
  return (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
}

/**
 * The authorization server's path on the org: "oauth2" for the org AS (issuer = the org URL
 * itself), "oauth2/{id}" for a custom one (IDX contract §1.1). null: not an issuer of this org.
 */
function authServerPathOf(issuer: string, orgUrl: string | undefined): string | null {
  const url = new URL(issuer);
  if (orgUrl && url.origin !== new URL(orgUrl).origin) return null;
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '') return 'oauth2';
  const custom = /^\/oauth2\/([A-Za-z0-9_-]{1,64})$/.exec(path);
  return custom ? `oauth2/${custom[1]}` : null;
}

/** What the Identity Engine needs of the rest of the configuration, explicit or found by auto. */
function engineProblems(engine: 'classic' | 'idx', clientId: string | undefined, methods: readonly string[], unlock: readonly string[]): string[] {
  if (engine === 'classic') return [];
  // Both deliveries run recovery as the OIDC app: service delivery's link starts IDX at interact.
  const problems: string[] = [];
  if (methods.some((method) => method !== 'email')) {
    // Identity Engine recovery by phone is a different remediation (IDX contract), not built here.
    problems.push('RECOVERY_METHODS: sms and call are available with the Classic Engine only (set RECOVERY_METHODS=email for an Identity Engine org)');
  }
  if (unlock.length > 0) {
    problems.push('SELF_SERVICE_UNLOCK: self-service unlock is available with the Classic Engine only (leave it unset for an Identity Engine org)');
  }
  if (!clientId) {
    problems.push('OKTA_CLIENT_ID: required for an Identity Engine org (OKTA_ENGINE=idx or found by auto): the client id of an OIDC app with the Interaction Code grant');
  }
  return problems;
}

/**
 * OKTA_ENGINE=auto has been decided (server.ts read the org's pipeline): the config names the
 * engine, and start-up stops here, naming the variable, when the rest does not fit it.
 */
export function withEngine(config: Config, engine: 'classic' | 'idx'): Config {
  const problems = engineProblems(engine, config.okta.idx.clientId, config.recoveryMethods, config.unlockMethods);
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  return deepFreeze({ ...config, okta: { ...config.okta, engine } });
}

/** Demo mode learns the emulator's URL only once it has started; the config stays immutable. */
export function withOktaOrgUrl(config: Config, orgUrl: string): Config {
  return deepFreeze({ ...config, okta: { ...config.okta, orgUrl } });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
