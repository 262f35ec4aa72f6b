/** What every IDX step needs. Built once in idx/index.ts from the emulator's shared parts. */
import type { Clock } from '../../clock.js';
import type { Mailer } from '../mail.js';
import type { EmulatorStore, UserRecord } from '../store.js';
import type { IdxClient, IdxSettings } from './settings.js';
import type { TokenSigner } from './tokens.js';
import type { IdxMessage, IdxTransaction, IdxTransactions } from './transactions.js';
import type { View } from './views.js';
import { stateBody } from './views.js';

export interface IdxDeps {
  store: EmulatorStore;
  txns: IdxTransactions;
  settings: IdxSettings;
  clients: ReadonlyMap<string, IdxClient>;
  mailer: Mailer;
  clock: Clock;
  tokens: TokenSigner;
  /** Wrong codes per user (or per decoy identifier), for the 5-per-5-minutes cap (§6.4, scope User). */
  otpFailures: Map<string, number[]>;
  /** The newest code emailed per login, for tests and the control endpoint. */
  lastOtps: Map<string, string>;
}

/** A step's answer: an HTTP status and an ION body. */
export interface StepReply {
  status: number;
  body: Record<string, unknown>;
}

export function viewOf(deps: IdxDeps, origin: string, txn: IdxTransaction): View {
  return { origin, txn, user: deps.store.userById(txn.userId), settings: deps.settings };
}

/** The transaction's current state, with optional global messages. */
export function current(deps: IdxDeps, origin: string, txn: IdxTransaction, status = 200, messages: IdxMessage[] = []): StepReply {
  return { status, body: stateBody(viewOf(deps, origin, txn), messages) };
}

/**
 * Users recovery may proceed for: ACTIVE, and LOCKED_OUT (an OIE reset also unlocks, as the Classic
 * store's changePassword does). SUSPENDED and DEPROVISIONED users are treated as unknown (§6.3).
 */
export function recoverableUser(deps: IdxDeps, identifier: string): UserRecord | undefined {
  const user = deps.store.findUser(identifier);
  return user && (user.status === 'ACTIVE' || user.status === 'LOCKED_OUT') ? user : undefined;
}

/** §7: the question follows the email code (or a recovery token) when the org asks for it and the user has one. */
export const needsQuestion = (deps: IdxDeps, user: UserRecord): boolean =>
  deps.settings.securityQuestion && user.policy.requireRecoveryQuestion && user.recoveryQuestion !== null;
