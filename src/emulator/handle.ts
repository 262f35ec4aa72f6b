/**
 * The programmatic side door for tests and the control endpoints: what "Okta" sent, what it
 * received, the users' state, and the fault switches. Nothing here is reachable through Okta's API.
 */
import type { Clock } from '../clock.js';
import type { Mailer, OutboxMessage } from './mail.js';
import type { IdxHandle } from './idx/index.js';
import type { Faults } from './middleware.js';
import type { PhoneMessage, PhoneOutbox } from './phone.js';
import type { RecordedRequest } from './recorder.js';
import type { EmulatorStore, UserRecord } from './store.js';
import type { EmulatorPolicy, RecoveryType, UserStatus } from './types.js';

/** A snapshot of one user, without password or answer. */
export interface EmulatorUserView {
  id: string;
  login: string;
  email: string;
  firstName: string;
  lastName: string;
  status: UserStatus;
  passwordChanged: string | null;
  hasRecoveryQuestion: boolean;
  policy: EmulatorPolicy;
  wrongAnswerCount: number;
  sessionsRevoked: number;
  /** The revokeSessions flag of the last successful reset_password (undefined before any). */
  lastRevokeSessions: boolean | undefined;
}

export interface EmulatorHandle {
  readonly clock: Clock;
  /** Okta's e-mails, newest last (a live array). */
  readonly outbox: readonly OutboxMessage[];
  /** Okta's texts and voice calls (SMS/CALL recovery), newest last (a live array). */
  readonly phoneOutbox: readonly PhoneMessage[];
  /** Every /api/ request received, newest last, secrets redacted (a live array). */
  readonly requests: readonly RecordedRequest[];
  getUser(login: string): EmulatorUserView | undefined;
  listUsers(): EmulatorUserView[];
  /** Issue a recovery token as the trusted variant would, without an HTTP call. Throws for an unknown user. */
  issueRecoveryToken(login: string, recoveryType?: RecoveryType, relayState?: string): string;
  /** Answer every API call with 429 E0000047 until `seconds` from now (clock time). */
  forceRateLimit(seconds: number): void;
  /** Answer every API call with 500 E0000009 while on. */
  forceOutage(on: boolean): void;
  /** Turn off the forced 429 and the outage (latency stays: see setLatency). */
  clearFaults(): void;
  setLatency(ms: number): void;
  wrongAnswerCount(login: string): number;
  sessionsRevoked(login: string): number;
  /** The passcode of the latest SMS/CALL challenge for the user. */
  lastSmsPasscode(login: string): string | undefined;
  /** Empty the outbox and the request log. */
  clearRecords(): void;
  /** The IDX org's toggles and codes (docs/idx-emulator.md). */
  readonly idx: IdxHandle;
}

function view(u: UserRecord): EmulatorUserView {
  return {
    id: u.id,
    login: u.login,
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    status: u.status,
    passwordChanged: u.passwordChangedMs === null ? null : new Date(u.passwordChangedMs).toISOString(),
    hasRecoveryQuestion: u.recoveryQuestion !== null,
    policy: structuredClone(u.policy),
    wrongAnswerCount: u.wrongAnswers,
    sessionsRevoked: u.sessionsRevoked,
    lastRevokeSessions: u.lastRevokeSessions,
  };
}

export function createHandle(parts: {
  clock: Clock;
  store: EmulatorStore;
  mailer: Mailer;
  phone: PhoneOutbox;
  requests: RecordedRequest[];
  faults: Faults;
  idx: IdxHandle;
}): EmulatorHandle {
  const { clock, store, mailer, phone, requests, faults, idx } = parts;
  const userOrThrow = (login: string): UserRecord => {
    const user = store.findUser(login);
    if (!user) throw new Error(`okta-emulator: no user ${login}`);
    return user;
  };
  return {
    clock,
    idx,
    outbox: mailer.outbox,
    phoneOutbox: phone.messages,
    requests,
    getUser: (login) => {
      const user = store.findUser(login);
      return user && view(user);
    },
    listUsers: () => store.allUsers().map(view),
    issueRecoveryToken: (login, recoveryType = 'PASSWORD', relayState) =>
      store.issueRecoveryToken(userOrThrow(login), recoveryType, relayState).token,
    forceRateLimit: (seconds) => {
      faults.rateLimitUntilMs = clock.now() + seconds * 1000;
    },
    forceOutage: (on) => {
      faults.outage = on;
    },
    clearFaults: () => faults.clear(),
    setLatency: (ms) => {
      faults.latencyMs = Math.max(0, ms);
    },
    wrongAnswerCount: (login) => userOrThrow(login).wrongAnswers,
    sessionsRevoked: (login) => userOrThrow(login).sessionsRevoked,
    lastSmsPasscode: (login) => store.findUser(login)?.lastSmsPasscode,
    clearRecords: () => {
      // In place: the arrays are shared with the mailer, the recorder and any copy of the handle.
      mailer.outbox.splice(0);
      phone.messages.splice(0);
      requests.splice(0);
    },
  };
}
