/** The benchmark's report: one markdown document, figures first, then the targets met or missed. */
import { percentile, STEPS, type System } from './load.js';
import type { ProcessCost } from './processes.js';

export interface ScenarioFigures extends ProcessCost {
  readonly target: System;
  readonly concurrency: number;
  /** 0: saturation (flows back to back); otherwise the mean pause before each step. */
  readonly thinkMs: number;
  /**
   * Saturation runs in interleaved rounds (BENCH_SATURATION_ROUNDS): every round's CPU per flow,
   * in round order. The other figures are the median round's (the one whose CPU is the median).
   */
  readonly cpuMsPerFlowByRound?: readonly number[];
  readonly oktaCallsPerFlow: number;
  readonly oktaConnectionsPer1000: number;
  readonly peakOktaConnections: number;
}

/** Rounds in which ours (over one engine) and another system were loaded at the same time (run.ts, SIDE_BY_SIDE). */
export interface PairRounds {
  readonly system: 'ours' | 'ours-idx';
  readonly other: System;
  readonly thinkMs: number;
  readonly rounds: readonly { readonly ours: ScenarioFigures; readonly other: ScenarioFigures }[];
}

export interface KnownUnknown {
  readonly known: number[];
  readonly unknown: number[];
  /** Accounts Okta will not email: locked out, suspended. */
  readonly locked: number[];
  readonly suspended: number[];
}

const f1 = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '–');
const f2 = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '–');
const flowsPerSecond = (figures: ScenarioFigures) => figures.result.flows / (figures.result.elapsedMs / 1000);
const median = (values: readonly number[]) => percentile(values, 50);
/** CPU per flow, with every round's value when there were several. */
const cpuCell = (s: ScenarioFigures) => (s.cpuMsPerFlowByRound && s.cpuMsPerFlowByRound.length > 1 ? `${f2(s.cpuMsPerFlow)} (${s.cpuMsPerFlowByRound.map(f2).join(', ')})` : f2(s.cpuMsPerFlow));
/** One ratio per round (the systems ran side by side in each), when both ran in the same rounds. */
const roundRatios = (a: ScenarioFigures, b: ScenarioFigures) =>
  a.cpuMsPerFlowByRound && b.cpuMsPerFlowByRound && a.cpuMsPerFlowByRound.length === b.cpuMsPerFlowByRound.length && a.cpuMsPerFlowByRound.length > 1
    ? `; by round ${a.cpuMsPerFlowByRound.map((value, i) => f2(value / (b.cpuMsPerFlowByRound?.[i] ?? Number.NaN))).join(', ')}`
    : '';
const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
const thinkLabel = (s: ScenarioFigures) => (s.thinkMs === 0 ? 'none (saturation)' : `${s.thinkMs} ms`);
const label = (s: ScenarioFigures) => `${s.target} | ${s.concurrency} | ${thinkLabel(s)}`;

function scenarioRows(all: readonly ScenarioFigures[]): string[] {
  const rows = [
    '| system | concurrent flows | think time | flows | failed | flows/s | CPU ms/flow | peak RSS MiB | live heap MiB | heap KiB/request | promoted KiB/request | GC pauses: count, p50, max ms (full GCs) | Okta calls/flow | Okta connections opened /1000 flows | peak open Okta connections |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|',
  ];
  for (const s of all) {
    const gc = s.gcPausesMs;
    rows.push(
      `| ${label(s)} | ${s.result.flows} | ${s.result.failures} | ${f1(flowsPerSecond(s))} | ${cpuCell(s)} | ${f1(s.peakRssMib)} | ${f1(s.liveHeapMib)} | ${f1(s.allocatedKibPerRequest)} | ${f2(s.promotedKibPerRequest)} | ${gc.length}, ${f1(median(gc))}, ${f1(Math.max(0, ...gc))} (${s.fullGcs}) | ${f2(s.oktaCallsPerFlow)} | ${f1(s.oktaConnectionsPer1000)} | ${s.peakOktaConnections} |`,
    );
  }
  return rows;
}

function latencyRows(all: readonly ScenarioFigures[]): string[] {
  const rows = ['| system | concurrent flows | think time | step | p50 ms | p95 ms | p99 ms |', '|---|---:|---|---|---:|---:|---:|'];
  for (const s of all) {
    for (const step of STEPS) {
      const values = s.result.timings[step];
      rows.push(`| ${label(s)} | ${step} | ${f1(percentile(values, 50))} | ${f1(percentile(values, 95))} | ${f1(percentile(values, 99))} |`);
    }
  }
  return rows;
}

type Target = [measure: string, result: string, met: boolean | undefined];

