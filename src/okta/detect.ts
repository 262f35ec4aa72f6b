/**
 * OKTA_ENGINE=auto: ask the org once, at start-up, which engine it runs. Okta publishes it
 * without credentials at /.well-known/okta-organization (`"pipeline": "idx"` for Identity Engine,
 * `"v1"` for Classic). An answer we cannot read stops start-up: guessing would serve the wrong
 * pages to every user.
 */
import got from 'got';
import { ConfigError } from '../config.js';

export async function detectEngine(orgUrl: string, timeoutMs: number): Promise<'classic' | 'idx'> {
  const url = `${orgUrl.replace(/\/+$/, '')}/.well-known/okta-organization`;
  let pipeline: unknown;
  let problem: string;
  try {
    const response = await got(url, { timeout: { request: timeoutMs }, retry: { limit: 0 }, followRedirect: false, throwHttpErrors: false, headers: { accept: 'application/json' } });
    if (response.statusCode === 200) {
      pipeline = (JSON.parse(response.body) as { pipeline?: unknown }).pipeline;
      problem = `it answered pipeline ${JSON.stringify(pipeline ?? null)}`;
    } else problem = `it answered HTTP ${response.statusCode}`;
  } catch (error) {
    problem = error instanceof SyntaxError ? 'its answer was not JSON' : `it could not be reached (${(error as { code?: string }).code ?? 'request failed'})`;
  }
  if (pipeline === 'idx') return 'idx';
  if (pipeline === 'v1') return 'classic';
  throw new ConfigError(
    `Invalid configuration:\nOKTA_ENGINE: auto could not read the org's engine from ${url}: ${problem}. Set OKTA_ENGINE=classic or OKTA_ENGINE=idx`,
  );
}
