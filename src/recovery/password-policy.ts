/**
 * Okta's password policy, normalised from what the engine read (Classic: PASSWORD_RESET's
 * `_embedded.policy`, contract §3.2; IDX: the password authenticator's `settings`, IDX contract
 * §5.1: the same complexity/age shape), and checked locally so the user hears about an unmet rule
 * before we spend an Okta call. Okta stays the judge: it also checks history, minimum age and
 * common passwords, which we cannot see.
 */

/** The policy as both engines' wire formats carry it (after each engine's own schema has parsed it). */
export interface OktaPasswordRules {
  readonly complexity?:
    | {
        readonly minLength?: number | undefined;
        readonly minLowerCase?: number | undefined;
        readonly minUpperCase?: number | undefined;
        readonly minNumber?: number | undefined;
        readonly minSymbol?: number | undefined;
        readonly excludeUsername?: boolean | string | undefined;
        readonly excludeAttributes?: readonly string[] | undefined;
      }
    | undefined;
  readonly age?: { readonly minAgeMinutes?: number | undefined; readonly historyCount?: number | undefined } | undefined;
}

/** Our own ceiling on every secret a user types (username, answer, password): no truncation. */
export const MAX_INPUT_LENGTH = 256;

export interface PasswordPolicy {
  readonly minLength: number;
  readonly minLowerCase: number;
  readonly minUpperCase: number;
  readonly minNumber: number;
  readonly minSymbol: number;
  readonly excludeUsername: boolean;
  readonly excludeFirstName: boolean;
  readonly excludeLastName: boolean;
  readonly historyCount: number;
  readonly minAgeMinutes: number;
  readonly maxLength: number;
}

export type PasswordRequirement =
  | 'minLength'
  | 'maxLength'
  | 'minLowerCase'
  | 'minUpperCase'
  | 'minNumber'
  | 'minSymbol'
  | 'excludeUsername'
  | 'excludeFirstName'
  | 'excludeLastName';

export interface PasswordOwner {
  readonly login?: string | undefined;
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
}

/** Contract §3.2: a value ≤ 0 (0 or -1) means "no requirement". */
function requirement(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** Contract discrepancy 5: excludeUsername is a boolean in real data and the string "true" in the docs. */
function flag(value: boolean | string | undefined): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

export function normalisePolicy(policy: OktaPasswordRules | undefined): PasswordPolicy {
  const complexity = policy?.complexity ?? {};
  const attributes = complexity.excludeAttributes ?? [];
  return {
    minLength: requirement(complexity.minLength),
    minLowerCase: requirement(complexity.minLowerCase),
    minUpperCase: requirement(complexity.minUpperCase),
    minNumber: requirement(complexity.minNumber),
    minSymbol: requirement(complexity.minSymbol),
    excludeUsername: flag(complexity.excludeUsername),
    excludeFirstName: attributes.includes('firstName'),
    excludeLastName: attributes.includes('lastName'),
    historyCount: requirement(policy?.age?.historyCount),
    minAgeMinutes: requirement(policy?.age?.minAgeMinutes),
    maxLength: MAX_INPUT_LENGTH,
  };
}

/** One code point of each kind the policy counts (the symbol: neither a letter, a digit nor a space). */
const LOWER = /^\p{Ll}$/u;
const UPPER = /^\p{Lu}$/u;
const DIGIT = /^\p{Nd}$/u;
const SYMBOL = /^[^\p{L}\p{Nd}\s]$/u;

/**
 * The password's length in code points and how many of each kind it has, in one walk over it:
 * matching each kind over the whole password built an array of every match, four times a reset.
 */
function composition(password: string): { length: number; lower: number; upper: number; digit: number; symbol: number } {
  const counts = { length: 0, lower: 0, upper: 0, digit: 0, symbol: 0 };
  for (const codePoint of password) {
    counts.length += 1;
    if (LOWER.test(codePoint)) counts.lower += 1;
    else if (UPPER.test(codePoint)) counts.upper += 1;
    else if (DIGIT.test(codePoint)) counts.digit += 1;
    else if (SYMBOL.test(codePoint)) counts.symbol += 1;
  }
  return counts;
}

/**
 * Parts of a login a password may not contain: Okta splits the username on its delimiters and
 * rejects passwords containing any part of three characters or more ("no parts of your username").
 */
function usernameParts(login: string): string[] {
  return login
    .toLowerCase()
    .split(/[@.,\-_#+\s]/)
    .filter((part) => part.length >= 3);
}

/** `lowerPassword`: the password lower-cased once by the caller, not once per word. */
function containsWord(lowerPassword: string, word: string | undefined): boolean {
  return Boolean(word && word.length >= 3 && lowerPassword.includes(word.toLowerCase()));
}

/** The requirements this password does not meet, in display order. Empty means "send it to Okta". */
export function unmetRequirements(policy: PasswordPolicy, password: string, owner: PasswordOwner): PasswordRequirement[] {
  const { length, lower, upper, digit, symbol } = composition(password);
  const unmet: PasswordRequirement[] = [];
  if (length < policy.minLength) unmet.push('minLength');
  if (length > policy.maxLength) unmet.push('maxLength');
  if (lower < policy.minLowerCase) unmet.push('minLowerCase');
  if (upper < policy.minUpperCase) unmet.push('minUpperCase');
  if (digit < policy.minNumber) unmet.push('minNumber');
  if (symbol < policy.minSymbol) unmet.push('minSymbol');
  const lowerPassword = password.toLowerCase();
  if (policy.excludeUsername && owner.login && usernameParts(owner.login).some((part) => containsWord(lowerPassword, part))) {
    unmet.push('excludeUsername');
  }
  if (policy.excludeFirstName && containsWord(lowerPassword, owner.firstName)) unmet.push('excludeFirstName');
  if (policy.excludeLastName && containsWord(lowerPassword, owner.lastName)) unmet.push('excludeLastName');
  return unmet;
}

/** A rule as the checklist shows it: its catalogue key is `policy.<rule>`, with `{count}` when counted. */
export interface ChecklistRule {
  readonly rule: PasswordRequirement | 'historyCount' | 'minAgeMinutes';
  readonly count: number | undefined;
}

/** Display order; the maximum length is our own ceiling, not a rule to tell people about. */
const CHECKLIST_ORDER: ReadonlyArray<{ rule: ChecklistRule['rule']; counted: boolean }> = [
  { rule: 'minLength', counted: true },
  { rule: 'minLowerCase', counted: true },
  { rule: 'minUpperCase', counted: true },
  { rule: 'minNumber', counted: true },
  { rule: 'minSymbol', counted: true },
  { rule: 'excludeUsername', counted: false },
  { rule: 'excludeFirstName', counted: false },
  { rule: 'excludeLastName', counted: false },
  { rule: 'historyCount', counted: true },
  { rule: 'minAgeMinutes', counted: true },
];

/** Every rule the policy sets, in display order: the page's checklist and the demo banner list the same. */
export function checklistOf(policy: PasswordPolicy): ChecklistRule[] {
  return CHECKLIST_ORDER.filter(({ rule }) => policy[rule] !== 0 && policy[rule] !== false).map(({ rule, counted }) => ({
    rule,
    count: counted ? (policy[rule] as number) : undefined,
  }));
}
