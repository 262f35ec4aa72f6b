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

/** The systems the emulator serves, each on a listener of its own. */
export const CLIENTS = ['ours', 'baseline'] as const;
export type Client = (typeof CLIENTS)[number];

export type EmulatorRequest = { type: 'tokens'; id: number; logins: string[] } | { type: 'stats'; id: number; client: Client };

export interface EmulatorStats {
  /** TCP connections accepted since start. */
  connections: number;
  open: number;
  /** Most connections open at once since the previous stats request. */
  peakOpen: number;
  authnCalls: number;
}

export type EmulatorReply =
  | { type: 'ready'; urls: Record<Client, string> }
  | { type: 'tokens'; id: number; tokens: string[] }
  | ({ type: 'stats'; id: number } & EmulatorStats);
