/**
 * IDX transactions in memory: one per interact, reachable by its interaction handle and by its
 * current stateHandle (§2.1: both resume the same, *current* state). The expiry slides on every
 * call (§11.14); cancel and finish kill the handles. Interaction codes live 60 s, single use (§5.4).
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { IdxClient, IdxSettings } from './settings.js';

/** The remediation the transaction waits for (contract §0's state machine). */
export type IdxStep =
  | 'identify'
  | 'password-challenge'
  | 'identify-recovery'
  | 'select-email'
  | 'email-challenge'
  | 'security-question'
  | 'reset-password'
  | 'success'
  | 'terminal';

export interface IdxMessage {
  message: string;
  i18n?: { key: string; params?: unknown[] };
  class: 'ERROR' | 'INFO' | 'WARNING';
}

export interface IdxTransaction {
  interactionHandle: string;
  stateHandle: string;
  client: IdxClient;
  /** null: the org authorization server; otherwise the custom server's id (e.g. "default"). */
  authServerId: string | null;
  redirectUri: string;
  scope: string;
  state: string;
  codeChallenge: string;
  /** Echoed in the id_token (AUTHJS sends one at interact and checks it). */
  nonce: string | undefined;
  /** Path C (§3.3): the redeemed recovery token's user, consumed at the first introspect. */
  recovery: { kind: 'token'; userId: string } | { kind: 'dead-token' } | undefined;
  step: IdxStep;
  /** What the user typed at identify (echoed as `user.identifier`, §3.1). */
  identifier: string | undefined;
  /** null for an unknown user under enumeration prevention: a decoy that never verifies (§6.3). */
  userId: string | null;
  /** Path B: the user was identified before recovery, so responses show ids and the masked email (§3.2). */
  identified: boolean;
  otp: { code: string; issuedAtMs: number } | undefined;
  /** When each wrong code came, for the 5-per-5-minutes cap (§6.4). */
  otpFailures: number[];
  /** The global message of a terminal state (e.g. POST_PASSWORD_UPDATE_AUTH_FAILURE). */
  terminal: IdxMessage | undefined;
  interactionCode: string | undefined;
  expiresAtMs: number;
}

export interface InteractionCodeRecord {
  code: string;
  txn: IdxTransaction;
  userId: string;
  expiresAtMs: number;
  used: boolean;
}

/** §5.4: "has a maximum lifetime of 60 seconds" (DOCS interactioncode flow-diagram). */
export const INTERACTION_CODE_LIFETIME_MS = 60_000;
const SWEEP_EVERY = 500;

const b64url = (n: number): string => randomBytes(n).toString('base64url').slice(0, n);

/**
 * §2.2: `02.id.<40>` (2022 captures), or with the `~c.<…>` tail of the 2023 captures padded to the
 * 2,423 characters of the longest recorded handle, so clients are tested with the worst case.
 */
export function newStateHandle(long: boolean): string {
  const head = `02.id.${b64url(40)}`;
  return long ? `${head}~c.${b64url(2423 - head.length - 3)}` : head;
}

/** e.g. "AcSDZw_kwcQtFUwLAgyUyBzl_OifS5Nn6IZQ_X1WXWI" (43 chars) [F-01]. */
export const newInteractionHandle = (): string => b64url(43);
export const newInteractionCode = (): string => b64url(43);

