/**
 * The environment schema: the only place that reads configuration. `loadConfig` validates once at
 * start-up, names the variable at fault, and returns one frozen object that everything else is
 * given (STYLE.md principle 8; practica's config schema, got's "validate once, freeze").
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\./.test(hostname);
}

function parsedUrl(value: string): URL | null {
  return URL.canParse(value) ? new URL(value) : null;
}

const httpUrl = z
  .string()
  .trim()
  .refine((value) => parsedUrl(value) !== null, { message: 'must be an absolute URL', abort: true })
  .refine((value) => ['http:', 'https:'].includes(parsedUrl(value)?.protocol ?? ''), { message: 'must be an http(s) URL', abort: true });

/** Okta's org URL: https required, except for a loopback emulator (plain http is fine on 127.0.0.1). */
const oktaOrgUrl = httpUrl.refine((value) => {
  const url = parsedUrl(value);
  return url !== null && (url.protocol === 'https:' || isLoopbackHost(url.hostname));
}, 'must use https unless the host is loopback');

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const originList = z
  .string()
  .transform((value) => value.split(',').map((part) => part.trim()).filter(Boolean))
  .pipe(z.array(httpUrl.transform((value) => new URL(value).origin)));

/** Everything read from the environment, before derived values are computed. */
const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  OKTA_ORG_URL: oktaOrgUrl.optional(),
  OKTA_API_TOKEN: z.string().trim().min(1).optional(),
  OKTA_TIMEOUT_MS: z.coerce.number().int().min(100).max(10_000).default(10_000),
  PUBLIC_URL: httpUrl.optional(),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  COOKIE_SECRET: z.string().min(32, 'must be at least 32 bytes').optional(),
  SUCCESS_REDIRECT_URL: httpUrl.optional(),
  ALLOWED_REDIRECT_ORIGINS: originList.default([]),
  TRUST_PROXY: booleanFlag.default(false),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  BRAND_NAME: z.string().trim().min(1).max(100).default('Acme'),
  /** Served to pages and emails as-is; an https URL (or a path on PUBLIC_URL) the CSP must allow. */
  BRAND_LOGO_URL: httpUrl.optional(),
  BRAND_PRIMARY_COLOR: z
    .string()
    .trim()
    .regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour')
    .default('#1d4ed8'),
  SUPPORT_CONTACT: z.string().trim().max(200).optional(),
  EMAIL_DELIVERY: z.enum(['okta', 'service']).default('okta'),
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
});

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  /** No OKTA_ORG_URL outside production: run against the built-in Okta emulator. */
  readonly demoMode: boolean;
  readonly okta: {
    /** null until demo mode has started the emulator (see withOktaOrgUrl). */
    readonly orgUrl: string | null;
    readonly apiToken: string | undefined;
    readonly timeoutMs: number;
  };
  readonly publicUrl: string;
  readonly publicOrigin: string;
  /** Cookies get `Secure` and HSTS is sent only when the public URL is https. */
  readonly secureCookies: boolean;
  readonly http: { readonly host: string; readonly port: number; readonly trustProxy: boolean };
  readonly cookieSecret: string;
  /** True when COOKIE_SECRET was not given and one was generated for this process only. */
  readonly cookieSecretIsEphemeral: boolean;
  readonly successRedirectUrl: string;
  /** Origins a relayState may send the user to; PUBLIC_URL's and SUCCESS_REDIRECT_URL's are always in. */
  readonly allowedRedirectOrigins: readonly string[];
  readonly logLevel: LogLevel;
  readonly brand: {
    readonly name: string;
    readonly logoUrl: string | undefined;
    readonly primaryColor: string;
    readonly supportContact: string | undefined;
  };
  readonly email: {
    /** okta: Okta sends the recovery email; service: we ask for the token and send our own. */
    readonly delivery: 'okta' | 'service';
    /** null: no SMTP_URL, so this service sends no email at all (not even the password-changed notice). */
    readonly smtp: {
      readonly url: string;
      readonly from: string;
      readonly maxAttempts: number;
      readonly retryBaseMs: number;
    } | null;
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`)
    .join('\n');
}

/** Reads and validates the environment once. Throws ConfigError naming every variable at fault. */
export function loadConfig(environment: Record<string, string | undefined>): Config {
  // Empty strings count as unset: `.env` files and CI systems often export VAR= for "nothing".
  const present = Object.fromEntries(
    Object.entries(environment).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) throw new ConfigError(`Invalid configuration:\n${describeIssues(parsed.error)}`);
  const env = parsed.data;
  const production = env.NODE_ENV === 'production';

  const problems: string[] = [];
  if (production && !env.OKTA_ORG_URL) {
    problems.push('OKTA_ORG_URL: required in production (demo mode with the built-in emulator is for development only)');
  }
  if (production && !env.COOKIE_SECRET) {
    problems.push('COOKIE_SECRET: required in production (at least 32 random bytes, shared by every instance)');
  }
  if (production && !env.PUBLIC_URL) {
    problems.push('PUBLIC_URL: required in production (the external https URL users see)');
  }
  // Service delivery needs the token to ask Okta for the recoveryToken, and SMTP to deliver it.
  if (env.EMAIL_DELIVERY === 'service') {
    if (!env.OKTA_API_TOKEN) problems.push('OKTA_API_TOKEN: required when EMAIL_DELIVERY=service (an admin token allowed to manage users)');
    if (!env.SMTP_URL) problems.push('SMTP_URL: required when EMAIL_DELIVERY=service (e.g. smtp://user:pass@smtp.acme.com:587)');
  }
  if ((env.EMAIL_DELIVERY === 'service' || env.SMTP_URL) && !env.MAIL_FROM) {
    problems.push('MAIL_FROM: required when EMAIL_DELIVERY=service or SMTP_URL is set (e.g. "Acme <no-reply@acme.com>")');
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);

  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
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
    },
    publicUrl,
    publicOrigin,
    secureCookies: new URL(publicUrl).protocol === 'https:',
    http: { host: env.HOST, port: env.PORT, trustProxy: env.TRUST_PROXY },
    cookieSecret: env.COOKIE_SECRET ?? randomBytes(32).toString('base64url'),
    cookieSecretIsEphemeral: !env.COOKIE_SECRET,
    successRedirectUrl,
    allowedRedirectOrigins,
    logLevel: env.LOG_LEVEL,
    brand: { name: env.BRAND_NAME, logoUrl: env.BRAND_LOGO_URL, primaryColor: env.BRAND_PRIMARY_COLOR, supportContact: env.SUPPORT_CONTACT },
    email: {
      delivery: env.EMAIL_DELIVERY,
      smtp:
        env.SMTP_URL && env.MAIL_FROM
          ? { url: env.SMTP_URL, from: env.MAIL_FROM, maxAttempts: env.MAIL_MAX_ATTEMPTS, retryBaseMs: env.MAIL_RETRY_BASE_MS }
          : null,
    },
  });
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
