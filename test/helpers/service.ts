/**
 * The service under test, started in this process on port 0 with its real middleware, a manual
 * clock, and every log line captured (nodejs-testing-best-practices: the API started in-process).
 */
import { Writable } from 'node:stream';
import { ManualClock } from '../../src/clock.js';
import { loadConfig, withOktaOrgUrl, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startService, type RunningService } from '../../src/server.js';
import { Browser } from './browser.js';
import { expectDocumentedAnswer } from './openapi.js';

export const TEST_COOKIE_SECRET = 'test-cookie-secret-that-is-at-least-32-bytes-long';

export interface ServiceUnderTest extends RunningService {
  readonly clock: ManualClock;
  readonly config: Config;
  /** Every log line written so far, as raw JSON text. */
  readonly logs: string[];
  /**
   * A fresh browser (empty cookie jar) whose pages come from this service's PUBLIC_URL origin; every
   * JSON API answer it gets must match docs/openapi.yaml, or the request throws.
   */
  browser(headers?: Record<string, string>): Browser;
}

export async function startTestService(
  environment: Record<string, string> = {},
  options: { oktaOrgUrl?: string; clock?: ManualClock } = {},
): Promise<ServiceUnderTest> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  const clock = options.clock ?? new ManualClock(Date.now());
  let config = loadConfig({
    NODE_ENV: 'test',
    OKTA_ORG_URL: options.oktaOrgUrl ?? 'https://acme.okta.example',
    // Named, so no start-up call asks the org (nock would refuse it); IDX suites pass idx.
    OKTA_ENGINE: 'classic',
    COOKIE_SECRET: TEST_COOKIE_SECRET,
    PUBLIC_URL: 'http://127.0.0.1:3000',
    LOG_LEVEL: 'info',
    ...environment,
  });
  if (options.oktaOrgUrl) config = withOktaOrgUrl(config, options.oktaOrgUrl);
  const logger = createLogger({ level: config.logLevel, destination: sink });
  const service = await startService(config, { clock, logger, port: 0, host: '127.0.0.1' });
  return Object.assign(service, {
    clock,
    config,
    logs,
    browser: (headers?: Record<string, string>) =>
      new Browser(service.url, { origin: config.publicOrigin, headers, check: expectDocumentedAnswer, settle: () => afterResponses(service.deps) }),
  });
}

/** Everything the service does after its responses (Okta-sent emails, IDX start walks), done. */
export async function afterResponses(deps: RunningService['deps']): Promise<void> {
  await Promise.all([deps.oktaEmails.queue.idle(), deps.engine.background?.idle()]);
}
