/**
 * The service wired to the in-process Okta emulator over real HTTP, sharing one clock (as
 * test/integration/service-with-emulator.test.ts does), for tests that need real Okta behaviour
 * for the seeded users (ACTIVE, LOCKED_OUT, SUSPENDED, DEPROVISIONED) rather than recorded replies.
 */
import { ManualClock } from '../../src/clock.js';
import { demoUsers, startEmulator, type IdxOptions, type PolicyOverrides, type RunningEmulator } from '../../src/emulator/index.js';
import { startTestService, type ServiceUnderTest } from './service.js';

/**
 * Abuse limits sized so tests that make many calls from one IP never meet them: these tests are
 * about something else; test/limits/ tests the limits themselves.
 */
export const LENIENT_LIMITS: Readonly<Record<string, string>> = {
  RATE_LIMIT_START_PER_IP: '100000/1m',
  RATE_LIMIT_START_PER_USERNAME: '100000/1m',
  RATE_LIMIT_VERIFY_PER_IP: '100000/1m',
  OKTA_CALL_BUDGET_PER_MINUTE: '100000',
};

/** The path of the newest recovery email's link for `login`, as a user clicking it opens it. */
export function latestLinkPath(emulator: Pick<RunningEmulator, 'outbox'>, login: string): string {
  const message = [...emulator.outbox].reverse().find((mail) => mail.to === login || mail.to.includes(login));
  if (!message?.link) throw new Error(`no recovery email with a link for ${login}`);
  return new URL(message.link).pathname;
}

export interface EmulatedService {
  readonly service: ServiceUnderTest;
  readonly emulator: RunningEmulator;
  readonly clock: ManualClock;
  /** The path of the newest recovery email's link for `login`, as a user clicking it opens it. */
  latestLinkPath(login: string): string;
  close(): Promise<void>;
}

export async function startEmulatedService(
  environment: Record<string, string> = {},
  emulatorOptions: { apiToken?: string; rateLimits?: { perUserPerSecond?: number; orgPerMinute?: number }; pipeline?: 'v1' | 'idx'; idx?: IdxOptions; policy?: PolicyOverrides } = {},
): Promise<EmulatedService> {
  const publicUrl = environment.PUBLIC_URL ?? 'http://127.0.0.1:3000';
  const clock = new ManualClock(Date.now());
  // The clock is manual and never moves by itself, so Okta's per-user window (4/s) would never
  // reset: these tests make many calls per user, and only say so where they test Okta's limits.
  const rateLimits = { perUserPerSecond: 100_000, orgPerMinute: 100_000 };
  const emulator = await startEmulator({ publicUrl, clock, users: demoUsers(), rateLimits, ...emulatorOptions });
  const service = await startTestService({ PUBLIC_URL: publicUrl, ...environment }, { oktaOrgUrl: emulator.url, clock });
  return {
    service,
    emulator,
    clock,
    latestLinkPath: (login) => latestLinkPath(emulator, login),
    async close() {
      await service.close();
      await emulator.close();
    },
  };
}

/**
 * What Okta's primary authentication says of a login and password (its `status`, e.g. SUCCESS or
 * LOCKED_OUT, or `HTTP <code>`): how a test shows that a reset or an unlock really took.
 */
export async function signInStatus(emulatorUrl: string, login: string, password: string): Promise<string> {
  const response = await fetch(`${emulatorUrl}/api/v1/authn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ username: login, password }),
  });
  return response.status === 200 ? ((await response.json()) as { status: string }).status : `HTTP ${response.status}`;
}

/** The password signs in (Okta answers SUCCESS). */
export async function signsIn(emulatorUrl: string, login: string, password: string): Promise<boolean> {
  return (await signInStatus(emulatorUrl, login, password)) === 'SUCCESS';
}
