/**
 * The service as operators run it: compiled by tsc and started as its own Node process
 * (`node <outDir>/src/index.js`), configured only through its environment, its JSON log lines read
 * from stdout. Each test file builds into its own directory, so suites running in parallel never
 * read a half-written file of another's build.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { promisify } from 'node:util';

export interface BuiltService {
  readonly child: ChildProcess;
  readonly url: string;
  /** Every log line so far, parsed. */
  readonly lines: Record<string, unknown>[];
  /** SIGTERM, then resolves with the exit code and signal. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Compiles src/ into `<project>/<outDir>`; returns the entry script's path. */
export async function buildService(outDir: string): Promise<string> {
  await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: process.cwd() });
  return path.join(outDir, 'src', 'index.js');
}

export async function startBuiltService(entry: string, environment: Record<string, string>): Promise<BuiltService> {
  const child = spawn(process.execPath, [entry], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...environment },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const lines: Record<string, unknown>[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    void exited.then(({ code }) => reject(new Error(`service exited early with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      lines.push(parsed);
      if (parsed.event === 'service.started') resolve(String(parsed.url));
    });
  });
  return {
    child,
    url,
    lines,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
