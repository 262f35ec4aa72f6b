/**
 * Starting the benchmark's processes and reading what the kernel knows about them: CPU time
 * (utime + stime from /proc/<pid>/stat) and peak resident memory (VmHWM from /proc/<pid>/status).
 * Reading from outside means the service under test runs unchanged, as `node dist/src/index.js`.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ProbeReading } from './heap-probe.js';
import type { LoadResult } from './load.js';
import { BENCH_IDX_CLIENT_ID, type Client, type EmulatorReply, type EmulatorRequest, type EmulatorStats } from './protocol.js';

/** Linux's USER_HZ: /proc reports CPU time in ticks of 1/100 s on every common kernel build. */
const TICKS_PER_SECOND = 100;

export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at index 2 (state).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export function peakRssMib(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}

/**
 * Starts a new high-water mark (writing 5 to clear_refs, Linux ≥ 4.0), so each scenario's peak is
 * its own and not an earlier, heavier scenario's. Where the kernel refuses, the peak stays the
 * process's lifetime peak (an upper bound).
 */
export function resetPeakRss(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // not permitted here: lifetime peak
  }
}

export async function freePort(): Promise<number> {
  // Below the kernel's range for outgoing connections: a port is chosen seconds before its process
  // listens on it, and one from that range (what port 0 gives) was taken meanwhile by a client
  // socket of another process often enough to end a run with EADDRINUSE.
  const below = ephemeralLow();
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * (below - 10_000));
    if (await listensOn(port)) return port;
  }
  throw new Error(`no free port between 10000 and ${below}`);
}

