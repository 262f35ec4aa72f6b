/** Configuration is validated once at start-up, and a bad value names its variable. */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config.js';
import { configErrorFor } from '../helpers/config-error.js';

const SECRET = 'kq3Vt9-rZ1wLx8bN0yPe5uHs2dGc7mJa';

const errorFor = configErrorFor;

describe('loadConfig', () => {
  it('runs in demo mode with no configuration outside production', () => {
    const config = loadConfig({});
    expect(config.demoMode).toBe(true);
    expect(config.okta.orgUrl).toBeNull();
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.cookieSecretIsEphemeral).toBe(true);
    expect(Object.isFrozen(config) && Object.isFrozen(config.okta)).toBe(true);
  });

  it('refuses production without an Okta org, a cookie secret and a public URL, naming each', () => {
    const message = errorFor({ NODE_ENV: 'production' });
    expect(message).toContain('OKTA_ORG_URL');
    expect(message).toContain('COOKIE_SECRET');
    expect(message).toContain('PUBLIC_URL');
  });

  it.each([
    [{ OKTA_ORG_URL: 'http://acme.okta.com' }, 'OKTA_ORG_URL: must use https unless the host is loopback'],
    [{ OKTA_ORG_URL: 'not a url' }, 'OKTA_ORG_URL'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ COOKIE_SECRET: 'short' }, 'COOKIE_SECRET: must be at least 32 bytes'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY_HOPS: '0' }, 'TRUST_PROXY_HOPS'],
    [{ HTTP_KEEP_ALIVE_TIMEOUT_MS: '10' }, 'HTTP_KEEP_ALIVE_TIMEOUT_MS'],
    [{ ALLOWED_REDIRECT_ORIGINS: 'https://ok.example, javascript:alert(1)' }, 'ALLOWED_REDIRECT_ORIGINS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ RESET_LINK_LIFETIME_MINUTES: '0' }, 'RESET_LINK_LIFETIME_MINUTES'],
    [{ RESET_LINK_LIFETIME_MINUTES: 'an hour' }, 'RESET_LINK_LIFETIME_MINUTES'],
    [{ RATE_LIMIT_START_PER_IP: '30 per 15 minutes' }, 'RATE_LIMIT_START_PER_IP: must be COUNT/WINDOW'],
    [{ RATE_LIMIT_START_PER_USERNAME: '0/1h' }, 'RATE_LIMIT_START_PER_USERNAME: count and window must both be at least 1'],
    [{ RATE_LIMIT_VERIFY_PER_IP: '20/15d' }, 'RATE_LIMIT_VERIFY_PER_IP'],
    [{ REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL: must be a redis:// or rediss:// URL'],
    [{ REDIS_FAILURE_MODE: 'maybe' }, 'REDIS_FAILURE_MODE'],
    [{ REDIS_KEY_PREFIX: 'has spaces' }, 'REDIS_KEY_PREFIX'],
    [{ OKTA_CALL_BUDGET_PER_MINUTE: '0' }, 'OKTA_CALL_BUDGET_PER_MINUTE'],
    [{ MAX_WRONG_ANSWERS: 'five' }, 'MAX_WRONG_ANSWERS'],
    [{ SIGN_IN_URL: 'not a url' }, 'SIGN_IN_URL'],
    [{ LANGUAGES: 'en,xx' }, 'LANGUAGES'],
    [{ BRAND_FAVICON_URL: 'favicon.ico' }, 'BRAND_FAVICON_URL'],
    [{ PRIVACY_URL: 'privacy' }, 'PRIVACY_URL'],
    [{ HELP_URL: 'javascript:alert(1)' }, 'HELP_URL'],
    [{ LANGUAGES: ' , ' }, 'LANGUAGES'],
    [{ OKTA_CALL_BUDGET_VERIFY_SHARE: '2' }, 'OKTA_CALL_BUDGET_VERIFY_SHARE'],
    [{ RATE_LIMIT_MEMORY_MAX_KEYS: '10' }, 'RATE_LIMIT_MEMORY_MAX_KEYS'],
    [{ BRAND_PRIMARY_COLOR: 'red' }, 'BRAND_PRIMARY_COLOR'],
  ])('names the variable at fault: %j', (environment, expected) => {
    expect(errorFor(environment)).toContain(expected);
  });

  it('allows plain http only for a loopback Okta (the emulator)', () => {
    expect(loadConfig({ OKTA_ORG_URL: 'http://127.0.0.1:7070' }).okta.orgUrl).toBe('http://127.0.0.1:7070');
  });

  describe('configuration that looks safe but is not (issue 16, item 5)', () => {
    it.each(['http://127.0.0.1:7070', 'http://127.9.8.7', 'http://localhost:7070', 'http://[::1]:7070', 'https://acme.okta.com/'])(
      'accepts the loopback or https Okta org %s',
      (url) => {
        expect(loadConfig({ OKTA_ORG_URL: url }).okta.orgUrl).toBe(url.replace(/\/$/, ''));
      },
    );

    it.each([
      ['http://127.attacker.example', 'must use https unless the host is loopback'],
      ['http://127.0.0.1.nip.io:7070', 'must use https unless the host is loopback'],
      ['http://localhost.attacker.example', 'must use https unless the host is loopback'],
      ['https://admin:hunter2@acme.okta.com', "must be the org's origin only"],
      ['https://acme.okta.com/oauth2/default', "must be the org's origin only"],
      ['https://acme.okta.com/?x=1', "must be the org's origin only"],
    ])('refuses OKTA_ORG_URL=%s', (url, expected) => {
      expect(errorFor({ OKTA_ORG_URL: url })).toContain(`OKTA_ORG_URL: ${expected}`);
    });

    const production = { NODE_ENV: 'production', OKTA_ORG_URL: 'https://acme.okta.com', COOKIE_SECRET: SECRET };

    it('refuses an http PUBLIC_URL on a public host in production, and allows it on loopback', () => {
      expect(errorFor({ ...production, PUBLIC_URL: 'http://account.acme.com' })).toContain('PUBLIC_URL: must be https in production');
      expect(loadConfig({ ...production, PUBLIC_URL: 'http://127.0.0.1:3000' }).secureCookies).toBe(false);
      expect(loadConfig({ ...production, PUBLIC_URL: 'https://account.acme.com' }).secureCookies).toBe(true);
      // Outside production an http public host is a developer's choice.
      expect(loadConfig({ PUBLIC_URL: 'http://account.acme.test' }).publicUrl).toBe('http://account.acme.test');
    });

    it.each([' '.repeat(32), 'x'.repeat(40), 'ab'.repeat(20), '0123456789'.repeat(4), 'aAbBcC1!'.repeat(5)])(
      'refuses the trivially repetitive COOKIE_SECRET %j',
      (secret) => {
        expect(errorFor({ COOKIE_SECRET: secret })).toContain('COOKIE_SECRET: must be random');
      },
    );

    it('accepts a generated COOKIE_SECRET (base64 or hex of 32+ random bytes)', () => {
      for (const secret of [randomBytes(48).toString('base64'), randomBytes(32).toString('hex'), randomBytes(32).toString('base64url')]) {
        expect(loadConfig({ COOKIE_SECRET: secret }).cookieSecret).toBe(secret);
      }
    });

    it('takes COOKIE_SECRET_PREVIOUS by the same rules, and only beside COOKIE_SECRET', () => {
      const previous = randomBytes(32).toString('base64url');
      expect(loadConfig({ COOKIE_SECRET: SECRET, COOKIE_SECRET_PREVIOUS: previous }).cookieSecretPrevious).toBe(previous);
      expect(loadConfig({ COOKIE_SECRET: SECRET }).cookieSecretPrevious).toBeUndefined();
      expect(errorFor({ COOKIE_SECRET: SECRET, COOKIE_SECRET_PREVIOUS: 'short' })).toContain('COOKIE_SECRET_PREVIOUS: must be at least 32 bytes');
      expect(errorFor({ COOKIE_SECRET: SECRET, COOKIE_SECRET_PREVIOUS: 'x'.repeat(40) })).toContain('COOKIE_SECRET_PREVIOUS: must be random');
      expect(errorFor({ COOKIE_SECRET_PREVIOUS: previous })).toContain('COOKIE_SECRET_PREVIOUS: only with COOKIE_SECRET');
    });
  });

  it('derives cookie security, allowed redirect origins and the default success redirect', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      OKTA_ORG_URL: 'https://acme.okta.com/',
      COOKIE_SECRET: SECRET,
      PUBLIC_URL: 'https://account.acme.com/',
      ALLOWED_REDIRECT_ORIGINS: 'https://intranet.acme.com/path, https://hr.acme.com',
    });
    expect(config.demoMode).toBe(false);
    expect(config.secureCookies).toBe(true);
    expect(config.publicUrl).toBe('https://account.acme.com');
    expect(config.successRedirectUrl).toBe('https://acme.okta.com/');
    expect(config.allowedRedirectOrigins).toEqual(['https://account.acme.com', 'https://acme.okta.com', 'https://intranet.acme.com', 'https://hr.acme.com']);
  });

  it('reads LANGUAGES as a list of our languages, every one by default', () => {
    expect(loadConfig({}).languages).toBeNull();
    expect(loadConfig({ LANGUAGES: 'de, ja,de' }).languages).toEqual(['de', 'ja']);
  });

  it('reads the abuse limits and Redis, with the documented defaults', () => {
    const defaults = loadConfig({});
    expect(defaults.limits).toEqual({
      startPerUsername: { points: 5, durationSeconds: 3600 },
      startPerIp: { points: 30, durationSeconds: 900 },
      verifyFailuresPerIp: { points: 20, durationSeconds: 900 },
      maxWrongAnswers: 3,
      oktaCallsPerMinute: 300,
      // A third of the budget (OKTA_CALL_BUDGET_VERIFY_SHARE 0.33), rounded down.
      failedVerifiesPerMinute: 99,
      oktaRateLimitReserve: 100,
      memoryMaxKeys: 100_000,
    });
    expect(defaults.redis).toBeNull();
    expect(loadConfig({ OKTA_CALL_BUDGET_PER_MINUTE: '10', OKTA_CALL_BUDGET_VERIFY_SHARE: '0.5' }).limits.failedVerifiesPerMinute).toBe(5);
    const configured = loadConfig({ RATE_LIMIT_START_PER_IP: '10/90s', REDIS_URL: 'rediss://cache.internal:6380', REDIS_FAILURE_MODE: 'closed' });
    expect(configured.limits.startPerIp).toEqual({ points: 10, durationSeconds: 90 });
    expect(configured.redis).toEqual({ url: 'rediss://cache.internal:6380', keyPrefix: 'okta-recovery', failureMode: 'closed' });
  });
});

