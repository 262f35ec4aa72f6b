/**
 * `npm run bench:ab`: two builds or two sets of Node flags of our service (Classic), A and B,
 * measured *at the same time*, each under its own load of the same size, against one emulator.
 *
 * Why: on two shared cores, CPU per flow of the same code moves by ±20 % between rounds a minute
 * apart (bench/run.ts runs the systems in turn), which hides a 10 % lever however many rounds are
 * run. Two instances loaded together share whatever the machine is doing in that window, so the
 * ratio B / A of one round carries little of it; the median of several rounds' ratios, with the
 * sides swapped each round (which load starts first), judges the lever.
 *
 * Knobs (environment): AB_FLAGS_A / AB_FLAGS_B (Node flags; each defaults to the production start
 * script's, as in run.ts), AB_ENTRY_A / AB_ENTRY_B (another build's dist/src/index.js; default this
 * build's), AB_ROUNDS (6), AB_SCENARIO (saturation: back-to-back flows, for CPU; paced: think time
 * BENCH_THINK_MS, for memory and latency), AB_SYSTEM_B (ours; or relay, koa, baseline: one of
 * run.ts's baselines as B, for the ratios of the targets measured side by side in one window), BENCH_CONCURRENCY (users per side: 200 at saturation,
 * 1000 paced), BENCH_DURATION_S (10), BENCH_OKTA_LATENCY_MS (20). Prints a markdown table.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad, percentile, STEPS } from './load.js';
import { batched, benchServiceEnv, measureLoad, startBaselineProcess, freePort, probeFlags, shippedNodeFlags, startEmulatorProcess, startServiceProcess, type ProcessCost } from './processes.js';
import { BENCH_ANSWER, benchLogin } from './protocol.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '..', '..');
const paced = (process.env.AB_SCENARIO ?? 'saturation') === 'paced';
const users = Number(process.env.BENCH_CONCURRENCY ?? (paced ? 1000 : 200));
const thinkMs = paced ? Number(process.env.BENCH_THINK_MS ?? 1000) : 0;
const durationMs = Number(process.env.BENCH_DURATION_S ?? 10) * 1000;
const latencyMs = Number(process.env.BENCH_OKTA_LATENCY_MS ?? 20);
const rounds = Math.max(1, Number(process.env.AB_ROUNDS ?? 6));
const maxSockets = 64;
const flagsOf = (value: string | undefined) => (value ?? shippedNodeFlags(projectRoot)).split(' ').filter(Boolean);

interface Side {
  readonly label: 'A' | 'B';
  /** Our service, or one of run.ts's baselines relaying the same four calls (AB_SYSTEM_B). */
  readonly system: 'ours' | 'relay' | 'koa' | 'baseline';
  readonly flags: string[];
  readonly entry: string;
  /** The first of this side's users: A's and B's users are different people. */
  readonly firstUser: number;
}

interface Reading extends ProcessCost {
  flowsPerSecond: number;
  /** The slowest step's p99. */
  p99Ms: number;
}

const sides: Side[] = [
  { label: 'A', system: 'ours', flags: flagsOf(process.env.AB_FLAGS_A), entry: process.env.AB_ENTRY_A ?? path.join(projectRoot, 'dist', 'src', 'index.js'), firstUser: 0 },
  { label: 'B', system: (process.env.AB_SYSTEM_B ?? 'ours') as Side['system'], flags: flagsOf(process.env.AB_FLAGS_B), entry: process.env.AB_ENTRY_B ?? path.join(projectRoot, 'dist', 'src', 'index.js'), firstUser: users },
];

const median = (values: number[]) => percentile(values, 50);
const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '–');

