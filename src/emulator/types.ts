/**
 * The emulator's public types: seed users, the password policy and the options of
 * createEmulatorApp/startEmulator. Field names follow Okta's own objects where one exists
 * (../shared/okta-authn-contract.md §2.2 "Embedded user", §3.2 "_embedded.policy").
 */
import type { Clock } from '../clock.js';
import type { IdxOptions } from './idx/settings.js';

/** The user statuses the recovery flow reacts to (contract §1.3). */
export type UserStatus = 'ACTIVE' | 'LOCKED_OUT' | 'SUSPENDED' | 'DEPROVISIONED';

export type RecoveryType = 'PASSWORD' | 'UNLOCK';

/** `complexity` of Okta's password policy object (contract §3.2). A value <= 0 means "no requirement". */
export interface PasswordComplexity {
  minLength: number;
  minLowerCase: number;
  minUpperCase: number;
  minNumber: number;
  minSymbol: number;
  /** Boolean, as real orgs send it (contract discrepancy 5), not DOCS' string "true". */
  excludeUsername: boolean;
  excludeAttributes: Array<'firstName' | 'lastName'>;
}

/** `age` of Okta's password policy object (contract §3.2). */
export interface PasswordAge {
  minAgeMinutes: number;
  historyCount: number;
}

export interface EmulatorPolicy {
  complexity: PasswordComplexity;
  age: PasswordAge;
  /** false: /recovery/token lands on PASSWORD_RESET directly (contract §2.4, inferred). */
  requireRecoveryQuestion: boolean;
  /** Wrong answers before the user is locked out (contract §3.3, modelled, default 5). */
  maxWrongAnswers: number;
  /** SMS / voice recovery enabled in the policy; when off Okta answers 403 E0000006 (§1.4, SIW RECOVERY_error). */
  smsRecovery: boolean;
  callRecovery: boolean;
}

/** What a caller may override: any subset, nested objects included. `Partial<EmulatorPolicy>` fits. */
export interface PolicyOverrides {
  complexity?: Partial<PasswordComplexity>;
  age?: Partial<PasswordAge>;
  requireRecoveryQuestion?: boolean;
  maxWrongAnswers?: number;
  smsRecovery?: boolean;
  callRecovery?: boolean;
}

export interface SeedUser {
  id: string;
  login: string;
  email: string;
  firstName: string;
  lastName: string;
  locale?: string;
  timeZone?: string;
  status: UserStatus;
  password: string;
  /** Earlier passwords, newest first (history check, contract §4.3). */
  passwordHistory?: string[];
  /** ISO-8601, or "now" (resolved against the emulator's clock at start: a password too young to change). */
  passwordChanged?: string | null;
  recoveryQuestion?: { question: string; answer: string } | null;
  /** Phone for SMS/CALL recovery; without one the factor challenge is a decoy that never verifies. */
  phone?: string | null;
  /** Per-user policy, as Okta assigns password policies per group. */
  policy?: PolicyOverrides;
  /** What this demo user demonstrates, in a sentence: the demo banner lists it (src/demo/banner.ts). */
  demo?: string;
}

export interface EmulatorOptions {
  /** Our service's base URL, used in the e-mail link `${publicUrl}/reset-password/${recoveryToken}` (§9). */
  publicUrl: string;
  clock?: Clock;
  /** Default: the demo seed file `seed/demo-users.json`. */
  users?: SeedUser[];
  /** SSWS token accepted by the trusted variant (§1.5). Without one, every Authorization header is refused. */
  apiToken?: string;
  /** Deliver Okta's e-mails over SMTP (e.g. smtp://127.0.0.1:2525) as well as recording them in the outbox. */
  smtpUrl?: string;
  mailFrom?: string;
  policy?: PolicyOverrides;
  recoveryTokenLifetimeMs?: number;
  stateTokenLifetimeMs?: number;
  /** Error for a recoveryToken the emulator never issued (§2.3: unknown in real Okta). Default E0000011. */
  neverIssuedTokenError?: 'E0000011' | 'E0000105';
  rateLimits?: { perUserPerSecond?: number; orgPerMinute?: number };
  latencyMs?: number;
  /** Serve the /__emulator/ control endpoints (default true). */
  controlEndpoints?: boolean;
  /**
   * What `GET /.well-known/okta-organization` says the org runs (default `v1`). The IDX endpoints
   * are served either way and Classic's keep working in `idx` (docs/idx-emulator.md).
   */
  pipeline?: 'v1' | 'idx';
  /** The IDX org: its OIDC clients and toggles (docs/idx-emulator.md). */
  idx?: IdxOptions;
}