export interface ReportInput {
  date: string;
  node: string;
  cpus: number;
  loadAverage: readonly number[];
  latencyMs: number;
  concurrency: number;
  highConcurrency: number;
  durationS: number;
  thinkMs: number;
  maxSockets: number;
  serviceNodeFlags: string;
  figures: readonly ScenarioFigures[];
  pairs: readonly PairRounds[];
  knownUnknown: Partial<Record<System, KnownUnknown>>;
  runtimeS: number;
}

/** Our service over each engine and its floors: the bare relay and Koa over node:http making the same calls. */
const ENGINES = [
  { engine: 'Classic', ours: 'ours', relay: 'relay', koa: 'koa' },
  { engine: 'IDX', ours: 'ours-idx', relay: 'relay-idx', koa: 'koa-idx' },
] as const;

/** The baselines by what the targets call them; ours over each engine is judged against its own engine's relay. */
const otherName: Partial<Record<System, string>> = { relay: 'node:http relay', 'relay-idx': 'node:http relay over IDX', baseline: 'Koa + got baseline' };

function costTargets(input: ReportInput, find: (target: System, concurrency: number, paced: boolean) => ScenarioFigures | undefined): Target[] {
  const targets: Target[] = [];
  for (const names of ENGINES) {
    const ours = find(names.ours, input.concurrency, false);
    const relay = find(names.relay, input.concurrency, false);
    const koa = find(names.koa, input.concurrency, false);
    if (ours && relay) {
      const cpu = ours.cpuMsPerFlow / relay.cpuMsPerFlow;
      targets.push([`CPU per flow, ${names.ours} / ${otherName[names.relay]}, saturation`, `${f2(cpu)}× (${f2(ours.cpuMsPerFlow)} / ${f2(relay.cpuMsPerFlow)} ms, medians${roundRatios(ours, relay)}) (target ≤ 3×)`, cpu <= 3]);
      const throughput = flowsPerSecond(ours) / flowsPerSecond(relay);
      targets.push([`flows/s, ${names.ours} / ${otherName[names.relay]}, ${input.concurrency} flows, saturation`, `${f2(throughput)}× (${f1(flowsPerSecond(ours))} / ${f1(flowsPerSecond(relay))}) (target ≥ 0.5×)`, throughput >= 0.5]);
    }
    if (names.engine === 'Classic') {
      const baseline = find('baseline', input.concurrency, false);
      if (ours && baseline) {
        const cpu = ours.cpuMsPerFlow / baseline.cpuMsPerFlow;
        targets.push([`CPU per flow, ours / Koa + got baseline, saturation`, `${f2(cpu)}× (${f2(ours.cpuMsPerFlow)} / ${f2(baseline.cpuMsPerFlow)} ms, medians${roundRatios(ours, baseline)}) (target ≤ 1.2×)`, cpu <= 1.2]);
        targets.push([`flows/s, ours / Koa + got baseline, saturation`, `${f2(flowsPerSecond(ours) / flowsPerSecond(baseline))}×`, undefined]);
      }
    }
    if (koa && relay) {
      // Not a target: where our cost above the relay comes from, the framework or our own features.
      targets.push([
        `CPU per flow, Koa over node:http (the framework floor) / node:http relay, ${names.engine}, saturation`,
        `${f2(koa.cpuMsPerFlow / relay.cpuMsPerFlow)}× (${f2(koa.cpuMsPerFlow)} ms; ${f1(koa.allocatedKibPerRequest)} KiB per request)`,
        undefined,
      ]);
    }
    if (ours && koa) {
      targets.push([
        `our features above the framework floor (${names.ours} − Koa over node:http, ${names.engine}), saturation`,
        `${f2(ours.cpuMsPerFlow - koa.cpuMsPerFlow)} ms CPU per flow, ${f1(ours.allocatedKibPerRequest - koa.allocatedKibPerRequest)} KiB per request`,
        undefined,
      ]);
    }
  }
  return targets;
}

function latencyTargets(input: ReportInput, find: (target: System, concurrency: number, paced: boolean) => ScenarioFigures | undefined): Target[] {
  const targets: Target[] = [];
  for (const names of ENGINES) {
    const ours = find(names.ours, input.concurrency, true);
    const relay = find(names.relay, input.concurrency, true);
    if (!ours || !relay) continue;
    for (const step of STEPS) {
      const addedP99 = percentile(ours.result.timings[step], 99) - percentile(relay.result.timings[step], 99);
      const addedP50 = percentile(ours.result.timings[step], 50) - percentile(relay.result.timings[step], 50);
      // Two separate runs on a shared machine: a negative p99 difference is noise, not a speed-up.
      targets.push([`added latency, ${step}, ${input.concurrency} flows, paced: p99 (p50) ${names.ours} − ${names.relay}`, `${f1(addedP99)} ms (${f1(addedP50)} ms) (target p99 ≤ 5 ms)`, addedP99 <= 5]);
    }
  }
  for (const system of ['ours', 'ours-idx'] as const) {
    const high = find(system, input.highConcurrency, true);
    if (!high) continue;
    const p99 = (step: (typeof STEPS)[number]) => percentile(high.result.timings[step], 99);
    const others = Math.max(...STEPS.filter((step) => step !== 'start').map(p99));
    targets.push([
      `start step p99 / slowest other step's p99, ${input.highConcurrency} flows, paced, ${system}`,
      `${f2(p99('start') / others)} (${f1(p99('start'))} / ${f1(others)} ms) (target ≤ 2)`,
      p99('start') <= 2 * others,
    ]);
  }
  return targets;
}

