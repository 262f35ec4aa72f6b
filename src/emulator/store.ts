/**
 * The emulator's state: users, recovery tokens and authn transactions, all in memory.
 * Lifetimes follow contract §9: a recovery token lives a fixed time and is single use; a
 * stateToken has a sliding expiry that every successful call extends.
 */
import type { Clock } from '../clock.js';
import { newRecoveryToken, newStateToken } from './ids.js';
import type { EmulatorPolicy, RecoveryType, UserStatus } from './types.js';

export interface UserRecord {
  id: string;
  login: string;
  email: string;
  firstName: string;
  lastName: string;
  locale: string;
  timeZone: string;
  status: UserStatus;
  password: string;
  passwordHistory: string[];
  passwordChangedMs: number | null;
  recoveryQuestion: { question: string; answer: string } | null;
  phone: string | null;
  policy: EmulatorPolicy;
  /** Consecutive wrong recovery answers (contract §3.3: counted per user). */
  wrongAnswers: number;
  /** How many resets asked for revokeSessions: true (§4.1). */
  sessionsRevoked: number;
  lastRevokeSessions: boolean | undefined;
  lastSmsPasscode: string | undefined;
}

export interface RecoveryTokenRecord {
  token: string;
  userId: string;
  recoveryType: RecoveryType;
  relayState: string | undefined;
  expiresAtMs: number;
  used: boolean;
}

export type TransactionStatus = 'RECOVERY_CHALLENGE' | 'RECOVERY' | 'PASSWORD_RESET';

export interface Transaction {
  stateToken: string;
  /** null for a decoy SMS/CALL challenge of an unknown user, which can never verify (§1.3: no leak). */
  userId: string | null;
  status: TransactionStatus;
  recoveryType: RecoveryType;
  factorType: 'SMS' | 'CALL' | undefined;
  passcode: string | undefined;
  lastChallengeMs: number | undefined;
  relayState: string | undefined;
  expiresAtMs: number;
}

export type Redemption =
  | { kind: 'ok'; record: RecoveryTokenRecord }
  | { kind: 'used-or-expired' }
  | { kind: 'never-issued' };

export interface Lifetimes {
  recoveryTokenMs: number;
  stateTokenMs: number;
}

/** Password history kept per user; well above any sensible historyCount. */
const HISTORY_KEPT = 24;
/** Sweep expired entries every so many creations, so a long benchmark run stays bounded. */
const SWEEP_EVERY = 500;
const TOKEN_GRAVE_MS = 24 * 60 * 60_000;

export class EmulatorStore {
  readonly #users = new Map<string, UserRecord>();
  readonly #tokens = new Map<string, RecoveryTokenRecord>();
  readonly #transactions = new Map<string, Transaction>();
  /**
   * Indexes, so that no call's cost grows with the traffic seen so far: a benchmark runs tens of
   * thousands of flows through one emulator, and scans of every token on each password change
   * made the emulated Okta slower minute by minute (and every system measured after it dearer).
   */
  readonly #userByIdentifier = new Map<string, UserRecord>();
  /** Per user id, the tokens issued since the user's last password change (which spends them). */
  readonly #unspentTokensOf = new Map<string, RecoveryTokenRecord[]>();
  /** Per user id, the state tokens of the user's transactions in #transactions. */
  readonly #transactionsOf = new Map<string, Set<string>>();
  readonly #clock: Clock;
  readonly #lifetimes: Lifetimes;
  #created = 0;

