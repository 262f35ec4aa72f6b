/**
 * A Redis of the test's own: `redis-server` on a free loopback port with a throwaway directory and
 * no persistence, stopped after the suite, so tests never share keys with anything else on the
 * machine (a developer's Redis, another suite running in parallel). Without a `redis-server`
 * binary the suite is skipped with a notice; CI sets REQUIRE_REDIS_TESTS=1, which makes that a
 * failure instead (.ci/run installs Debian's redis-server when it is missing).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its directory. */
  stop(): Promise<void>;
}

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server not ready after ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const settle = (error?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) settle();
    };
    const onExit = (code: number | null) => settle(new Error(`redis-server exited (${code}) before it was ready:\n${output}`));
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Starts a private redis-server; retries on another port if the chosen one was taken meanwhile. */
export async function startRedisServer(): Promise<TestRedis> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const dir = mkdtempSync(path.join(tmpdir(), 'test-redis-'));
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', ''],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      await waitForReady(child, 10_000);
    } catch (error) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      if (attempt >= 3) throw error;
      continue;
    }
    child.stdout?.resume();
    child.stderr?.resume();
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

/**
 * `describe` with a private Redis started before the suite and stopped after it; the callback gets
 * a getter (the server exists only once beforeAll has run). Skipped, with a notice, without a
 * redis-server binary, unless REQUIRE_REDIS_TESTS=1.
 */
export function describeWithRedis(name: string, body: (redis: () => TestRedis) => void): void {
  if (!redisServerAvailable()) {
    if (process.env.REQUIRE_REDIS_TESTS === '1') throw new Error('redis-server is not installed, and REQUIRE_REDIS_TESTS=1 requires it');
    console.warn(`SKIPPED: "${name}" needs a redis-server binary (Debian: apt-get install redis-server)`);
    describe.skip(`${name} (skipped: no redis-server)`, () => it.todo('needs redis-server'));
    return;
  }
  describe(name, () => {
    let server: TestRedis | undefined;
    beforeAll(async () => {
      server = await startRedisServer();
    }, 30_000);
    afterAll(async () => {
      await server?.stop();
    });
    // The suite's own hooks sit one level in, so its afterAll (closing services that use Redis)
    // runs before the server stops.
    describe(`on redis-server`, () =>
      body(() => {
        if (!server) throw new Error('the test Redis is not started yet (use it inside hooks or tests)');
        return server;
      }),
    );
  });
}
