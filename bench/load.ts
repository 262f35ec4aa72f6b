/**
 * The load generator: N virtual users, each running whole recoveries (start, verify, answer,
 * reset) back to back until the time is up, timing every step as the client sees it. The service
 * and both baselines are driven through the same four steps; only the wire shape differs (our
 * flow rides in a sealed cookie, the baselines' stateToken or stateHandle in JSON). Over Identity
 * Engine our flow's cookie starts at the start step, and "verify" is the emailed code.
 */
import http from 'node:http';
import type { Client } from './protocol.js';

export const STEPS = ['start', 'verify', 'answer', 'reset'] as const;
export type Step = (typeof STEPS)[number];

/** Every system the bench can load (protocol.ts's CLIENTS): the emulator serves each on a listener of its own. */
export type System = Client;

/** The systems over Identity Engine: their "verify" is the emailed code. */
export function overIdx(system: System): boolean {
  return system === 'ours-idx' || system === 'relay-idx' || system === 'koa-idx';
}

export interface Target {
  readonly name: System;
  readonly url: string;
}

interface Reply {
  status: number;
  cookies: string[];
  json: Record<string, unknown>;
}

/**
 * Each virtual user has its own keep-alive connection, as a browser would; a shared pool would
 * churn connections and measure the listen backlog instead of the service. Idle sockets are
 * dropped before the servers' 5 s keep-alive timeout, so no request races a closing socket.
 */
export function userAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 1, timeout: 4000 });
}

const sharedAgent = new http.Agent({ keepAlive: true, timeout: 4000 });

export function postJson(url: string, body: unknown, cookie?: string, agent: http.Agent = sharedAgent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), accept: 'application/json' };
    if (cookie) headers.cookie = cookie;
    const request = http.request(url, { method: 'POST', agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
        } catch {
          json = {};
        }
        const setCookie = response.headers['set-cookie'] ?? [];
        resolve({ status: response.statusCode ?? 0, cookies: setCookie.map((line) => line.split(';')[0] ?? ''), json });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(text);
  });
}

/** Step latencies in ms, per step. */
export type Timings = Record<Step, number[]>;

export interface FlowInput {
  readonly login: string;
  readonly token: string;
  readonly answer: string;
  readonly newPassword: string;
}

class StepFailed extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function timed(timings: Timings, step: Step, call: () => Promise<Reply>, expected: number, thinkMs: number): Promise<Reply> {
  // A person reads the page (or the email) before the next step; 0 = back-to-back, a saturation test.
  if (thinkMs > 0) await sleep(thinkMs * (0.5 + Math.random()));
  const startedAt = performance.now();
  const reply = await call();
  timings[step].push(performance.now() - startedAt);
  if (reply.status !== expected) throw new StepFailed(`${step} answered ${reply.status} ${JSON.stringify(reply.json).slice(0, 200)}`);
  return reply;
}

/**
 * One whole recovery; `tokenFor` stands in for the user opening the email (not timed): Classic's
 * recovery token, or the IDX code.
 */
