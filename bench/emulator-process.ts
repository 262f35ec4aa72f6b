/**
 * The Okta emulator in a process of its own, so its CPU is not charged to the load generator or
 * to the system under test. It plays an Identity Engine org that keeps its Classic authn API (as
 * an upgraded org does), so one emulated org serves both engines. It counts TCP connections
 * opened to it (what "connections to Okta" means) and API calls, and hands out what the emails
 * carry over IPC (Classic's recovery token, IDX's code), without parsing emails in the hot loop.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEmulatorApp, type SeedUser } from '../src/emulator/index.js';
import { BENCH_ANSWER, BENCH_PASSWORD, CLIENTS, REFUSED_USERS_PER_STATUS, benchLogin, refusedLogin, type Client, type EmulatorReply, type EmulatorRequest } from './protocol.js';

const userCount = Number(process.env.BENCH_USERS ?? 1000);
const latencyMs = Number(process.env.BENCH_OKTA_LATENCY_MS ?? 0);
const unlimited = 1_000_000_000;

const users: SeedUser[] = Array.from({ length: userCount }, (_, index) => ({
  id: `00ubench${String(index).padStart(8, '0')}`,
  login: benchLogin(index),
  email: benchLogin(index),
  firstName: 'Ada',
  lastName: 'Lovelace',
  status: 'ACTIVE',
  password: BENCH_PASSWORD,
  recoveryQuestion: { question: 'Favourite number?', answer: BENCH_ANSWER },
}));
for (const status of ['LOCKED_OUT', 'SUSPENDED'] as const) {
  for (let index = 0; index < REFUSED_USERS_PER_STATUS; index++) {
    const login = refusedLogin(status, index);
    users.push({ ...users[0]!, id: `00u${status.slice(0, 4).toLowerCase()}${String(index).padStart(8, '0')}`, login, email: login, status });
  }
}

const { app, handle } = createEmulatorApp({
  // The IDX service's PUBLIC_URL: its redirect URI must match the client's exactly at interact.
  publicUrl: process.env.BENCH_PUBLIC_URL ?? 'http://127.0.0.1:3000',
  users,
  latencyMs,
  // Okta's own limits (600/min per org, 4/s per user) would measure Okta's limiter, not us.
  rateLimits: { perUserPerSecond: 1_000_000, orgPerMinute: unlimited },
  // Every flow sets a fresh password on a user that had one a moment ago: no age or history rule.
  policy: { age: { minAgeMinutes: 0, historyCount: 0 } },
  controlEndpoints: false,
  pipeline: 'idx',
  idx: { rateLimits: { perStateHandle: unlimited, perUser: unlimited, otpAttempts: unlimited } },
});

/**
 * One listener per client (our service, the baseline), sharing one emulated org: connections and
 * calls are counted per listener, so each system's pool is measured alone even while the other's
 * idle keep-alive sockets stay open.
 */
interface Counters {
  connections: number;
  open: number;
  peakOpen: number;
  apiCalls: number;
}

const callback = app.callback();

function listen(name: string): Promise<[string, { url: string; counters: Counters }]> {
  const counters: Counters = { connections: 0, open: 0, peakOpen: 0, apiCalls: 0 };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    // Every call but discovery (read once at start-up): authn for Classic; interact, the IDX
    // remediations and the token exchange for Identity Engine.
    if (!request.url?.includes('/.well-known/')) counters.apiCalls += 1;
    void callback(request, response);
  });
  server.keepAliveTimeout = 65_000;
  server.on('connection', (socket) => {
    counters.connections += 1;
    counters.open += 1;
    counters.peakOpen = Math.max(counters.peakOpen, counters.open);
    socket.once('close', () => (counters.open -= 1));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve([name, { url: `http://127.0.0.1:${port}`, counters }]);
    });
  });
}

const listeners = new Map(await Promise.all(CLIENTS.map(listen)));
process.send?.({ type: 'ready', urls: Object.fromEntries([...listeners].map(([name, entry]) => [name, entry.url])) as Record<Client, string> } satisfies EmulatorReply);

/** The code each login's last flow took: the next flow waits for a newer one. */
const takenCodes = new Map<string, string>();
/**
 * An IDX start answers before Okta is asked and walks IDX afterwards, so its code may not have been
 * emailed yet when the simulated user looks: wait for it, as a person waits for the email.
 */
async function newCode(login: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const code = handle.idx.lastOtp(login);
    if ((code && code !== takenCodes.get(login)) || Date.now() > deadline) {
      takenCodes.set(login, code ?? '');
      return code ?? '';
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

process.on('message', (message: EmulatorRequest) => {
  if (message.type === 'tokens') {
    const tokens = message.logins.map((login) => handle.issueRecoveryToken(login));
    process.send?.({ type: 'tokens', id: message.id, tokens } satisfies EmulatorReply);
  } else if (message.type === 'codes') {
    void Promise.all(message.logins.map(newCode)).then((codes) => process.send?.({ type: 'tokens', id: message.id, tokens: codes } satisfies EmulatorReply));
  } else if (message.type === 'stats') {
    const counters = listeners.get(message.client);
    if (!counters) return;
    const { connections, open, peakOpen, apiCalls } = counters.counters;
    process.send?.({ type: 'stats', id: message.id, connections, open, peakOpen, apiCalls } satisfies EmulatorReply);
    // Each scenario's peak starts from what is open when it begins.
    counters.counters.peakOpen = open;
  }
});
process.on('disconnect', () => process.exit(0));
