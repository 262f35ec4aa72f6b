/**
 * `npm run bench`: our service against the bare Koa + got baseline, both relaying to the Okta
 * emulator, each in its own process; this process only generates load and reads the others' CPU
 * and memory from /proc. Prints a markdown report and writes it to bench/results/latest.md.
 *
 * Two kinds of scenario: *saturation* (each virtual user runs flows back to back: throughput and
 * CPU per flow when the machine is the limit) and *paced* (a person's think time before each step,
 * BENCH_THINK_MS: step latency and memory with that many flows under way but the CPU not pinned).
 *
 * Knobs (environment): BENCH_CONCURRENCY (200), BENCH_HIGH_CONCURRENCY (1000), BENCH_DURATION_S
 * (10 per scenario), BENCH_OKTA_LATENCY_MS (20, the emulator's simulated Okta latency),
 * BENCH_THINK_MS (1000), BENCH_KNOWN_UNKNOWN (300 start requests of each kind), BENCH_PROFILE (1:
 * CPU-profile the service), BENCH_SERVICE_NODE_FLAGS (e.g. "--max-old-space-size=64" for the service),
 * BENCH_REDIS_URL (e.g. redis://127.0.0.1:6379: the service counts its limits in Redis).
 * Then a burst of emails over the pooled SMTP transport against one connection per email
 * (bench/mail.ts, its own knobs there); BENCH_MAIL_ONLY=1 runs that part alone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad, postJson, type Target } from './load.js';
import { cpuSeconds, freePort, peakRssMb, startBaselineProcess, startEmulatorProcess, startServiceProcess } from './processes.js';
import { BENCH_ANSWER, benchLogin, refusedLogin, unknownLogin } from './protocol.js';
import { renderMailReport, runMailBurst } from './mail.js';
import { renderReport, type ScenarioFigures, type KnownUnknown } from './report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '..', '..');
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 200);
const highConcurrency = Number(process.env.BENCH_HIGH_CONCURRENCY ?? 1000);
const durationMs = Number(process.env.BENCH_DURATION_S ?? 10) * 1000;
const latencyMs = Number(process.env.BENCH_OKTA_LATENCY_MS ?? 20);
const knownUnknownCount = Number(process.env.BENCH_KNOWN_UNKNOWN ?? 300);
const thinkMs = Number(process.env.BENCH_THINK_MS ?? 1000);
const serviceNodeFlags = (process.env.BENCH_SERVICE_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const maxSockets = 64;

function writeReport(report: string): void {
  console.log(report);
  const resultsDir = path.join(projectRoot, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, 'latest.md'), report);
}

async function main(): Promise<void> {
  if (process.env.BENCH_MAIL_ONLY === '1') {
    process.stderr.write('bench: mail burst, pooled vs one connection per email\n');
    writeReport([`# Mail benchmark, ${new Date().toISOString()}, Node ${process.version}`, '', ...renderMailReport(await runMailBurst())].join('\n'));
    return;
  }
  const users = Math.max(concurrency, highConcurrency) + knownUnknownCount;
  const emulator = await startEmulatorProcess(path.join(here, 'emulator-process.js'), { BENCH_USERS: String(users), BENCH_OKTA_LATENCY_MS: String(latencyMs) });
  const port = await freePort();
  const ourUrl = `http://127.0.0.1:${port}`;
  const service = await startServiceProcess(
    path.join(projectRoot, 'dist', 'src', 'index.js'),
    {
      NODE_ENV: 'production',
      OKTA_ORG_URL: emulator.urls.ours,
      PUBLIC_URL: ourUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      COOKIE_SECRET: 'benchmark-cookie-secret-of-at-least-32-bytes',
      LOG_LEVEL: 'info',
      OKTA_MAX_SOCKETS: String(maxSockets),
      // One load generator is one client IP and a few usernames: the abuse limits and the Okta
      // budget stay on (their counting is part of the cost measured) with thresholds it never meets.
      RATE_LIMIT_START_PER_IP: '100000000/1m',
      RATE_LIMIT_START_PER_USERNAME: '100000000/1m',
      RATE_LIMIT_VERIFY_PER_IP: '100000000/1m',
      OKTA_CALL_BUDGET_PER_MINUTE: '1000000',
      OKTA_RATE_LIMIT_RESERVE: '0',
      // BENCH_REDIS_URL: count in Redis, as a multi-instance deployment does.
      ...(process.env.BENCH_REDIS_URL ? { REDIS_URL: process.env.BENCH_REDIS_URL, REDIS_KEY_PREFIX: `bench-${process.pid}` } : {}),
    },
    ourUrl,
    // BENCH_PROFILE=1: a V8 CPU profile of the service, written on exit to bench/results/profile/.
    [
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', path.join(projectRoot, 'bench', 'results', 'profile')] : []),
      ...serviceNodeFlags,
    ],
  );
  const baseline = await startBaselineProcess(path.join(here, 'baseline-process.js'), { OKTA_ORG_URL: emulator.urls.baseline, OKTA_MAX_SOCKETS: String(maxSockets) });
  const targets: Record<Target['name'], { target: Target; pid: number }> = {
    ours: { target: { name: 'ours', url: ourUrl }, pid: service.pid ?? 0 },
    baseline: { target: { name: 'baseline', url: baseline.url }, pid: baseline.child.pid ?? 0 },
  };

  // The emailed link's token, fetched in batches so IPC stays out of the way.
  let queue: { login: string; resolve: (token: string) => void }[] = [];
  const tokenFor = (login: string) =>
    new Promise<string>((resolve) => {
      if (queue.length === 0) {
        setImmediate(async () => {
          const batch = queue;
          queue = [];
          const tokens = await emulator.tokens(batch.map((entry) => entry.login));
          batch.forEach((entry, index) => entry.resolve(tokens[index] ?? ''));
        });
      }
      queue.push({ login, resolve });
    });

  async function scenario(name: Target['name'], users: number, duration: number, think = 0): Promise<ScenarioFigures> {
    const { target, pid } = targets[name];
    const cpuBefore = cpuSeconds(pid);
    const oktaBefore = await emulator.stats(name);
    const result = await runLoad({ target, concurrency: users, durationMs: duration, login: benchLogin, answer: BENCH_ANSWER, tokenFor, thinkMs: think });
    const oktaAfter = await emulator.stats(name);
    const cpu = cpuSeconds(pid) - cpuBefore;
    return {
      target: name,
      concurrency: users,
      thinkMs: think,
      result,
      cpuMsPerFlow: (cpu * 1000) / Math.max(1, result.flows),
      peakRssMb: peakRssMb(pid),
      oktaCallsPerFlow: (oktaAfter.authnCalls - oktaBefore.authnCalls) / Math.max(1, result.flows),
      oktaConnectionsPer1000: ((oktaAfter.connections - oktaBefore.connections) * 1000) / Math.max(1, result.flows),
      peakOktaConnections: oktaAfter.peakOpen,
    };
  }

  async function knownVsUnknown(name: Target['name']): Promise<KnownUnknown> {
    const startUrl = name === 'ours' ? `${ourUrl}/api/recovery/start` : `${baseline.url}/start`;
    const times: KnownUnknown = { known: [], unknown: [], locked: [], suspended: [] };
    const kinds = Object.keys(times) as (keyof KnownUnknown)[];
    const loginOf = (kind: keyof KnownUnknown, i: number) =>
      kind === 'known' ? benchLogin(highConcurrency + i) : kind === 'unknown' ? unknownLogin(i) : refusedLogin(kind === 'locked' ? 'LOCKED_OUT' : 'SUSPENDED', i);
    // Interleaved, 10 at a time, the order rotating, so drift in machine load falls on every kind alike.
    for (let offset = 0; offset < knownUnknownCount; offset += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, knownUnknownCount - offset) }, async (_, index) => {
          const i = offset + index;
          for (let k = 0; k < kinds.length; k++) {
            const kind = kinds[(i + k) % kinds.length]!;
            const startedAt = performance.now();
            const reply = await postJson(startUrl, { username: loginOf(kind, i) });
            times[kind].push(performance.now() - startedAt);
            if (reply.status !== 202) throw new Error(`start answered ${reply.status} for a ${kind} user`);
          }
        }),
      );
    }
    return times;
  }

  const started = performance.now();
  process.stderr.write(`bench: warming up (Okta latency ${latencyMs} ms)\n`);
  await scenario('ours', 50, 3000);
  await scenario('baseline', 50, 3000);
  const figures: ScenarioFigures[] = [];
  for (const [name, users, duration, think] of [
    ['ours', concurrency, durationMs, 0],
    ['baseline', concurrency, durationMs, 0],
    ['ours', concurrency, durationMs, thinkMs],
    ['baseline', concurrency, durationMs, thinkMs],
    ['ours', highConcurrency, durationMs, thinkMs],
    ['baseline', highConcurrency, durationMs, thinkMs],
  ] as const) {
    process.stderr.write(`bench: ${name} at ${users} concurrent flows, think time ${think} ms\n`);
    figures.push(await scenario(name, users, duration, think));
  }
  process.stderr.write('bench: start step, known vs unknown vs locked vs suspended users\n');
  const startTimes = { ours: await knownVsUnknown('ours'), baseline: await knownVsUnknown('baseline') };
  process.stderr.write('bench: mail burst, pooled vs one connection per email\n');
  const mail = await runMailBurst();

  const report = renderReport({
    date: new Date().toISOString(),
    node: process.version,
    cpus: (await import('node:os')).cpus().length,
    latencyMs,
    concurrency,
    highConcurrency,
    durationS: durationMs / 1000,
    thinkMs,
    serviceNodeFlags: serviceNodeFlags.join(' '),
    figures,
    knownUnknown: startTimes,
    runtimeS: (performance.now() - started) / 1000,
  });
  writeReport([report, '', ...renderMailReport(mail)].join('\n'));

  service.kill('SIGTERM');
  await new Promise((resolve) => service.once('exit', resolve));
  baseline.child.disconnect();
  emulator.child.disconnect();
}

main().catch((error: unknown) => {
  console.error('bench failed:', error);
  process.exit(1);
});