  constructor(users: UserRecord[], clock: Clock, lifetimes: Lifetimes) {
    for (const u of users) {
      this.#users.set(u.id, u);
      // The first user (in seed order) whose login or e-mail matches wins, as a scan would find.
      for (const identifier of [u.login.toLowerCase(), u.email.toLowerCase()]) {
        if (!this.#userByIdentifier.has(identifier)) this.#userByIdentifier.set(identifier, u);
      }
    }
    this.#clock = clock;
    this.#lifetimes = lifetimes;
  }

  get lifetimes(): Lifetimes {
    return this.#lifetimes;
  }

  /** Okta accepts the login or the primary e-mail as the identifier (§1.3), case-insensitively. */
  findUser(identifier: string): UserRecord | undefined {
    return this.#userByIdentifier.get(identifier.trim().toLowerCase());
  }

  userById(id: string | null): UserRecord | undefined {
    return id === null ? undefined : this.#users.get(id);
  }

  allUsers(): UserRecord[] {
    return [...this.#users.values()];
  }

  issueRecoveryToken(user: UserRecord, recoveryType: RecoveryType, relayState?: string): RecoveryTokenRecord {
    this.#maybeSweep();
    const record: RecoveryTokenRecord = {
      token: newRecoveryToken(),
      userId: user.id,
      recoveryType,
      relayState,
      expiresAtMs: this.#clock.now() + this.#lifetimes.recoveryTokenMs,
      used: false,
    };
    this.#tokens.set(record.token, record);
    const unspent = this.#unspentTokensOf.get(user.id);
    if (unspent) unspent.push(record);
    else this.#unspentTokensOf.set(user.id, [record]);
    return record;
  }

  /** Single use (DOCS "one-time use", §9): a successful redemption spends the token. */
  redeemRecoveryToken(token: string): Redemption {
    const record = this.#tokens.get(token);
    if (!record) return { kind: 'never-issued' };
    if (record.used || record.expiresAtMs <= this.#clock.now()) return { kind: 'used-or-expired' };
    record.used = true;
    return { kind: 'ok', record };
  }

  createTransaction(fields: Omit<Transaction, 'stateToken' | 'expiresAtMs'>): Transaction {
    this.#maybeSweep();
    const txn: Transaction = { ...fields, stateToken: newStateToken(), expiresAtMs: 0 };
    this.touch(txn);
    this.#transactions.set(txn.stateToken, txn);
    if (txn.userId !== null) {
      const own = this.#transactionsOf.get(txn.userId);
      if (own) own.add(txn.stateToken);
      else this.#transactionsOf.set(txn.userId, new Set([txn.stateToken]));
    }
    return txn;
  }

  /** The live transaction, or undefined when unknown, expired, cancelled or finished (all 401 E0000011, §4.4). */
  liveTransaction(stateToken: string): Transaction | undefined {
    const txn = this.#transactions.get(stateToken);
    if (!txn) return undefined;
    if (txn.expiresAtMs <= this.#clock.now()) {
      this.#dropTransaction(txn);
      return undefined;
    }
    return txn;
  }

  /** Sliding expiry: "extends with every request" (DOCS, §9). */
  touch(txn: Transaction): void {
    txn.expiresAtMs = this.#clock.now() + this.#lifetimes.stateTokenMs;
  }

  endTransaction(stateToken: string): void {
    const txn = this.#transactions.get(stateToken);
    if (txn) this.#dropTransaction(txn);
  }

  #dropTransaction(txn: Transaction): void {
    this.#transactions.delete(txn.stateToken);
    if (txn.userId === null) return;
    const own = this.#transactionsOf.get(txn.userId);
    own?.delete(txn.stateToken);
    if (own?.size === 0) this.#transactionsOf.delete(txn.userId);
  }

  #dropTransactionsOf(user: UserRecord): void {
    for (const stateToken of this.#transactionsOf.get(user.id) ?? []) this.#transactions.delete(stateToken);
    this.#transactionsOf.delete(user.id);
  }

  /**
   * A new password: history grows, the user is usable again (a reset also unlocks), and every
   * recovery token issued before the change dies, so an older e-mail link cannot be replayed.
   */
  changePassword(user: UserRecord, newPassword: string): void {
    user.passwordHistory = [user.password, ...user.passwordHistory].slice(0, HISTORY_KEPT);
    user.password = newPassword;
    user.passwordChangedMs = this.#clock.now();
    if (user.status === 'LOCKED_OUT') user.status = 'ACTIVE';
    user.wrongAnswers = 0;
    for (const record of this.#unspentTokensOf.get(user.id) ?? []) record.used = true;
    this.#unspentTokensOf.delete(user.id);
    this.#dropTransactionsOf(user);
  }

  /** §3.3 (modelled): after too many wrong answers the user is locked and their transactions die. */
  lockOut(user: UserRecord): void {
    user.status = 'LOCKED_OUT';
    this.#dropTransactionsOf(user);
  }

  #maybeSweep(): void {
    if (++this.#created % SWEEP_EVERY !== 0) return;
    const now = this.#clock.now();
    // Dead tokens are kept a day past expiry so they keep answering E0000105, not "never issued".
    for (const [k, t] of this.#tokens) if (t.expiresAtMs + TOKEN_GRAVE_MS <= now) this.#tokens.delete(k);
    for (const [userId, unspent] of this.#unspentTokensOf) {
      const kept = unspent.filter((record) => this.#tokens.has(record.token));
      if (kept.length === 0) this.#unspentTokensOf.delete(userId);
      else this.#unspentTokensOf.set(userId, kept);
    }
    for (const t of this.#transactions.values()) if (t.expiresAtMs <= now) this.#dropTransaction(t);
  }
}
