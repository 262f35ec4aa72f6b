/**
 * Production smoke test: `node dist/scripts/prod-smoke.js <app-dir>` (run by scripts/prod-smoke.sh,
 * which first assembles <app-dir> with scripts/build-prod.sh).
 *
 * Starts the Okta emulator from this (full) tree, then the service from <app-dir> — the pruned
 * production install — as operators run it: `node dist/src/index.js`, NODE_ENV=production, its
 * configuration only from the environment. Checks that no development dependency was installed,
 * that /healthz and /readyz answer 200, drives one recovery to completion through the JSON API
 * (the link read from the emulator's outbox), signs in with the new password, and stops the
 * service with SIGTERM expecting exit code 0. Exits non-zero, saying which step failed, otherwise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const STEP_TIMEOUT_MS = 20_000;
const USER = 'alice@example.com';
const ANSWER = 'Brussels sprouts';

const appDir = path.resolve(process.argv[2] ?? '');
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const children: ChildProcess[] = [];

function step(message: string): void {
  console.log(`prod-smoke: ${message}`);
}

function fail(message: string): never {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  console.error(`prod-smoke: FAILED: ${message}`);
  process.exit(1);
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) fail(message);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts `node <script>` in `cwd` and resolves with the first stdout line `pick` accepts. */
function startNode(name: string, script: string, cwd: string, environment: Record<string, string>, pick: (line: string) => string | undefined) {
  // Only what we pass: the service must run on its own configuration, nothing inherited.
  const child = spawn(process.execPath, [script], { cwd, env: { PATH: process.env.PATH ?? '', ...environment }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const output: string[] = [];
  // 'close', not 'exit': the process has ended and its stdout and stderr are read to the end.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const ready = new Promise<string>((resolve) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      const found = pick(line);
      if (found !== undefined) resolve(found);
    });
    createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  });
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), STEP_TIMEOUT_MS).unref());
  const started = Promise.race([ready, timeout, exited.then((code) => Promise.reject(new Error(`exited with ${code}`)))]).catch((error: Error) =>
    fail(`${name} did not start (${error.message}):\n${output.join('\n')}`),
  );
  return { child, output, exited, started };
}

function jsonLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

async function call(url: string, init: RequestInit & { cookie?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.cookie) headers.set('cookie', init.cookie);
  const response = await fetch(url, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(STEP_TIMEOUT_MS) });
  const text = await response.text();
  const cookie = response.headers.getSetCookie().map((value) => value.split(';')[0]).join('; ');
  return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown>, cookie };
}

/** The start answers before Okta is asked (after the response), so the email comes a moment later. */
async function recoveryLink(oktaUrl: string): Promise<string | undefined> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const outbox = (await call(`${oktaUrl}/__emulator/outbox`)).json() as unknown as { to: string; link?: string }[];
    const link = [...outbox].reverse().find((mail) => mail.to.includes(USER) && mail.link)?.link;
    if (link) return link;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

