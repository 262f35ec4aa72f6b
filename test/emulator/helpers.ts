/** Shared test plumbing: an emulator on port 0 with a ManualClock, and a tiny JSON client. */
import { ManualClock } from '../../src/clock.js';
import { startEmulator } from '../../src/emulator/index.js';
import type { EmulatorOptions, RunningEmulator } from '../../src/emulator/index.js';

export const PUBLIC_URL = 'https://account.example.test';
export const API_TOKEN = 'test-api-token-0123456789';
/** A fixed start far from any window edge, so second/minute buckets behave predictably. */
export const T0 = Date.UTC(2025, 0, 15, 10, 0, 0);

export interface TestEmulator extends RunningEmulator {
  clock: ManualClock;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
}

export interface Reply {
  status: number;
  // Okta bodies are open JSON; tests index into them freely.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Headers;
}

const running: RunningEmulator[] = [];

export async function emulator(options: Partial<EmulatorOptions> = {}): Promise<TestEmulator> {
  const clock = new ManualClock(T0);
  const e = await startEmulator({ publicUrl: PUBLIC_URL, apiToken: API_TOKEN, clock, ...options });
  running.push(e);
  const post = async (path: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<Reply> => {
    const res = await fetch(`${e.url}/api/v1/authn${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers };
  };
  return Object.assign(e, { clock: options.clock instanceof ManualClock ? options.clock : clock, post });
}

export async function closeAll(): Promise<void> {
  await Promise.all(running.splice(0).map((e) => e.close()));
}

export const trusted = { authorization: `SSWS ${API_TOKEN}` };

/** Public EMAIL recovery, then the token from the newest e-mail's link. */
export async function tokenFromEmail(e: TestEmulator, login: string, path = '/recovery/password'): Promise<string> {
  const before = e.outbox.length;
  const res = await e.post(path, { username: login, factorType: 'EMAIL' });
  expect(res.status).toBe(200);
  expect(e.outbox.length).toBe(before + 1);
  const link = e.outbox[e.outbox.length - 1]?.link ?? '';
  return link.slice(link.lastIndexOf('/') + 1);
}

/** Trusted variant: the recoveryToken straight from the API (§1.5). */
export async function trustedToken(e: TestEmulator, login: string, extra: object = {}, path = '/recovery/password'): Promise<string> {
  const res = await e.post(path, { username: login, ...extra }, trusted);
  expect(res.status).toBe(200);
  return res.body.recoveryToken as string;
}

/** A transaction in RECOVERY (question asked). */
export async function recoveryState(e: TestEmulator, login = 'alice@example.com', extra: object = {}): Promise<Reply> {
  const res = await e.post('/recovery/token', { recoveryToken: await trustedToken(e, login, extra) });
  expect(res.body.status).toBe('RECOVERY');
  return res;
}

/** A transaction in PASSWORD_RESET for alice (answered). */
export async function passwordResetState(e: TestEmulator, extra: object = {}): Promise<Reply> {
  const rec = await recoveryState(e, 'alice@example.com', extra);
  const res = await e.post('/recovery/answer', { stateToken: rec.body.stateToken, answer: 'Brussels sprouts' });
  expect(res.body.status).toBe('PASSWORD_RESET');
  return res;
}
