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
  /** The user's password changes when it was issued: any later change spends it. */
  passwordChanges: number;
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
  /** The user's password changes and lockouts when it began: any later one ends it. */
  userEvents: number;
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
   * No call's cost grows with the traffic seen so far: a benchmark runs tens of thousands of
   * flows through one emulator, and scanning every token and transaction on each password change
   * made the emulated Okta slower minute by minute (and every system measured after it dearer).
   * So users are found by identifier in a map, and a password change or a lockout is a count per
   * user that each token and transaction compares with the one it was made under.
   */
  readonly #userByIdentifier = new Map<string, UserRecord>();
  readonly #passwordChanges = new Map<string, number>();
  /** Password changes and lockouts, per user id. */
  readonly #userEvents = new Map<string, number>();
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
      passwordChanges: this.#passwordChanges.get(user.id) ?? 0,
    };
    this.#tokens.set(record.token, record);
    return record;
  }

  /** Single use (DOCS "one-time use", §9): a successful redemption spends the token. */
  redeemRecoveryToken(token: string): Redemption {
    const record = this.#tokens.get(token);
    if (!record) return { kind: 'never-issued' };
    const spent = record.used || record.passwordChanges !== (this.#passwordChanges.get(record.userId) ?? 0);
    if (spent || record.expiresAtMs <= this.#clock.now()) return { kind: 'used-or-expired' };
    record.used = true;
    return { kind: 'ok', record };
  }

  createTransaction(fields: Omit<Transaction, 'stateToken' | 'expiresAtMs' | 'userEvents'>): Transaction {
    this.#maybeSweep();
    const txn: Transaction = { ...fields, stateToken: newStateToken(), expiresAtMs: 0, userEvents: this.#userEventsOf(fields.userId) };
    this.touch(txn);
    this.#transactions.set(txn.stateToken, txn);
    return txn;
  }

  #userEventsOf(userId: string | null): number {
    return userId === null ? 0 : (this.#userEvents.get(userId) ?? 0);
  }

  /** The live transaction, or undefined when unknown, expired, cancelled or finished (all 401 E0000011, §4.4). */
  liveTransaction(stateToken: string): Transaction | undefined {
    const txn = this.#transactions.get(stateToken);
    if (!txn) return undefined;
    if (txn.expiresAtMs <= this.#clock.now() || txn.userEvents !== this.#userEventsOf(txn.userId)) {
      this.#transactions.delete(stateToken);
      return undefined;
    }
    return txn;
  }

  /** Sliding expiry: "extends with every request" (DOCS, §9). */
  touch(txn: Transaction): void {
    txn.expiresAtMs = this.#clock.now() + this.#lifetimes.stateTokenMs;
  }

  endTransaction(stateToken: string): void {
    this.#transactions.delete(stateToken);
  }

  /** The user's transactions begun before now end (a password change, a lockout). */
  #endTransactionsOf(user: UserRecord): void {
    this.#userEvents.set(user.id, this.#userEventsOf(user.id) + 1);
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
    this.#passwordChanges.set(user.id, (this.#passwordChanges.get(user.id) ?? 0) + 1);
    this.#endTransactionsOf(user);
  }

  /** §3.3 (modelled): after too many wrong answers the user is locked and their transactions die. */
  lockOut(user: UserRecord): void {
    user.status = 'LOCKED_OUT';
    this.#endTransactionsOf(user);
  }

  #maybeSweep(): void {
    if (++this.#created % SWEEP_EVERY !== 0) return;
    const now = this.#clock.now();
    // Dead tokens are kept a day past expiry so they keep answering E0000105, not "never issued".
    for (const [k, t] of this.#tokens) if (t.expiresAtMs + TOKEN_GRAVE_MS <= now) this.#tokens.delete(k);
    for (const [k, t] of this.#transactions) if (t.expiresAtMs <= now) this.#transactions.delete(k);
  }
}