async function main(): Promise<void> {
  const emulator = await startEmulatorProcess(path.join(here, 'emulator-process.js'), { BENCH_USERS: String(2 * users), BENCH_OKTA_LATENCY_MS: String(latencyMs) });
  const tokenFor = batched((logins) => emulator.tokens(logins));
  const probe = probeFlags(path.join(here, 'heap-probe.js'));
  const started = await Promise.all(
    sides.map(async (side) => {
      const port = await freePort();
      const probePort = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const oktaUrl = side.label === 'A' ? emulator.urls.ours : emulator.urls.baseline;
      if (side.system !== 'ours') {
        const baseline = await startBaselineProcess(side.system, { oktaUrl, maxSockets, probePort }, probe);
        return { side, url: baseline.url, probePort, pid: baseline.child.pid ?? 0, child: baseline.child };
      }
      const env = benchServiceEnv({ engine: 'classic', oktaUrl, url, port, probePort, maxSockets, instance: side.label });
      const child = await startServiceProcess(side.entry, env, url, [...probe, ...side.flags]);
      return { side, url, probePort, pid: child.pid ?? 0, child };
    }),
  );

  async function measure(instance: (typeof started)[number], delayMs: number): Promise<Reading> {
    const cost = await measureLoad(instance.pid, instance.probePort, async () => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return runLoad({
        target: { name: instance.side.system, url: instance.url },
        concurrency: users,
        durationMs,
        login: (index) => benchLogin(instance.side.firstUser + index),
        answer: BENCH_ANSWER,
        tokenFor,
        thinkMs,
      });
    });
    const { result } = cost;
    return { ...cost, flowsPerSecond: (result.flows * 1000) / result.elapsedMs, p99Ms: Math.max(...Object.values(result.timings).map((values) => percentile(values, 99))) };
  }

  process.stderr.write(`bench:ab: warming up both sides\n`);
  await Promise.all(started.map((instance) => runLoad({ target: { name: instance.side.system, url: instance.url }, concurrency: 50, durationMs: 3000, login: (index) => benchLogin(instance.side.firstUser + index), answer: BENCH_ANSWER, tokenFor })));

  const readings: { a: Reading; b: Reading }[] = [];
  for (let round = 0; round < rounds; round++) {
    process.stderr.write(`bench:ab: round ${round + 1} of ${rounds}\n`);
    // Swapped each round: the side whose users arrive a moment later alternates.
    const [a, b] = await Promise.all([measure(started[0]!, round % 2 === 0 ? 0 : 50), measure(started[1]!, round % 2 === 0 ? 50 : 0)]);
    for (const [label, reading] of [['A', a], ['B', b]] as const) {
      if (reading.result.failures > 0) throw new Error(`side ${label}: ${reading.result.failures} flows failed, first: ${reading.result.firstFailure}`);
    }
    readings.push({ a, b });
  }

  const lines = [
    `# A/B, ${new Date().toISOString()}, Node ${process.version}, ${paced ? `paced (think ${thinkMs} ms)` : 'saturation'}, ${users} users per side, ${durationMs / 1000} s per round, Okta latency ${latencyMs} ms`,
    '',
    `- A: ${sides[0]!.flags.join(' ')} ${path.relative(process.cwd(), sides[0]!.entry)}`,
    `- B: ${sides[1]!.system === 'ours' ? `${sides[1]!.flags.join(' ')} ${path.relative(process.cwd(), sides[1]!.entry)}` : `the ${sides[1]!.system} baseline (bench/run.ts)`}`,
    '',
    '| round | A CPU ms/flow | B CPU ms/flow | B / A | A flows/s | B flows/s | A peak RSS MiB | B peak RSS MiB | A KiB/request | B KiB/request | A promoted KiB/request | B promoted KiB/request | A worst step p99 ms | B worst step p99 ms |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...readings.map(({ a, b }, index) =>
      `| ${index + 1} | ${fixed(a.cpuMsPerFlow)} | ${fixed(b.cpuMsPerFlow)} | ${fixed(b.cpuMsPerFlow / a.cpuMsPerFlow, 3)} | ${fixed(a.flowsPerSecond, 1)} | ${fixed(b.flowsPerSecond, 1)} | ${fixed(a.peakRssMib, 1)} | ${fixed(b.peakRssMib, 1)} | ${fixed(a.allocatedKibPerRequest, 1)} | ${fixed(b.allocatedKibPerRequest, 1)} | ${fixed(a.promotedKibPerRequest)} | ${fixed(b.promotedKibPerRequest)} | ${fixed(a.p99Ms, 1)} | ${fixed(b.p99Ms, 1)} |`,
    ),
    '',
    `Median of the rounds' B / A: CPU per flow ${fixed(median(readings.map(({ a, b }) => b.cpuMsPerFlow / a.cpuMsPerFlow)), 3)}, flows/s ${fixed(median(readings.map(({ a, b }) => b.flowsPerSecond / a.flowsPerSecond)), 3)}, peak RSS ${fixed(median(readings.map(({ a, b }) => b.peakRssMib - a.peakRssMib)), 1)} MiB (B − A), allocation ${fixed(median(readings.map(({ a, b }) => b.allocatedKibPerRequest / a.allocatedKibPerRequest)), 3)}.`,
  ];
  // Step latency: every round's samples pooled per side, and the rounds' own p99 differences.
  const pooled = (side: 'a' | 'b', step: (typeof STEPS)[number]) => readings.flatMap((reading) => reading[side].result.timings[step]);
  lines.push(
    '',
    '| step | A p50 ms | A p99 ms | B p50 ms | B p99 ms | A − B p99, pooled | A − B p99, median of rounds |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...STEPS.map((step) => {
      const [a, b] = [pooled('a', step), pooled('b', step)];
      const byRound = median(readings.map((reading) => percentile(reading.a.result.timings[step], 99) - percentile(reading.b.result.timings[step], 99)));
      return `| ${step} | ${fixed(percentile(a, 50), 1)} | ${fixed(percentile(a, 99), 1)} | ${fixed(percentile(b, 50), 1)} | ${fixed(percentile(b, 99), 1)} | ${fixed(percentile(a, 99) - percentile(b, 99), 1)} | ${fixed(byRound, 1)} |`;
    }),
  );
  console.log(lines.join('\n'));

  for (const { child, side } of started) {
    if (side.system !== 'ours') {
      child.disconnect();
      continue;
    }
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  emulator.child.disconnect();
}

main().catch((error: unknown) => {
  console.error('bench:ab failed:', error);
  process.exit(1);
});