/** The first port of net.ipv4.ip_local_port_range (Linux), 32768 where it cannot be read. */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return low > 11_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function listensOn(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function readyMessage<T>(child: ChildProcess, what: string, field: 'url' | 'urls'): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code} before it was ready`)));
    child.on('message', (message: Record<string, unknown>) => {
      if (message.type === 'ready' && message[field]) resolve(message[field] as T);
    });
  });
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface EmulatorProcess {
  readonly child: ChildProcess;
  readonly urls: Record<Client, string>;
  tokens(logins: string[]): Promise<string[]>;
  codes(logins: string[]): Promise<string[]>;
  stats(client: Client): Promise<EmulatorStats>;
}

export async function startEmulatorProcess(script: string, env: Record<string, string>): Promise<EmulatorProcess> {
  const child = fork(script, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const urls = await readyMessage<Record<Client, string>>(child, 'the emulator', 'urls');
  let nextId = 0;
  const pending = new Map<number, (reply: EmulatorReply) => void>();
  child.on('message', (reply: EmulatorReply) => {
    if ('id' in reply) {
      pending.get(reply.id)?.(reply);
      pending.delete(reply.id);
    }
  });
  const ask = (request: DistributiveOmit<EmulatorRequest, 'id'>): Promise<EmulatorReply> =>
    new Promise((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      child.send({ ...request, id });
    });
  return {
    child,
    urls,
    async tokens(logins) {
      const reply = await ask({ type: 'tokens', logins });
      return reply.type === 'tokens' ? reply.tokens : [];
    },
    async codes(logins) {
      const reply = await ask({ type: 'codes', logins });
      return reply.type === 'tokens' ? reply.tokens : [];
    },
    async stats(client) {
      const reply = await ask({ type: 'stats', client });
      if (reply.type !== 'stats') throw new Error('unexpected reply');
      return { connections: reply.connections, open: reply.open, peakOpen: reply.peakOpen, apiCalls: reply.apiCalls };
    },
  };
}

export const BASELINES = ['baseline', 'relay', 'koa', 'relay-idx', 'koa-idx'] as const;
export type BaselineSystem = (typeof BASELINES)[number];

/**
 * Each baseline's script, beside this file, and the engine it relays: Koa + got, the bare
 * node:http relay and Koa over node:http over Classic; the last two again over Identity Engine.
 */
const BASELINE_SCRIPTS: Record<BaselineSystem, [script: string, engine: 'classic' | 'idx']> = {
  baseline: ['baseline-process.js', 'classic'],
  relay: ['relay-process.js', 'classic'],
  koa: ['koa-relay-process.js', 'classic'],
  'relay-idx': ['relay-process.js', 'idx'],
  'koa-idx': ['koa-relay-process.js', 'idx'],
};

/** A baseline relaying to the emulator at `oktaUrl`, with the heap probe loaded (nodeFlags). */
export async function startBaselineProcess(
  system: BaselineSystem,
  options: { oktaUrl: string; maxSockets: number; probePort: number; idxRedirectUri?: string },
  nodeFlags: string[] = [],
): Promise<{ child: ChildProcess; url: string }> {
  const [file, engine] = BASELINE_SCRIPTS[system];
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), file);
  const env = {
    OKTA_ORG_URL: options.oktaUrl,
    OKTA_MAX_SOCKETS: String(options.maxSockets),
    BENCH_PROBE_PORT: String(options.probePort),
    BENCH_RELAY_ENGINE: engine,
    BENCH_IDX_REDIRECT_URI: options.idxRedirectUri ?? '',
  };
  const child = fork(script, [], { env: { ...process.env, ...env }, execArgv: nodeFlags, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return { child, url: await readyMessage<string>(child, `the baseline ${path.basename(script)}`, 'url') };
}

/** What one process cost over one load: read from outside (/proc) and from its heap probe. */
export interface ProcessCost {
  readonly result: LoadResult;
  readonly cpuMsPerFlow: number;
  /** Peak resident memory during this load alone (the kernel's high-water mark, reset before it). */
  readonly peakRssMib: number;
  /** JavaScript heap allocated per HTTP request answered, in KiB. */
  readonly allocatedKibPerRequest: number;
  readonly gcPausesMs: readonly number[];
  /** What young-generation collections moved to the old generation, per HTTP request answered, in KiB. */
  readonly promotedKibPerRequest: number;
  /** Full (mark-compact) collections during the load. */
  readonly fullGcs: number;
  /** Heap left after the fullest full GC (the live set), MiB; NaN when none ran. */
  readonly liveHeapMib: number;
}

/**
 * Runs `load` against the process `pid` (its heap probe on `probePort`) and says what it cost.
 * `settle` runs after the load and before the CPU is read: work the process does after its last
 * answer (calls to Okta made after responding) belongs to the load.
 */
export async function measureLoad(pid: number, probePort: number, load: () => Promise<LoadResult>, settle?: () => Promise<void>): Promise<ProcessCost> {
  resetPeakRss(pid);
  await readProbe(probePort);
  const cpuBefore = cpuSeconds(pid);
  const result = await load();
  await settle?.();
  const cpu = cpuSeconds(pid) - cpuBefore;
  const heap = await readProbe(probePort);
  const requests = Object.values(result.timings).reduce((sum, values) => sum + values.length, 0);
  return {
    result,
    cpuMsPerFlow: (cpu * 1000) / Math.max(1, result.flows),
    peakRssMib: peakRssMib(pid),
    allocatedKibPerRequest: heap.allocatedBytes / 1024 / Math.max(1, requests),
    gcPausesMs: heap.pausesMs,
    promotedKibPerRequest: heap.promotedBytes / 1024 / Math.max(1, requests),
    fullGcs: heap.fullGcs,
    liveHeapMib: heap.liveHeapBytes === null ? Number.NaN : heap.liveHeapBytes / 1024 / 1024,
  };
}

/** `node --import` flags that load the heap probe (heap-probe.ts) into a measured process. */
export function probeFlags(probeScript: string): string[] {
  return ['--import', pathToFileURL(probeScript).href];
}

/** BENCH_HEAP_PROFILE: writes the process's allocation profile; answers the file's path. */
export async function writeHeapProfile(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/heap-profile`);
  return ((await response.json()) as { file: string }).file;
}

