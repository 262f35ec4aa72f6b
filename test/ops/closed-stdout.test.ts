/**
 * Logs go to stdout, which in production is a pipe to a log shipper or a process manager. When that
 * reader goes away, or stops reading, the service must still stop on SIGTERM within its shutdown
 * timeout: a log line it can no longer deliver is dropped, never waited for.
 */
import { request } from 'node:http';
import { buildService, startBuiltService, type BuiltService } from '../helpers/built-service.js';

const SHUTDOWN_TIMEOUT_MS = 1000;
/** The exit bound: the shutdown timeout, plus the final log flush's own bound, plus slack for a busy machine. */
const EXIT_BOUND_MS = SHUTDOWN_TIMEOUT_MS + 1000 + 3000;
let entry: string;

beforeAll(async () => {
  entry = await buildService('dist-test/closed-stdout');
}, 120_000);

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, (response) => {
      response.resume().on('end', () => resolve(response.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

async function start(): Promise<BuiltService> {
  // Okta is never called: these tests only ask for /healthz.
  return startBuiltService(entry, {
    OKTA_ORG_URL: 'http://127.0.0.1:9',
    // Nothing answers there: name the engine so start-up does not try to detect it.
    OKTA_ENGINE: 'classic',
    COOKIE_SECRET: 'closed-stdout-test-cookie-secret-32-bytes',
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
  });
}

async function exitsWithin(service: BuiltService, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
  const outcome = await Promise.race([service.stop(), bound]);
  clearTimeout(timer);
  if (outcome === 'still running') service.child.kill('SIGKILL');
  return outcome;
}

it('exits on SIGTERM after the reader of its stdout has gone', async () => {
  const service = await start();
  service.child.stdout!.destroy();
  // Each request writes an access line into the broken pipe.
  for (let i = 0; i < 5; i += 1) expect(await get(`${service.url}/healthz`)).toBe(200);

  expect(await exitsWithin(service, EXIT_BOUND_MS)).toEqual({ code: 0, signal: null });
}, 60_000);

it('exits on SIGTERM while the reader of its stdout is alive but no longer reads', async () => {
  const service = await start();
  service.child.stdout!.pause();
  // Far more access lines than a pipe holds (64 KiB on Linux): the pipe fills and stays full.
  for (let i = 0; i < 600; i += 1) expect(await get(`${service.url}/healthz?filler=${'x'.repeat(200)}`)).toBe(200);

  const outcome = await exitsWithin(service, EXIT_BOUND_MS);
  service.child.stdout!.destroy();
  expect(outcome).toEqual({ code: 0, signal: null });
}, 90_000);