describe('what a bad number or choice is told', () => {
  it.each([
    [{ PORT: 'abc' }, 'PORT must be a whole number from 0 to 65535, e.g. PORT=3000; got "abc".'],
    [{ PORT: '70000' }, 'PORT must be a whole number from 0 to 65535, e.g. PORT=3000; got "70000".'],
    [{ OKTA_TIMEOUT_MS: '2.5' }, 'OKTA_TIMEOUT_MS must be a whole number from 100 to 10000, e.g. OKTA_TIMEOUT_MS=10000; got "2.5".'],
    [{ METRICS_PORT: 'none' }, 'METRICS_PORT must be a whole number from 0 to 65535, e.g. METRICS_PORT=9464; got "none".'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, e.g. LOG_LEVEL=info; got "loud".'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY must be one of 0, 1, true, false, yes, no, e.g. TRUST_PROXY=false; got "maybe".'],
    [{ NODE_ENV: 'prod' }, 'NODE_ENV must be one of development, production, test, e.g. NODE_ENV=development; got "prod".'],
  ])('%j: a sentence naming the variable, what it takes and an example', (environment, sentence) => {
    const message = errorFor(environment);
    expect(message).toBe(`Invalid configuration:\n${sentence}`);
    expect(message).not.toContain('Invalid input');
  });

  it('says it once per variable, each bad variable on its own line', () => {
    expect(errorFor({ PORT: '-1', REDIS_FAILURE_MODE: 'shut' }).split('\n')).toEqual([
      'Invalid configuration:',
      'PORT must be a whole number from 0 to 65535, e.g. PORT=3000; got "-1".',
      'REDIS_FAILURE_MODE must be one of open, closed, e.g. REDIS_FAILURE_MODE=open; got "shut".',
    ]);
  });

  it('never echoes the value of a variable that may be a secret', () => {
    const message = errorFor({ COOKIE_SECRET: 'too-short-but-secret', SMTP_URL: 'http://user:hunter2@smtp.acme.com' });
    expect(message).toContain('COOKIE_SECRET');
    expect(message).toContain('SMTP_URL');
    expect(message).not.toMatch(/too-short-but-secret|hunter2/);
  });
});

describe('OKTA_ORG_URL', () => {
  it.each([
    ['https://acme-admin.okta.com', 'https://acme.okta.com'],
    ['https://acme-admin.okta.com/admin/dashboard', 'https://acme.okta.com'],
    ['https://dev-123456-admin.oktapreview.com', 'https://dev-123456.oktapreview.com'],
    ['https://acme-admin.okta-emea.com', 'https://acme.okta-emea.com'],
  ])('refuses the Admin Console address %s and names the org URL to use', (adminUrl, orgUrl) => {
    const message = errorFor({ OKTA_ORG_URL: adminUrl });
    expect(message).toContain('OKTA_ORG_URL:');
    expect(message).toContain(`use ${orgUrl} (without "-admin")`);
  });

  it.each(['https://acme.okta.com', 'https://login.acme-admin.com', 'https://acme-admin.example.com'])('accepts %s', (url) => {
    expect(loadConfig({ OKTA_ORG_URL: url }).okta.orgUrl).toBe(url);
  });
});
