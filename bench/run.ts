/**
 * `npm run bench`: our service (over Classic, and over Identity Engine in a second process)
 * against baselines relaying the same Okta calls: over Classic's four, the bare node:http relay
 * (the floor), Koa over node:http (the framework floor: what our stack costs before any feature of
 * ours) and Koa + got (the usual stack); over Identity Engine's eight, the two floors again
 * (relay-idx, koa-idx; bench/relay-steps.ts). All relay to the Okta emulator, each in its own process;
 * this process only generates load and reads the others' CPU and memory from /proc, and their
 * heap allocation and GC pauses from the heap probe each is started with (heap-probe.ts).
 * Prints a markdown report and writes it to bench/results/latest.md.
 *
 * Two kinds of scenario: *saturation* (each virtual user runs flows back to back: throughput and
 * CPU per flow when the machine is the limit) and *paced* (a person's think time before each step,
 * BENCH_THINK_MS: step latency and memory with that many flows under way but the CPU not pinned).
 *
 * Knobs (environment): BENCH_CONCURRENCY (200), BENCH_HIGH_CONCURRENCY (1000), BENCH_DURATION_S
 * (10 per scenario), BENCH_OKTA_LATENCY_MS (20, the emulator's simulated Okta latency),
 * BENCH_THINK_MS (1000), BENCH_KNOWN_UNKNOWN (300 start requests of each kind), BENCH_PROFILE (1:
 * CPU-profile the service), BENCH_HEAP_PROFILE (1: profile its allocation, garbage included; both
 * into bench/results/profile/<engine>/, summarised by profile-summary.ts), BENCH_SERVICE_ENV ("NAME=value ...": more of the service's variables), BENCH_SERVICE_NODE_FLAGS (instead of
 * the production start script's, e.g. "" for Node's defaults),
 * BENCH_REDIS_URL (e.g. redis://127.0.0.1:6379: the service counts its limits in Redis),
 * BENCH_SYSTEMS (ours,baseline,relay,koa,ours-idx,relay-idx,koa-idx: which systems to run), BENCH_SCENARIOS
 * (saturation,paced,high,side-by-side: which scenarios), BENCH_SATURATION_ROUNDS (3: saturation runs that many
 * times, the systems taking turns in a rotating order, and each system's median round is reported:
 * CPU per flow on two shared cores moves by 15 % between two runs of the same code, and a ratio
 * of two single runs minutes apart carried all of that), BENCH_SIDE_BY_SIDE_ROUNDS (3; see below).
 *
 * SIDE_BY_SIDE: then ours and a baseline run *at the same time*, each with its own users (ours and
 * the relay at saturation, ours and Koa + got at saturation, ours and the relay paced; the same
 * over Identity Engine with relay-idx, at saturation and paced), for the
 * ratios and differences the targets are about. Apart, each system meets a different minute of a
 * shared machine (its rounds moved by ±20 %, a paced p99 by tens of ms); at the same time both meet
 * the same one, so a round's ratio, and ours' p99 minus the relay's, carry our cost and little of
 * the machine's. Each round's ratio is reported, and their median judged. In BENCH_SCENARIOS as
 * `side-by-side` (run by default).
 * Then a burst of emails over the pooled SMTP transport against one connection per email
 * (bench/mail.ts, its own knobs there); BENCH_MAIL_ONLY=1 runs that part alone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import type { ChildProcess } from 'node:child_process';
import { overIdx, runLoad, postJson, type System, type Target } from './load.js';
import { BASELINES, batched, benchServiceEnv, measureLoad, shippedNodeFlags, freePort, probeFlags, writeHeapProfile, startBaselineProcess, startEmulatorProcess, startServiceProcess } from './processes.js';
import { BENCH_ANSWER, CLIENTS, benchLogin, refusedLogin, unknownLogin } from './protocol.js';
import { renderMailReport, runMailBurst } from './mail.js';
import { renderReport, type PairRounds, type ScenarioFigures, type KnownUnknown } from './report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '..', '..');
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 200);
const highConcurrency = Number(process.env.BENCH_HIGH_CONCURRENCY ?? 1000);
const durationMs = Number(process.env.BENCH_DURATION_S ?? 10) * 1000;
const latencyMs = Number(process.env.BENCH_OKTA_LATENCY_MS ?? 20);
const knownUnknownCount = Number(process.env.BENCH_KNOWN_UNKNOWN ?? 300);
const thinkMs = Number(process.env.BENCH_THINK_MS ?? 1000);
const saturationRounds = Math.max(1, Number(process.env.BENCH_SATURATION_ROUNDS ?? 3));
const sideBySideRounds = Math.max(1, Number(process.env.BENCH_SIDE_BY_SIDE_ROUNDS ?? 3));
const serviceNodeFlags = (process.env.BENCH_SERVICE_NODE_FLAGS ?? shippedNodeFlags(projectRoot)).split(' ').filter(Boolean);
const maxSockets = 64;

function writeReport(report: string): void {
  console.log(report);
  const resultsDir = path.join(projectRoot, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, 'latest.md'), report);
}

/** The round whose CPU per flow is the median (the lower middle of an even count), with every round's CPU. */
function medianRound(rounds: readonly ScenarioFigures[]): ScenarioFigures {
  if (rounds.length === 1) return rounds[0]!;
  const sorted = [...rounds].sort((a, b) => a.cpuMsPerFlow - b.cpuMsPerFlow);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, cpuMsPerFlowByRound: rounds.map((round) => round.cpuMsPerFlow) };
}

