/**
 * Every result a recovery step can have, as values (STYLE.md principle 5). Steps return these
 * instead of throwing for expected cases; web/outcome-table.ts maps each kind to an HTTP status,
 * a JSON code, a page and a message key, once, for both presenters.
 */
import type { PasswordPolicy, PasswordRequirement } from './password-policy.js';

export type Outcome =
  /** `code`: the email carries a code to type here (Identity Engine), written as these rules say. */
  | { readonly kind: 'email-sent'; readonly code?: CodeRules | undefined }
  /** Okta emailed an unlock link (Classic self-service unlock, contract §5); the same for every username. */
  | { readonly kind: 'unlock-email-sent' }
  /** Okta unlocked the account (SUCCESS with recoveryType UNLOCK, contract §5): no password step. */
  | { readonly kind: 'account-unlocked' }
  /** Okta texted (SMS) or called (voice) the user with a code to type here (Classic, contract §1.4). */
  | { readonly kind: 'code-sent'; readonly channel: PhoneChannel; readonly code: CodeRules }
  | { readonly kind: 'link-received' }
  /** A magic link (code + state) was opened: its page offers to continue, or shows the code to type. */
  | { readonly kind: 'code-link-received' }
  | { readonly kind: 'ask-question'; readonly question: string }
  | { readonly kind: 'choose-password'; readonly policy: PasswordPolicy }
  | { readonly kind: 'password-changed'; readonly redirectTo: string }
  | { readonly kind: 'cancelled' }
  /** `channel`: the code field of a texted or spoken code, whose messages name the phone. */
  | { readonly kind: 'invalid-input'; readonly field: InputField; readonly problem: InputProblem; readonly channel?: PhoneChannel | undefined }
  | { readonly kind: 'link-dead' }
  | { readonly kind: 'flow-expired' }
  | { readonly kind: 'out-of-order' }
  /**
   * `remaining`: wrong answers this emailed link still allows by our own count (MAX_WRONG_ANSWERS),
   * when we know it, so the page can warn before the link is spent.
   */
  | { readonly kind: 'wrong-answer'; readonly remaining?: number }
  | { readonly kind: 'wrong-code'; readonly channel?: PhoneChannel | undefined }
  /** Our own limit: this emailed link (or code) took MAX_WRONG_ANSWERS wrong answers and is spent; a new link works. */
  | { readonly kind: 'attempts-exhausted' }
  /** Okta locked the account (Classic E0000069, IDX suspended factor): a new link cannot help until it is unlocked. */
  | { readonly kind: 'account-locked' }
  | {
      readonly kind: 'password-rejected';
      /** Rules we could check ourselves. */
      readonly unmet: readonly PasswordRequirement[];
      /** Okta's reasons, in our vocabulary (src/okta/password-refusals.ts); shown translated. */
      readonly refusals: readonly PasswordRefusal[];
      /** Okta's own English words, for the log only: never shown to the user. */
      readonly oktaCauses: readonly string[];
    }
  | { readonly kind: 'rate-limited'; readonly retryAfterSeconds: number }
  | { readonly kind: 'upstream-unavailable' };

/**
 * Why Okta refused a new password. 'requirements': Okta's sentence spelling out the whole policy
 * (it names every rule, not the failed one); 'unknown': a text we do not recognise.
 */
export type PasswordRefusal = 'current-password' | 'history' | 'min-age' | 'common' | 'requirements' | 'unknown';

/** How the emailed code is written, from Okta's own form (IDX: 6 digits, or 10 letters and digits). */
export interface CodeRules {
  readonly format: 'digits' | 'alphanumeric';
  readonly minLength: number;
  readonly maxLength: number;
}

/** The phone factors Okta recovers by (contract §1.4): a text message or a voice call. */
export type PhoneChannel = 'sms' | 'call';

export type OutcomeKind = Outcome['kind'];
export type InputField = 'body' | 'username' | 'method' | 'token' | 'code' | 'answer' | 'newPassword' | 'confirmPassword' | 'relayState';
export type InputProblem = 'required' | 'too-long' | 'mismatch' | 'invalid';