export async function runFlow(
  target: Target,
  input: Omit<FlowInput, 'token'>,
  tokenFor: (login: string) => Promise<string>,
  timings: Timings,
  thinkMs = 0,
  agent?: http.Agent,
): Promise<void> {
  if (target.name === 'ours') {
    const api = `${target.url}/api/recovery`;
    await timed(timings, 'start', () => postJson(`${api}/start`, { username: input.login }, undefined, agent), 202, thinkMs);
    const token = await tokenFor(input.login);
    const verified = await timed(timings, 'verify', () => postJson(`${api}/verify`, { token }, undefined, agent), 200, thinkMs);
    let cookie = verified.cookies.join('; ');
    const answered = await timed(timings, 'answer', () => postJson(`${api}/answer`, { answer: input.answer }, cookie, agent), 200, thinkMs);
    if (answered.cookies.length > 0) cookie = answered.cookies.join('; ');
    await timed(timings, 'reset', () => postJson(`${api}/reset`, { newPassword: input.newPassword }, cookie, agent), 200, thinkMs);
    return;
  }
  if (target.name === 'ours-idx') {
    const api = `${target.url}/api/recovery`;
    const started = await timed(timings, 'start', () => postJson(`${api}/start`, { username: input.login }, undefined, agent), 202, thinkMs);
    let cookie = started.cookies.join('; ');
    const code = await tokenFor(input.login);
    const verified = await timed(timings, 'verify', () => postJson(`${api}/verify-code`, { code }, cookie, agent), 200, thinkMs);
    if (verified.cookies.length > 0) cookie = verified.cookies.join('; ');
    const answered = await timed(timings, 'answer', () => postJson(`${api}/answer`, { answer: input.answer }, cookie, agent), 200, thinkMs);
    if (answered.cookies.length > 0) cookie = answered.cookies.join('; ');
    await timed(timings, 'reset', () => postJson(`${api}/reset`, { newPassword: input.newPassword }, cookie, agent), 200, thinkMs);
    return;
  }
  if (overIdx(target.name)) {
    const started = await timed(timings, 'start', () => postJson(`${target.url}/start`, { username: input.login }, undefined, agent), 202, thinkMs);
    const code = await tokenFor(input.login);
    const verified = await timed(timings, 'verify', () => postJson(`${target.url}/verify`, { stateHandle: started.json.stateHandle, code }, undefined, agent), 200, thinkMs);
    const { stateHandle, questionKey } = verified.json;
    const answered = await timed(timings, 'answer', () => postJson(`${target.url}/answer`, { stateHandle, questionKey, answer: input.answer }, undefined, agent), 200, thinkMs);
    await timed(timings, 'reset', () => postJson(`${target.url}/reset`, { stateHandle: answered.json.stateHandle, newPassword: input.newPassword }, undefined, agent), 200, thinkMs);
    return;
  }
  await timed(timings, 'start', () => postJson(`${target.url}/start`, { username: input.login }, undefined, agent), 202, thinkMs);
  const token = await tokenFor(input.login);
  const verified = await timed(timings, 'verify', () => postJson(`${target.url}/verify`, { recoveryToken: token }, undefined, agent), 200, thinkMs);
  const answered = await timed(timings, 'answer', () => postJson(`${target.url}/answer`, { stateToken: verified.json.stateToken, answer: input.answer }, undefined, agent), 200, thinkMs);
  await timed(timings, 'reset', () => postJson(`${target.url}/reset`, { stateToken: answered.json.stateToken, newPassword: input.newPassword }, undefined, agent), 200, thinkMs);
}

/** Across every run in this process, so no flow picks the password its user already has. */
let passwordSerial = 0;

export interface LoadResult {
  readonly flows: number;
  readonly failures: number;
  readonly firstFailure: string | undefined;
  readonly elapsedMs: number;
  readonly timings: Timings;
}

/**
 * `concurrency` virtual users, user i always recovering login i (so no two flows share a user),
 * starting new flows until `durationMs` has passed, then waiting for the ones under way.
 */
export async function runLoad(options: {
  target: Target;
  concurrency: number;
  durationMs: number;
  login: (index: number) => string;
  answer: string;
  tokenFor: (login: string) => Promise<string>;
  /** Mean pause before each step (uniform in 0.5–1.5×); 0 for a closed loop. */
  thinkMs?: number;
}): Promise<LoadResult> {
  const timings: Timings = { start: [], verify: [], answer: [], reset: [] };
  let flows = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  const startedAt = performance.now();
  const deadline = startedAt + options.durationMs;
  await Promise.all(
    Array.from({ length: options.concurrency }, async (_, index) => {
      const login = options.login(index);
      const agent = userAgent();
      // Users arrive over the first second, not in one instant: 1000 simultaneous TCP handshakes
      // would overflow the listen backlog and measure the kernel's SYN retries.
      await sleep(Math.random() * 1000);
      while (performance.now() < deadline) {
        passwordSerial += 1;
        try {
          await runFlow(options.target, { login, answer: options.answer, newPassword: `Zq-${passwordSerial}-Horse9` }, options.tokenFor, timings, options.thinkMs ?? 0, agent);
          flows += 1;
        } catch (error) {
          failures += 1;
          firstFailure ??= error instanceof Error ? error.message : String(error);
        }
      }
      agent.destroy();
    }),
  );
  return { flows, failures, firstFailure, elapsedMs: performance.now() - startedAt, timings };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
