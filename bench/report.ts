/** The benchmark's report: one markdown document, figures first, then the targets met or missed. */
import { percentile, STEPS, type LoadResult } from './load.js';

export interface ScenarioFigures {
  readonly target: 'ours' | 'baseline';
  readonly concurrency: number;
  readonly result: LoadResult;
  readonly cpuMsPerFlow: number;
  readonly peakRssMb: number;
  readonly oktaCallsPerFlow: number;
  readonly oktaConnectionsPer1000: number;
  readonly peakOktaConnections: number;
}

export interface KnownUnknown {
  readonly known: number[];
  readonly unknown: number[];
}

const f1 = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '–');
const f2 = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '–');
const flowsPerSecond = (figures: ScenarioFigures) => figures.result.flows / (figures.result.elapsedMs / 1000);
const median = (values: readonly number[]) => percentile(values, 50);
const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

function scenarioRows(all: readonly ScenarioFigures[]): string[] {
  const rows = [
    '| system | concurrent flows | flows | failed | flows/s | CPU ms/flow | peak RSS MB | Okta calls/flow | Okta connections opened /1000 flows | peak open Okta connections |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of all) {
    rows.push(
      `| ${s.target} | ${s.concurrency} | ${s.result.flows} | ${s.result.failures} | ${f1(flowsPerSecond(s))} | ${f2(s.cpuMsPerFlow)} | ${f1(s.peakRssMb)} | ${f2(s.oktaCallsPerFlow)} | ${f1(s.oktaConnectionsPer1000)} | ${s.peakOktaConnections} |`,
    );
  }
  return rows;
}

function latencyRows(all: readonly ScenarioFigures[]): string[] {
  const rows = ['| system | concurrent flows | step | p50 ms | p95 ms | p99 ms |', '|---|---:|---|---:|---:|---:|'];
  for (const s of all) {
    for (const step of STEPS) {
      const values = s.result.timings[step];
      rows.push(`| ${s.target} | ${s.concurrency} | ${step} | ${f1(percentile(values, 50))} | ${f1(percentile(values, 95))} | ${f1(percentile(values, 99))} |`);
    }
  }
  return rows;
}

export function renderReport(input: {
  date: string;
  node: string;
  cpus: number;
  latencyMs: number;
  concurrency: number;
  highConcurrency: number;
  durationS: number;
  figures: readonly ScenarioFigures[];
  knownUnknown: KnownUnknown;
  runtimeS: number;
}): string {
  const find = (target: 'ours' | 'baseline', concurrency: number) => input.figures.find((s) => s.target === target && s.concurrency === concurrency);
  const ours = find('ours', input.concurrency);
  const base = find('baseline', input.concurrency);
  const oursHigh = find('ours', input.highConcurrency);
  const baseHigh = find('baseline', input.highConcurrency);
  const lines: string[] = [
    `# Benchmark — ${input.date}`,
    '',
    `Node ${input.node}, ${input.cpus} CPUs (shared with the load generator and the emulator), simulated Okta latency ${input.latencyMs} ms, ${input.durationS} s per scenario at ${input.concurrency} flows (${input.durationS * 0.75} s at ${input.highConcurrency}); run took ${f1(input.runtimeS)} s.`,
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
  const failures = input.figures.filter((s) => s.result.failures > 0);
  for (const s of failures) lines.push(`- ${s.target} at ${s.concurrency}: first failure: ${s.result.firstFailure}`);
  if (failures.length > 0) lines.push('');

  const ratio = (a: number, b: number) => a / b;
  const targets: [string, string, boolean][] = [];
  if (ours && base) {
    const throughput = ratio(flowsPerSecond(ours), flowsPerSecond(base));
    targets.push([`flows/s, ours / baseline at ${input.concurrency}`, `${f2(throughput)}× (target ≥ 0.85×)`, throughput >= 0.85]);
    for (const step of STEPS) {
      const added = percentile(ours.result.timings[step], 99) - percentile(base.result.timings[step], 99);
      targets.push([`p99 added latency, ${step}, at ${input.concurrency}`, `${f1(added)} ms (target ≤ 5 ms)`, added <= 5]);
    }
    targets.push([`CPU per flow, ours / baseline at ${input.concurrency}`, `${f2(ratio(ours.cpuMsPerFlow, base.cpuMsPerFlow))}× (no target)`, true]);
    targets.push(['Okta calls per flow (ours)', `${f2(ours.oktaCallsPerFlow)} (target 4)`, Math.abs(ours.oktaCallsPerFlow - 4) < 0.01]);
    targets.push([`peak open Okta connections at ${input.concurrency}`, `${ours.peakOktaConnections} (target ≤ ${input.concurrency})`, ours.peakOktaConnections <= input.concurrency]);
  }
  if (oursHigh && baseHigh) {
    targets.push([`flows/s, ours / baseline at ${input.highConcurrency}`, `${f2(ratio(flowsPerSecond(oursHigh), flowsPerSecond(baseHigh)))}× (no target)`, true]);
    targets.push([`peak open Okta connections at ${input.highConcurrency}`, `${oursHigh.peakOktaConnections} (target ≤ ${input.highConcurrency})`, oursHigh.peakOktaConnections <= input.highConcurrency]);
    targets.push([`peak RSS at ${input.highConcurrency} concurrent flows (ours)`, `${f1(oursHigh.peakRssMb)} MB (target ≤ 150 MB)`, oursHigh.peakRssMb <= 150]);
  }
  const { known, unknown } = input.knownUnknown;
  const knownRatio = ratio(median(known), median(unknown));
  targets.push([
    'start step, known / unknown user (median)',
    `${f2(knownRatio)} (${f1(median(known))} / ${f1(median(unknown))} ms; means ${f1(mean(known))} / ${f1(mean(unknown))} ms; target 1.00 ± 0.05)`,
    Math.abs(knownRatio - 1) <= 0.05,
  ]);
  lines.push('## Targets', '', '| measure | result | met |', '|---|---|---|');
  for (const [name, value, met] of targets) lines.push(`| ${name} | ${value} | ${met ? 'yes' : '**no**'} |`);
  lines.push('');
  return lines.join('\n');
}
