/**
 * The engine port: what the recovery steps ask of Okta, whichever engine the org runs. Classic
 * (okta/classic/, /api/v1/authn) and Identity Engine (okta/idx/, the IDX protocol) implement it;
 * they are the only code that knows a wire format. The steps (steps.ts) see typed results and
 * the outcomes we already present, never an Okta body.
 */
import type { MailUser } from '../mail/recipient.js';
import type { EndUserContext } from '../okta/context.js';
import type { RecoveryMethod } from '../config.js';
import type { CodeRules, Outcome, PhoneChannel } from './outcomes.js';
import type { PasswordPolicy } from './password-policy.js';

export type { CodeRules };

export type EngineName = 'classic' | 'idx';

/**
 * What an engine keeps between requests (a stateToken, a stateHandle): opaque to the flow, sealed
 * in the flow cookie with it, and read back only by the engine that wrote it.
 */
export type EngineSession = Readonly<Record<string, string>>;

/** The user named in the transaction: kept to check the password locally and for password managers. */
export interface FlowUser {
  readonly login?: string | undefined;
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
}

interface Progress {
  readonly session: EngineSession;
  /**
   * A stable name for this emailed proof's transaction, for counting wrong answers on the server
   * (the limits key it through an HMAC): Classic's stateToken, IDX's interact `state`.
   */
  readonly key: string;
  readonly user: FlowUser;
  /** When Okta forgets the transaction, epoch ms. */
  readonly expiresAt: number;
  /** Classic carries relayState through Okta; IDX leaves it to the flow. */
  readonly relayState?: string | undefined;
}

/** Failures, already in the vocabulary the pages and the API present. */
export type EngineRefusal = Extract<
  Outcome,
  { kind: 'link-dead' | 'flow-expired' | 'wrong-code' | 'wrong-answer' | 'attempts-exhausted' | 'account-locked' | 'password-rejected' | 'rate-limited' | 'upstream-unavailable' }
>;

export type EngineResult =
  /**
   * Okta emailed a link (Classic): nothing to keep until it is opened. `error`: a refusal folded
   * in, for the audit line; `auditedLater`: Okta is asked after the response, and the engine
   * records the step's audit event once it has answered.
   */
  | { readonly kind: 'email-sent'; readonly error?: unknown; readonly auditedLater?: boolean }
  /**
   * Okta sent a code, to be typed here: emailed (IDX, or brought back by the magic link), or by
   * text or voice call (Classic SMS/CALL, `channel`). `error`: a refusal folded into this answer
   * (a decoy flow, so that nobody can tell), for the audit line.
   */
  | (Progress & { readonly kind: 'code-sent'; readonly code: CodeRules; readonly channel?: PhoneChannel | undefined; readonly error?: unknown })
  | (Progress & { readonly kind: 'ask-question'; readonly question: string })
  | (Progress & { readonly kind: 'choose-password'; readonly policy: PasswordPolicy })
  /** Okta unlocked the account (Classic SUCCESS with recoveryType UNLOCK, contract §5). */
  | { readonly kind: 'unlocked' }
  /** The password is changed; `user` is whatever Okta said about them, for the notice email. */
  | { readonly kind: 'password-changed'; readonly user: MailUser }
  /**
   * `endsFlow`: the flow cannot go on whatever the outcome (an IDX start whose walk after the
   * response failed: the user asks again), so its cookie is cleared.
   */
  | { readonly kind: 'refused'; readonly outcome: EngineRefusal; readonly error?: unknown; readonly endsFlow?: boolean };

export interface StartInput {
  readonly username: string;
  /** What the user asks for (absent: a new password); 'unlock' is Classic's self-service unlock. */
  readonly purpose?: 'password' | 'unlock' | undefined;
  /** How the proof reaches the user (absent: email); only a method in RECOVERY_METHODS (or SELF_SERVICE_UNLOCK) gets here. */
  readonly method?: RecoveryMethod | undefined;
  /** Already checked against the allowed origins. */
  readonly relayState?: string | undefined;
}

export interface RecoveryEngine {
  readonly name: EngineName;
  /**
   * Every username gets the same `email-sent` / `code-sent`: refusals are folded in here. A phone
   * method (Classic) answers `code-sent` for every username too, with a decoy session where Okta
   * refused, which the engine then treats like a real one that never accepts a code.
   */
  start(input: StartInput, context: EndUserContext): Promise<EngineResult>;
  /** Spend an emailed link's recovery token (Classic); an engine without such links calls it dead. */
  verifyLink(token: string, context: EndUserContext): Promise<EngineResult>;
  /** Submit the emailed code, typed or from the magic link. */
  verifyCode(session: EngineSession, code: string, context: EndUserContext): Promise<EngineResult>;
  resendCode(session: EngineSession, context: EndUserContext): Promise<EngineResult>;
  /** Whether a magic link's `state` belongs to this browser's transaction. */
  ownsCodeLink(session: EngineSession, state: string): boolean;
  answer(session: EngineSession, answer: string, context: EndUserContext): Promise<EngineResult>;
  reset(session: EngineSession, input: { newPassword: string; revokeSessions: boolean }, context: EndUserContext): Promise<EngineResult>;
  /** Ends Okta's transaction; failures are the engine's to log, the user has walked away anyway. */
  cancel(session: EngineSession, context: EndUserContext): Promise<void>;
  /**
   * Work the engine does after a response has gone (an IDX start's walk), if any: finished at
   * shutdown before Okta's sockets close, and awaited by tests that read what Okta then sent.
   */
  readonly background?: { idle(): Promise<void>; close(timeoutMs: number): Promise<void> } | undefined;
}