const ALNUM = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** §4.2: 6 digits, or (since 2026) 10 alphanumeric characters. */
export function newOtp(format: IdxSettings['otpFormat']): string {
  if (format === 'numeric') return String(randomInt(0, 1_000_000)).padStart(6, '0');
  let out = '';
  for (let i = 0; i < 10; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

/** Stable Okta-looking ids derived from a seed (enrollment ids per user, `eae…`, `lae…`, `qae…`). */
export function derivedId(prefix: string, seed: string): string {
  return prefix + createHash('sha256').update(`${prefix}:${seed}`).digest('base64url').replace(/[-_]/g, 'x').slice(0, 17);
}

export class IdxTransactions {
  readonly #byState = new Map<string, IdxTransaction>();
  readonly #byInteraction = new Map<string, IdxTransaction>();
  readonly #codes = new Map<string, InteractionCodeRecord>();
  /**
   * Per user id, the user's live transactions: a password change ends them without a scan of every
   * transaction (those a finished flow never exchanged live on for the state handle's lifetime, so
   * over a benchmark's tens of thousands of flows a scan made each reset dearer than the last).
   */
  readonly #byUser = new Map<string, Set<IdxTransaction>>();
  readonly #clock: Clock;
  readonly #settings: IdxSettings;
  #created = 0;

  constructor(clock: Clock, settings: IdxSettings) {
    this.#clock = clock;
    this.#settings = settings;
  }

  create(
    fields: Pick<IdxTransaction, 'client' | 'authServerId' | 'redirectUri' | 'scope' | 'state' | 'codeChallenge' | 'nonce' | 'recovery'>,
  ): IdxTransaction {
    this.#maybeSweep();
    const txn: IdxTransaction = {
      ...fields,
      interactionHandle: newInteractionHandle(),
      stateHandle: newStateHandle(this.#settings.longStateHandles),
      step: 'identify',
      identifier: undefined,
      userId: null,
      identified: false,
      otp: undefined,
      otpFailures: [],
      terminal: undefined,
      interactionCode: undefined,
      expiresAtMs: 0,
    };
    this.touch(txn);
    this.#byState.set(txn.stateHandle, txn);
    this.#byInteraction.set(txn.interactionHandle, txn);
    return txn;
  }

  /** The live transaction for a stateHandle or interaction handle; expired ones are dropped. */
  find(handle: { stateHandle?: string; interactionHandle?: string }): IdxTransaction | undefined {
    const txn =
      handle.stateHandle !== undefined
        ? this.#byState.get(handle.stateHandle)
        : handle.interactionHandle !== undefined
          ? this.#byInteraction.get(handle.interactionHandle)
          : undefined;
    if (!txn) return undefined;
    if (txn.expiresAtMs <= this.#clock.now()) {
      this.end(txn);
      return undefined;
    }
    return txn;
  }

  /** §11.14: `expiresAt` slides forward on each call. */
  touch(txn: IdxTransaction): void {
    txn.expiresAtMs = this.#clock.now() + this.#settings.stateHandleLifetimeMs;
  }

  end(txn: IdxTransaction): void {
    this.#byState.delete(txn.stateHandle);
    this.#byInteraction.delete(txn.interactionHandle);
    this.#unassign(txn);
  }

  /** Whose transaction it is from now on (null: an identifier that names nobody). */
  assignUser(txn: IdxTransaction, userId: string | null): void {
    this.#unassign(txn);
    txn.userId = userId;
    if (userId === null) return;
    const own = this.#byUser.get(userId);
    if (own) own.add(txn);
    else this.#byUser.set(userId, new Set([txn]));
  }

  #unassign(txn: IdxTransaction): void {
    if (txn.userId === null) return;
    const own = this.#byUser.get(txn.userId);
    own?.delete(txn);
    if (own?.size === 0) this.#byUser.delete(txn.userId);
  }

  /** Every live transaction of a user (a password change ends them, as Classic's does). */
  endAllOf(userId: string, except?: IdxTransaction): void {
    for (const txn of [...(this.#byUser.get(userId) ?? [])]) if (txn !== except) this.end(txn);
  }

  issueCode(txn: IdxTransaction, userId: string): string {
    const code = newInteractionCode();
    this.#codes.set(code, { code, txn, userId, expiresAtMs: this.#clock.now() + INTERACTION_CODE_LIFETIME_MS, used: false });
    txn.interactionCode = code;
    return code;
  }

  /** Single use: a redemption (successful or not, as OAuth codes are) spends the code. */
  redeemCode(code: string): InteractionCodeRecord | undefined {
    const record = this.#codes.get(code);
    if (!record || record.used || record.expiresAtMs <= this.#clock.now()) return undefined;
    record.used = true;
    return record;
  }

  #maybeSweep(): void {
    if (++this.#created % SWEEP_EVERY !== 0) return;
    const now = this.#clock.now();
    for (const txn of [...this.#byState.values()]) if (txn.expiresAtMs <= now) this.end(txn);
    for (const [k, c] of this.#codes) if (c.expiresAtMs <= now) this.#codes.delete(k);
  }
}