function pairRows(pairs: readonly PairRounds[]): string[] {
  const rows = [
    '| systems | think time | round | ours flows/s | other flows/s | ours CPU ms/flow | other CPU ms/flow | CPU ratio | added p99 ms: start, verify, answer, reset |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const pair of pairs) {
    pair.rounds.forEach(({ ours, other }, index) => {
      const added = STEPS.map((step) => f1(percentile(ours.result.timings[step], 99) - percentile(other.result.timings[step], 99))).join(', ');
      rows.push(
        `| ${pair.system} + ${pair.other} | ${thinkLabel(ours)} | ${index + 1} | ${f1(flowsPerSecond(ours))} | ${f1(flowsPerSecond(other))} | ${f2(ours.cpuMsPerFlow)} | ${f2(other.cpuMsPerFlow)} | ${f2(ours.cpuMsPerFlow / other.cpuMsPerFlow)} | ${added} |`,
      );
    });
  }
  return rows;
}

function sideBySideTargets(input: ReportInput): Target[] {
  const targets: Target[] = [];
  for (const pair of input.pairs) {
    const byRound = (value: (ours: ScenarioFigures, other: ScenarioFigures) => number) => pair.rounds.map(({ ours, other }) => value(ours, other));
    const list = (values: number[], format: (value: number) => string) => values.map(format).join(', ');
    if (pair.thinkMs === 0) {
      const ratios = byRound((ours, other) => ours.cpuMsPerFlow / other.cpuMsPerFlow);
      const limit = pair.other === 'baseline' ? 1.2 : 3;
      targets.push([
        `CPU per flow, ${pair.system} / ${otherName[pair.other] ?? pair.other}, saturation, side by side`,
        `${f2(median(ratios))}× (median of ${ratios.length} rounds: ${list(ratios, f2)}) (target ≤ ${limit}×)`,
        median(ratios) <= limit,
      ]);
      const throughput = byRound((ours, other) => flowsPerSecond(ours) / flowsPerSecond(other));
      if (pair.other !== 'baseline') targets.push([`flows/s, ${pair.system} / ${otherName[pair.other] ?? pair.other}, saturation, side by side`, `${f2(median(throughput))}× (rounds: ${list(throughput, f2)}) (target ≥ 0.5×)`, median(throughput) >= 0.5]);
    } else {
      // A p99 of one 10 s round rests on its six slowest requests; the rounds' samples are pooled
      // (each round is a pair, so the pool stays balanced) and the p99 of the pool judged.
      for (const step of STEPS) {
        const pooled = (side: 'ours' | 'other') => percentile(pair.rounds.flatMap((round) => round[side].result.timings[step]), 99);
        const added = pooled('ours') - pooled('other');
        const byRoundAdded = byRound((ours, other) => percentile(ours.result.timings[step], 99) - percentile(other.result.timings[step], 99));
        targets.push([
          `added latency, ${step}, ${input.concurrency} flows, paced, side by side: p99 ${pair.system} − ${pair.other}`,
          `${f1(added)} ms (${f1(pooled('ours'))} − ${f1(pooled('other'))} ms, ${pair.rounds.length} rounds pooled; by round ${list(byRoundAdded, f1)}) (target ≤ 5 ms)`,
          added <= 5,
        ]);
      }
    }
  }
  return targets;
}

