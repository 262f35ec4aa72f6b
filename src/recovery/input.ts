/**
 * Shape checks on what users type, before anything reaches Okta. Lengths are counted in code
 * points and bounded, never truncated: a silently shortened password is a password the user
 * does not know (OWASP Authentication cheat sheet; ASVS 2.1.x).
 */
import { MAX_INPUT_LENGTH } from './password-policy.js';
import type { CodeRules, InputField, InputProblem } from './outcomes.js';

export interface InputCheck {
  readonly field: InputField;
  readonly problem: InputProblem;
}

export function checkText(field: InputField, value: unknown, maxLength = MAX_INPUT_LENGTH): InputCheck | null {
  if (typeof value !== 'string' || value.length === 0) return { field, problem: 'required' };
  if ([...value].length > maxLength) return { field, problem: 'too-long' };
  return null;
}

/** Usernames: surrounding spaces are a typing slip, not part of the login. */
export function normaliseUsername(value: unknown): string | undefined {
  return typeof value === 'string' ? value.trim() : undefined;
}

/**
 * Okta's recovery tokens are URL-safe strings (letters, digits, - and _) of 20 characters in
 * every recording and example (okta-authn-contract.md §1.5 "VBQ0gwBp5LyJJFdbmWCM", the SIW's
 * `recoveryToken` option), up to the 42 of the documented /recovery/token request (§2.1). Anything
 * else, a link cut short by a mail client or typed by hand, is not a token Okta issued: it is
 * called dead at once, on the GET, without a "Continue" step or a round trip to Okta.
 */
export function isPlausibleRecoveryToken(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{20,64}$/.test(value);
}

/**
 * An emailed code as typed: spaces and dashes are how people copy codes, not part of them, and
 * Okta's alphanumeric codes are case-insensitive to read aloud but sent as written. Checked
 * against the rules Okta's own form gave (IDX contract §4.2: validate against the form, not a
 * fixed pattern). null: not a code this flow could accept, so Okta is not asked.
 */
export function normaliseCode(value: string, rules: CodeRules): string | null {
  const code = value.replace(/[\s-]/g, '');
  const pattern = rules.format === 'digits' ? /^[0-9]+$/ : /^[A-Za-z0-9]+$/;
  if (!pattern.test(code) || code.length < rules.minLength || code.length > rules.maxLength) return null;
  return code;
}

/** A magic link's query (IDX `?otp=…&state=…`): short URL-safe strings, or not a link we sent. */
export function isPlausibleCodeLink(otp: unknown, state: unknown): boolean {
  return typeof otp === 'string' && /^[A-Za-z0-9]{4,32}$/.test(otp) && typeof state === 'string' && /^[A-Za-z0-9_-]{8,128}$/.test(state);
}
