/** What the benchmark's processes say to each other, and the seed data both sides must agree on. */
export const BENCH_PASSWORD = 'Initial-Passw0rd';
export const BENCH_ANSWER = 'forty-two';

export function benchLogin(index: number): string {
  return `u${index}@bench.example`;
}

export function unknownLogin(index: number): string {
  return `nobody${index}@bench.example`;
}

/** Users Okta refuses to email (locked out, suspended): their start must look like anyone's. */
export const REFUSED_USERS_PER_STATUS = 50;
export function refusedLogin(status: 'LOCKED_OUT' | 'SUSPENDED', index: number): string {
  return `${status === 'LOCKED_OUT' ? 'locked' : 'suspended'}${index % REFUSED_USERS_PER_STATUS}@bench.example`;
}

/** The baselines' Classic routes and the Okta endpoint each relays to (the same four calls as our Classic flow). */
export const RELAY_ENDPOINTS: Readonly<Record<string, string>> = {
  '/start': '/api/v1/authn/recovery/password',
  '/verify': '/api/v1/authn/recovery/token',
  '/answer': '/api/v1/authn/recovery/answer',
  '/reset': '/api/v1/authn/credentials/reset_password',
};

/**
 * The systems the emulator serves, each on a listener of its own: our service over Classic, the
 * Koa + got baseline, the bare node:http relay, Koa over node:http (the framework floor), our
 * service over Identity Engine, and the two node:http floors relaying Identity Engine.
 */
export const CLIENTS = ['ours', 'baseline', 'relay', 'koa', 'ours-idx', 'relay-idx', 'koa-idx'] as const;
export type Client = (typeof CLIENTS)[number];

/** The emulated org's OIDC app, which our IDX service and the IDX relays start their transactions with. */
export const BENCH_IDX_CLIENT_ID = '0oa1recoveryemulator';

/** `tokens`: Classic's emailed recovery tokens; `codes`: the newest IDX code emailed to each login. */
export type EmulatorRequest = { type: 'tokens' | 'codes'; id: number; logins: string[] } | { type: 'stats'; id: number; client: Client };

export interface EmulatorStats {
  /** TCP connections accepted since start. */
  connections: number;
  open: number;
  /** Most connections open at once since the previous stats request. */
  peakOpen: number;
  /** Okta API calls (everything but discovery). */
  apiCalls: number;
}

export type EmulatorReply =
  | { type: 'ready'; urls: Record<Client, string> }
  | { type: 'tokens'; id: number; tokens: string[] }
  | ({ type: 'stats'; id: number } & EmulatorStats);