async function main(): Promise<void> {
  if (process.env.BENCH_MAIL_ONLY === '1') {
    process.stderr.write('bench: mail burst, pooled vs one connection per email\n');
    writeReport([`# Mail benchmark, ${new Date().toISOString()}, Node ${process.version}`, '', ...renderMailReport(await runMailBurst())].join('\n'));
    return;
  }
  const loadAverage = os.loadavg();
  const users = Math.max(concurrency, highConcurrency) + knownUnknownCount;
  const ports = { ours: await freePort(), 'ours-idx': await freePort() };
  const urlOf = (port: number) => `http://127.0.0.1:${port}`;
  const probePorts = Object.fromEntries(await Promise.all(CLIENTS.map(async (system) => [system, await freePort()] as const))) as Record<System, number>;
  const probe = probeFlags(path.join(here, 'heap-probe.js'));
  const emulator = await startEmulatorProcess(path.join(here, 'emulator-process.js'), {
    BENCH_USERS: String(users),
    BENCH_OKTA_LATENCY_MS: String(latencyMs),
    BENCH_PUBLIC_URL: urlOf(ports['ours-idx']),
  });

  function profileDir(engine: 'classic' | 'idx'): string {
    const dir = path.join(projectRoot, 'bench', 'results', 'profile', engine);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  function startService(engine: 'classic' | 'idx'): ReturnType<typeof startServiceProcess> {
    const system = engine === 'classic' ? 'ours' : 'ours-idx';
    const port = ports[system];
    return startServiceProcess(
      path.join(projectRoot, 'dist', 'src', 'index.js'),
      {
        ...benchServiceEnv({ engine, oktaUrl: emulator.urls[system], url: urlOf(port), port, probePort: probePorts[system], maxSockets }),
        ...(process.env.BENCH_HEAP_PROFILE ? { BENCH_HEAP_PROFILE_DIR: profileDir(engine) } : {}),
      },
      urlOf(port),
      // BENCH_PROFILE=1: a V8 CPU profile of the service, written on exit to bench/results/profile/.
      [
        ...probe,
        ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', profileDir(engine)] : []),
        ...serviceNodeFlags,
      ],
    );
  }

  const enabled = new Set((process.env.BENCH_SYSTEMS ?? CLIENTS.join(',')).split(',').map((name) => name.trim()));
  const service = enabled.has('ours') ? await startService('classic') : undefined;
  const idxService = enabled.has('ours-idx') ? await startService('idx') : undefined;
  const targets = new Map<System, { target: Target; pid: number }>();
  if (service) targets.set('ours', { target: { name: 'ours', url: urlOf(ports.ours) }, pid: service.pid ?? 0 });
  if (idxService) targets.set('ours-idx', { target: { name: 'ours-idx', url: urlOf(ports['ours-idx']) }, pid: idxService.pid ?? 0 });
  const baselines: ChildProcess[] = [];
  for (const system of BASELINES.filter((name) => enabled.has(name))) {
    // The IDX relays start transactions with the IDX service's app, whose one redirect URI is ours.
    const options = { oktaUrl: emulator.urls[system], maxSockets, probePort: probePorts[system], idxRedirectUri: `${urlOf(ports['ours-idx'])}/reset-password/callback` };
    const { child, url } = await startBaselineProcess(system, options, probe);
    baselines.push(child);
    targets.set(system, { target: { name: system, url }, pid: child.pid ?? 0 });
  }

  // What the email carries (Classic's token, IDX's code), fetched in batches so IPC stays out of the way.
  const tokenFor = batched((logins) => emulator.tokens(logins));
  const codeFor = batched((logins) => emulator.codes(logins));

  /**
   * The emulator's counters once the calls a system makes after its last response have arrived
   * (Classic's start asks Okta after answering, and the IDX start walks after it): read until two
   * reads 100 ms apart agree, at most 5 s. Read at once, a saturated round missed the last starts'
   * calls (3.97 calls per flow) and their CPU. Each read restarts the emulator's peak of open
   * connections, so the peak is the largest read.
   */
  async function settledStats(name: System): Promise<Awaited<ReturnType<typeof emulator.stats>>> {
    let last = await emulator.stats(name);
    let peakOpen = last.peakOpen;
    for (const until = performance.now() + 5000; performance.now() < until; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const next = await emulator.stats(name);
      peakOpen = Math.max(peakOpen, next.peakOpen);
      const settled = next.apiCalls === last.apiCalls;
      last = next;
      if (settled) break;
    }
    return { ...last, peakOpen };
  }

  /** `firstUser`: where this run's users start, so two systems loaded at once never share a user. */
  async function scenario(name: System, users: number, duration: number, think = 0, firstUser = 0): Promise<ScenarioFigures> {
    const { target, pid } = targets.get(name)!;
    const oktaBefore = await emulator.stats(name);
    let oktaAfter = oktaBefore;
    const cost = await measureLoad(
      pid,
      probePorts[name],
      () => runLoad({ target, concurrency: users, durationMs: duration, login: (index) => benchLogin(firstUser + index), answer: BENCH_ANSWER, tokenFor: overIdx(name) ? codeFor : tokenFor, thinkMs: think }),
      async () => {
        oktaAfter = await settledStats(name);
      },
    );
    const flows = Math.max(1, cost.result.flows);
    return {
      ...cost,
      target: name,
      concurrency: users,
      thinkMs: think,
      oktaCallsPerFlow: (oktaAfter.apiCalls - oktaBefore.apiCalls) / flows,
      oktaConnectionsPer1000: ((oktaAfter.connections - oktaBefore.connections) * 1000) / flows,
      peakOktaConnections: oktaAfter.peakOpen,
    };
  }

  async function knownVsUnknown(name: System): Promise<KnownUnknown> {
    const { target } = targets.get(name)!;
    const startUrl = name === 'ours' || name === 'ours-idx' ? `${target.url}/api/recovery/start` : `${target.url}/start`;
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
            if (reply.status !== 202) throw new Error(`${name}: start answered ${reply.status} for a ${kind} user`);
          }
        }),
      );
    }
    return times;
  }

  const started = performance.now();
  const systems = [...targets.keys()];
  process.stderr.write(`bench: warming up (Okta latency ${latencyMs} ms): ${systems.join(', ')}\n`);
  for (const name of systems) await scenario(name, 50, 3000);
  const figures: ScenarioFigures[] = [];
  const scenarios = { saturation: [concurrency, 0], paced: [concurrency, thinkMs], high: [highConcurrency, thinkMs] } as const;
  const chosen = (process.env.BENCH_SCENARIOS ?? 'saturation,paced,high,side-by-side').split(',').map((name) => name.trim());
  for (const [users, think] of chosen.filter((name): name is keyof typeof scenarios => name in scenarios).map((name) => scenarios[name])) {
    const rounds = think === 0 ? saturationRounds : 1;
    const byRound = new Map<System, ScenarioFigures[]>(systems.map((name) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      // Each round starts with the next system, so no system always runs first (or last).
      for (let k = 0; k < systems.length; k++) {
        const name = systems[(round + k) % systems.length]!;
        process.stderr.write(`bench: ${name} at ${users} concurrent flows, think time ${think} ms${rounds > 1 ? `, round ${round + 1} of ${rounds}` : ''}\n`);
        byRound.get(name)!.push(await scenario(name, users, durationMs, think));
      }
    }
    for (const name of systems) figures.push(medianRound(byRound.get(name)!));
  }
  // Side by side: ours and a baseline loaded at the same time, each with its own users, so both
  // are measured in the same window of a shared machine (see SIDE_BY_SIDE in the header).
  const pairs: PairRounds[] = [];
  if (chosen.includes('side-by-side')) {
    const plans: [PairRounds['system'], System, number][] = [
      ['ours', 'relay', 0],
      ['ours', 'baseline', 0],
      ['ours', 'relay', thinkMs],
      ['ours-idx', 'relay-idx', 0],
      ['ours-idx', 'relay-idx', thinkMs],
    ];
    for (const [system, other, think] of plans.filter(([system, other]) => targets.has(system) && targets.has(other))) {
      const rounds: { ours: ScenarioFigures; other: ScenarioFigures }[] = [];
      for (let round = 0; round < sideBySideRounds; round++) {
        process.stderr.write(`bench: ${system} and ${other} side by side at ${concurrency} concurrent flows each, think time ${think} ms, round ${round + 1} of ${sideBySideRounds}\n`);
        const [ours, theirs] = await Promise.all([scenario(system, concurrency, durationMs, think), scenario(other, concurrency, durationMs, think, concurrency)]);
        rounds.push({ ours, other: theirs });
      }
      pairs.push({ system, other, thinkMs: think, rounds });
    }
  }
  process.stderr.write('bench: start step, known vs unknown vs locked vs suspended users\n');
  const startTimes: Partial<Record<System, KnownUnknown>> = {};
  for (const name of systems.filter((system) => system === 'ours' || system === 'ours-idx' || system === 'baseline')) startTimes[name] = await knownVsUnknown(name);
  process.stderr.write('bench: mail burst, pooled vs one connection per email\n');
  const mail = await runMailBurst();

  const report = renderReport({
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    loadAverage,
    latencyMs,
    concurrency,
    highConcurrency,
    durationS: durationMs / 1000,
    thinkMs,
    maxSockets,
    serviceNodeFlags: serviceNodeFlags.join(' '),
    figures,
    pairs,
    knownUnknown: startTimes,
    runtimeS: (performance.now() - started) / 1000,
  });
  writeReport([report, '', ...renderMailReport(mail)].join('\n'));

  if (process.env.BENCH_HEAP_PROFILE) {
    for (const system of ['ours', 'ours-idx'] as const) {
      if (targets.has(system)) process.stderr.write(`bench: allocation profile of ${system}: ${await writeHeapProfile(probePorts[system])}\n`);
    }
  }
  for (const child of [service, idxService]) {
    if (!child) continue;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  for (const child of baselines) child.disconnect();
  emulator.child.disconnect();
}

main().catch((error: unknown) => {
  console.error('bench failed:', error);
  process.exit(1);
});