function resourceTargets(input: ReportInput, find: (target: System, concurrency: number, paced: boolean) => ScenarioFigures | undefined): Target[] {
  const targets: Target[] = [];
  for (const names of ENGINES) {
    const system = names.ours;
    const high = find(system, input.highConcurrency, true);
    const relay = find(names.relay, input.highConcurrency, true);
    if (high) {
      targets.push([`peak RSS, ${input.highConcurrency} flows, paced, ${system}`, `${f1(high.peakRssMib)} MiB (${names.relay} ${f1(relay?.peakRssMib ?? Number.NaN)} MiB) (target ≤ 150 MiB)`, high.peakRssMib <= 150]);
    }
    const saturated = find(system, input.concurrency, false);
    if (saturated) {
      // Beside it, what the same calls cost the floors: the bare relay and Koa over node:http.
      const floors = [names.relay, names.koa].map((name) => find(name, input.concurrency, false)?.allocatedKibPerRequest ?? Number.NaN);
      targets.push([
        `heap allocated per API request, ${system}, saturation`,
        `${f1(saturated.allocatedKibPerRequest)} KiB (${names.relay} ${f1(floors[0]!)}, ${names.koa} ${f1(floors[1]!)}) (target ≤ 50 KiB)`,
        saturated.allocatedKibPerRequest <= 50,
      ]);
    }
  }
  const classic = input.figures.filter((s) => s.target === 'ours');
  if (classic.length > 0) {
    const calls = Math.max(...classic.map((s) => s.oktaCallsPerFlow));
    targets.push(['Okta calls per Classic recovery (ours)', `${f2(calls)} (target 4)`, classic.every((s) => Math.abs(s.oktaCallsPerFlow - 4) < 0.01)]);
  }
  const idx = input.figures.filter((s) => s.target === 'ours-idx');
  if (idx.length > 0) {
    // Reported beside Classic's 4, not judged: the contract fixes the remediations, not our count.
    const relayCalls = input.figures.filter((s) => s.target === 'relay-idx').map((s) => f2(s.oktaCallsPerFlow));
    targets.push([
      'Okta calls per IDX recovery with the security question (ours), per scenario',
      `${idx.map((s) => f2(s.oktaCallsPerFlow)).join(', ')} (node:http relay over IDX: ${relayCalls.join(', ') || '–'}; Classic: 4)`,
      undefined,
    ]);
  }
  for (const s of input.figures.filter((figures) => figures.target === 'ours' || figures.target === 'ours-idx')) {
    targets.push([`peak open Okta connections, ${s.target}, ${s.concurrency} flows, ${thinkLabel(s)}`, `${s.peakOktaConnections} (target ≤ OKTA_MAX_SOCKETS = ${input.maxSockets})`, s.peakOktaConnections <= input.maxSockets]);
  }
  return targets;
}

function startTimeTargets(input: ReportInput): Target[] {
  const targets: Target[] = [];
  for (const [system, times] of Object.entries(input.knownUnknown) as [System, KnownUnknown][]) {
    for (const kind of ['known', 'locked', 'suspended'] as const) {
      const ratio = median(times[kind]) / median(times.unknown);
      targets.push([
        `start step, ${kind} / unknown user (median), ${system}`,
        `${f2(ratio)} (${f1(median(times[kind]))} / ${f1(median(times.unknown))} ms; means ${f1(mean(times[kind]))} / ${f1(mean(times.unknown))} ms; target 1.00 ± 0.05)`,
        system === 'ours' || system === 'ours-idx' ? Math.abs(ratio - 1) <= 0.05 : undefined,
      ]);
    }
  }
  return targets;
}

export function renderReport(input: ReportInput): string {
  const find = (target: System, concurrency: number, paced: boolean) =>
    input.figures.find((s) => s.target === target && s.concurrency === concurrency && (s.thinkMs > 0) === paced);
  const lines: string[] = [
    `# Benchmark — ${input.date}`,
    '',
    `Node ${input.node}, ${input.cpus} CPUs shared by our service (Classic and IDX, one process each), the Koa + got baseline, the node:http relay and Koa over node:http (each over Classic and over IDX), the emulator and the load generator (each its own process); load average ${input.loadAverage.map(f2).join(' ')} at the start; simulated Okta latency ${input.latencyMs} ms; ${input.durationS} s per scenario; service Node flags: ${input.serviceNodeFlags || 'none'}; run took ${f1(input.runtimeS)} s.`,
    '',
    '## Throughput and cost',
    '',
    ...scenarioRows(input.figures),
    '',
    '## Step latency as the client sees it',
    '',
    ...latencyRows(input.figures),
    '',
  ];
  if (input.pairs.length > 0) {
    lines.push(
      '## Side by side (ours and a baseline loaded at the same time, each with its own users)',
      '',
      'A round\'s ratio is of two processes that met the same minute of the machine; apart (above), each met its own.',
      '',
      ...pairRows(input.pairs),
      '',
    );
  }
  const failures = [...input.figures, ...input.pairs.flatMap((pair) => pair.rounds.flatMap((round) => [round.ours, round.other]))].filter((s) => s.result.failures > 0);
  for (const s of failures) lines.push(`- ${s.target} at ${s.concurrency}: first failure: ${s.result.firstFailure}`);
  if (failures.length > 0) lines.push('');

  const targets = [...costTargets(input, find), ...sideBySideTargets(input), ...latencyTargets(input, find), ...resourceTargets(input, find), ...startTimeTargets(input)];
  lines.push('## Targets', '', '| measure | result | met |', '|---|---|---|');
  for (const [name, value, met] of targets) lines.push(`| ${name} | ${value} | ${met === undefined ? '–' : met ? 'yes' : '**no**'} |`);
  lines.push('');
  return lines.join('\n');
}