async function main(): Promise<void> {
  check(process.argv[2] && existsSync(path.join(appDir, 'dist', 'src', 'index.js')), `usage: prod-smoke <app-dir built by scripts/build-prod.sh>; no dist/src/index.js in ${appDir}`);
  step(`Node ${process.version}; app ${appDir}`);

  // The pruned install: production dependencies only.
  const devDependencies = Object.keys((JSON.parse(readFileSync(path.join(appDir, 'package.json'), 'utf8')) as { devDependencies?: object }).devDependencies ?? {});
  const present = devDependencies.filter((name) => existsSync(path.join(appDir, 'node_modules', name)));
  check(present.length === 0, `development dependencies installed in ${appDir}: ${present.join(', ')}`);
  step(`no development dependency installed (${devDependencies.length} checked)`);

  const servicePort = await freePort();
  const publicUrl = `http://127.0.0.1:${servicePort}`;
  const emulator = startNode('emulator', 'dist/src/emulator/main.js', repoRoot, { EMULATOR_PORT: '0', PUBLIC_URL: publicUrl }, (line) => /listening on (http:\S+)/.exec(line)?.[1]);
  const oktaUrl = await emulator.started;
  step(`emulator at ${oktaUrl}`);

  const service = startNode(
    'service',
    'dist/src/index.js',
    appDir,
    {
      NODE_ENV: 'production',
      OKTA_ORG_URL: oktaUrl,
      PUBLIC_URL: publicUrl,
      COOKIE_SECRET: randomBytes(48).toString('base64'),
      HOST: '127.0.0.1',
      PORT: String(servicePort),
      LOG_LEVEL: 'info',
    },
    (line) => (jsonLine(line)?.event === 'service.started' ? String(jsonLine(line)?.url) : undefined),
  );
  const serviceUrl = await service.started;
  step(`service (NODE_ENV=production) at ${serviceUrl}`);

  for (const probe of ['/healthz', '/readyz']) {
    const response = await call(`${serviceUrl}${probe}`);
    check(response.status === 200, `${probe} answered ${response.status}: ${response.text}`);
    step(`${probe} 200`);
  }

  const json = { 'content-type': 'application/json' };
  const start = await call(`${serviceUrl}/api/recovery/start`, { method: 'POST', headers: json, body: JSON.stringify({ username: USER }) });
  check(start.status === 202, `start answered ${start.status}: ${start.text}`);

  const link = await recoveryLink(oktaUrl);
  check(link !== undefined && link.startsWith(`${publicUrl}/reset-password/`), `no recovery link for ${USER} on ${publicUrl} in the emulator's outbox`);
  const token = decodeURIComponent(new URL(link).pathname.split('/').pop() ?? '');
  step('start 202, recovery email sent with a link on PUBLIC_URL');

  const verify = await call(`${serviceUrl}/api/recovery/verify`, { method: 'POST', headers: json, body: JSON.stringify({ token }) });
  check(verify.status === 200 && verify.json().status === 'RECOVERY' && verify.cookie, `verify answered ${verify.status}: ${verify.text}`);
  const answer = await call(`${serviceUrl}/api/recovery/answer`, { method: 'POST', headers: json, body: JSON.stringify({ answer: ANSWER }), cookie: verify.cookie });
  check(answer.status === 200 && answer.json().status === 'PASSWORD_RESET', `answer answered ${answer.status}: ${answer.text}`);
  const newPassword = `Smoke-${randomBytes(6).toString('hex')}-Aa1`;
  const reset = await call(`${serviceUrl}/api/recovery/reset`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ newPassword }),
    cookie: answer.cookie || verify.cookie,
  });
  check(reset.status === 200 && reset.json().status === 'SUCCESS', `reset answered ${reset.status}: ${reset.text}`);
  step('verify 200 RECOVERY, answer 200 PASSWORD_RESET, reset 200 SUCCESS');

  const signIn = await call(`${oktaUrl}/api/v1/authn`, { method: 'POST', headers: { ...json, accept: 'application/json' }, body: JSON.stringify({ username: USER, password: newPassword }) });
  check(signIn.status === 200 && signIn.json().status === 'SUCCESS', `sign-in with the new password answered ${signIn.status}: ${signIn.text}`);
  step('the new password signs in');

  service.child.kill('SIGTERM');
  const code = await service.exited;
  check(code === 0, `the service exited with ${code} after SIGTERM:\n${service.output.slice(-20).join('\n')}`);
  step('SIGTERM: exit 0');
  // Read once the service has exited: log lines reach stdout in batches, and the exit writes the last ones.
  const audit = service.output.map(jsonLine).filter((line) => line?.event === 'recovery.reset');
  check(audit.some((line) => line?.outcome === 'password-changed'), 'no recovery.reset password-changed audit line in the service log');
  check(!service.output.some((line) => line.includes(token) || line.includes(newPassword)), 'a secret (token or password) reached the service log');
  step('the log: the reset\'s audit line, and no secret');
  emulator.child.kill('SIGTERM');
  await emulator.exited;
  step('passed');
}

main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
