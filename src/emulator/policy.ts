/**
 * The password policy: defaults, merging of overrides, the `_embedded.policy` body, and the check
 * behind `/credentials/reset_password`'s 403 E0000080 causes (contract §3.2, §4.3).
 */
import type { EmulatorPolicy, PolicyOverrides } from './types.js';

/**
 * Okta's "Default Policy" of a new Classic org: 8 characters, lower, upper, number, no username,
 * history of 4, no minimum age. SMS/CALL recovery on so the factor fixtures can be driven.
 */
export const DEFAULT_POLICY: EmulatorPolicy = Object.freeze({
  complexity: Object.freeze({
    minLength: 8,
    minLowerCase: 1,
    minUpperCase: 1,
    minNumber: 1,
    minSymbol: 0,
    excludeUsername: true,
    excludeAttributes: [],
  }),
  age: Object.freeze({ minAgeMinutes: 0, historyCount: 4 }),
  requireRecoveryQuestion: true,
  maxWrongAnswers: 5,
  smsRecovery: true,
  callRecovery: true,
});

export function mergePolicy(base: EmulatorPolicy, ...overrides: Array<PolicyOverrides | undefined>): EmulatorPolicy {
  let merged = base;
  for (const o of overrides) {
    if (!o) continue;
    merged = {
      ...merged,
      ...stripUndefined({
        requireRecoveryQuestion: o.requireRecoveryQuestion,
        maxWrongAnswers: o.maxWrongAnswers,
        smsRecovery: o.smsRecovery,
        callRecovery: o.callRecovery,
      }),
      complexity: {
        ...merged.complexity,
        ...stripUndefined(o.complexity ?? {}),
        // A copy, so no two policies share (and could mutate) one array.
        excludeAttributes: [...(o.complexity?.excludeAttributes ?? merged.complexity.excludeAttributes)],
      },
      age: { ...merged.age, ...stripUndefined(o.age ?? {}) },
    };
  }
  return merged;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `_embedded.policy` of PASSWORD_RESET, in the real capture's shape (SIW playground recovery-answer, §3.2). */
export function policyBody(policy: EmulatorPolicy): object {
  const c = policy.complexity;
  return {
    complexity: {
      minLength: c.minLength,
      minLowerCase: c.minLowerCase,
      minUpperCase: c.minUpperCase,
      minNumber: c.minNumber,
      minSymbol: c.minSymbol,
      excludeUsername: c.excludeUsername,
      excludeAttributes: [...c.excludeAttributes],
    },
    age: { minAgeMinutes: policy.age.minAgeMinutes, historyCount: policy.age.historyCount },
  };
}

export interface PasswordSubject {
  login: string;
  firstName: string;
  lastName: string;
  password: string;
  /** Earlier passwords, newest first. */
  passwordHistory: readonly string[];
  passwordChangedMs: number | null;
}

// §4.3: the exact cause texts seen with E0000080.
export const CAUSE_CURRENT_PASSWORD = 'Password cannot be your current password';
export const CAUSE_USED_TOO_RECENTLY = 'Password has been used too recently';

/**
 * The errorCauses for `newPassword`, empty when accepted. Like Okta, a complexity or age failure
 * yields one cause that spells out the whole policy (the pattern quoted in §4.3), so the cause
 * reads the same whichever rule failed.
 */
export function passwordViolations(
  policy: EmulatorPolicy,
  user: PasswordSubject,
  newPassword: string,
  nowMs: number,
): string[] {
  const causes: string[] = [];
  const tooYoung =
    policy.age.minAgeMinutes > 0 &&
    user.passwordChangedMs !== null &&
    nowMs - user.passwordChangedMs < policy.age.minAgeMinutes * 60_000;
  if (failsComplexity(policy, user, newPassword) || tooYoung) causes.push(requirementsText(policy));
  if (newPassword === user.password) {
    causes.push(CAUSE_CURRENT_PASSWORD);
  } else if (policy.age.historyCount > 0 && user.passwordHistory.slice(0, policy.age.historyCount).includes(newPassword)) {
    // The contract's simple model (§4.3): the current password, then the last historyCount earlier ones.
    causes.push(CAUSE_USED_TOO_RECENTLY);
  }
  return causes;
}

const count = (s: string, re: RegExp): number => (s.match(re) ?? []).length;

function failsComplexity(policy: EmulatorPolicy, user: PasswordSubject, pw: string): boolean {
  const c = policy.complexity;
  if (c.minLength > 0 && pw.length < c.minLength) return true;
  if (c.minLowerCase > 0 && count(pw, /[a-z]/g) < c.minLowerCase) return true;
  if (c.minUpperCase > 0 && count(pw, /[A-Z]/g) < c.minUpperCase) return true;
  if (c.minNumber > 0 && count(pw, /[0-9]/g) < c.minNumber) return true;
  if (c.minSymbol > 0 && count(pw, /[!-/:-@[-`{-~]/g) < c.minSymbol) return true;
  const lower = pw.toLowerCase();
  if (c.excludeUsername && usernameParts(user.login).some((part) => lower.includes(part))) return true;
  for (const attr of c.excludeAttributes) {
    const value = user[attr].trim().toLowerCase();
    if (value.length > 0 && lower.includes(value)) return true;
  }
  return false;
}

/**
 * Okta splits the username on its delimiters and rejects passwords containing a part. We take
 * the parts of the local part of the login with 3+ characters, so "com" of a domain never blocks.
 */
export function usernameParts(login: string): string[] {
  const local = login.split('@')[0] ?? login;
  return local
    .toLowerCase()
    .split(/[.,\-_#@+]/)
    .filter((part) => part.length >= 3);
}

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : `at least ${n} ${many}`);

/** The SIW/Okta sentence (§4.3), built from the policy's active rules only. */
export function requirementsText(policy: EmulatorPolicy): string {
  const c = policy.complexity;
  const rules: string[] = [];
  if (c.minLength > 0) rules.push(`at least ${c.minLength} characters`);
  if (c.minLowerCase > 0) rules.push(plural(c.minLowerCase, 'a lowercase letter', 'lowercase letters'));
  if (c.minUpperCase > 0) rules.push(plural(c.minUpperCase, 'an uppercase letter', 'uppercase letters'));
  if (c.minNumber > 0) rules.push(plural(c.minNumber, 'a number', 'numbers'));
  if (c.minSymbol > 0) rules.push(plural(c.minSymbol, 'a symbol', 'symbols'));
  if (c.excludeUsername) rules.push('no parts of your username');
  if (c.excludeAttributes.includes('firstName')) rules.push('does not include your first name');
  if (c.excludeAttributes.includes('lastName')) rules.push('does not include your last name');
  let text = 'Password requirements were not met.';
  if (rules.length > 0) text += ` Password requirements: ${rules.join(', ')}.`;
  if (policy.age.historyCount > 0) {
    text += ` Your password cannot be any of your last ${policy.age.historyCount} passwords.`;
  }
  if (policy.age.minAgeMinutes > 0) text += ` ${minAgeSentence(policy.age.minAgeMinutes)}`;
  return text;
}

function minAgeSentence(minutes: number): string {
  if (minutes % 1440 === 0) return `At least ${minutes / 1440} day(s) must have elapsed since you last changed your password.`;
  if (minutes % 60 === 0) return `At least ${minutes / 60} hour(s) must have elapsed since you last changed your password.`;
  return `At least ${minutes} minute(s) must have elapsed since you last changed your password.`;
}