/** What the process's heap probe counted since the previous read. */
export async function readProbe(port: number): Promise<ProbeReading> {
  const response = await fetch(`http://127.0.0.1:${port}/`);
  return (await response.json()) as ProbeReading;
}

/** The service exactly as operators start it; its JSON logs go to /dev/null (serialised, not stored). */
export async function startServiceProcess(entry: string, env: Record<string, string>, url: string, nodeFlags: string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeFlags, entry], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  // No IPC channel ends it with us (the forked processes exit on 'disconnect'): a failed run
  // would otherwise leave the service listening, and loading the next run's machine.
  process.once('exit', () => child.kill('SIGKILL'));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the service did not become ready in 20 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The Node flags production runs the service with: those `npm start` passes to node (package.json,
 * mirrored by the Dockerfile's CMD). The benches use them unless told otherwise.
 */
export function shippedNodeFlags(projectRoot: string): string {
  const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  return (/\bnode((?:\s+--\S+)*)\s+dist\/src\/index\.js/.exec(pkg.scripts['start:prod'] ?? '')?.[1] ?? '').trim();
}

/**
 * The service's environment in every bench (run.ts, ab.ts): production mode against the emulator,
 * with the abuse limits and the Okta budget on (their counting is part of the cost measured) but
 * thresholds one load generator (one client IP, a few usernames) never meets.
 */
export function benchServiceEnv(options: { engine: 'classic' | 'idx'; oktaUrl: string; url: string; port: number; probePort: number; maxSockets: number; instance?: string }): Record<string, string> {
  const { engine } = options;
  return {
    NODE_ENV: 'production',
    OKTA_ORG_URL: options.oktaUrl,
    // The emulated org is an Identity Engine org that keeps Classic's API: no auto-detection.
    OKTA_ENGINE: engine,
    ...(engine === 'idx' ? { OKTA_CLIENT_ID: BENCH_IDX_CLIENT_ID } : {}),
    PUBLIC_URL: options.url,
    PORT: String(options.port),
    HOST: '127.0.0.1',
    COOKIE_SECRET: 'benchmark-cookie-secret-of-at-least-32-bytes',
    LOG_LEVEL: 'info',
    OKTA_MAX_SOCKETS: String(options.maxSockets),
    RATE_LIMIT_START_PER_IP: '100000000/1m',
    RATE_LIMIT_START_PER_USERNAME: '100000000/1m',
    RATE_LIMIT_VERIFY_PER_IP: '100000000/1m',
    OKTA_CALL_BUDGET_PER_MINUTE: '1000000',
    OKTA_RATE_LIMIT_RESERVE: '0',
    // BENCH_REDIS_URL: count in Redis, as a multi-instance deployment does.
    ...(process.env.BENCH_REDIS_URL ? { REDIS_URL: process.env.BENCH_REDIS_URL, REDIS_KEY_PREFIX: `bench-${process.pid}-${options.instance ?? engine}` } : {}),
    BENCH_PROBE_PORT: String(options.probePort),
    // BENCH_SERVICE_ENV="NAME=value NAME=value": more of the service's variables, for an experiment.
    ...Object.fromEntries((process.env.BENCH_SERVICE_ENV ?? '').split(' ').filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])),
  };
}

/**
 * What the email carries (Classic's token, IDX's code) for a login, asked of the emulator for all
 * the logins that want one in the same event-loop turn at once, so IPC stays out of the way.
 */
export function batched(fetchAll: (logins: string[]) => Promise<string[]>): (login: string) => Promise<string> {
  let queue: { login: string; resolve: (secret: string) => void }[] = [];
  return (login) =>
    new Promise<string>((resolve) => {
      if (queue.length === 0) {
        setImmediate(async () => {
          const batch = queue;
          queue = [];
          const secrets = await fetchAll(batch.map((entry) => entry.login));
          batch.forEach((entry, index) => entry.resolve(secrets[index] ?? ''));
        });
      }
      queue.push({ login, resolve });
    });
}
