/**
 * Okta's reasons for refusing a new password, read from its English cause texts into our own
 * vocabulary, so the pages say them in the user's language and mark the checklist. Both engines
 * send the same sentences (Classic as E0000080 errorCauses, IDX as the messages of
 * `password.passwordRequirementsNotMet`), so the reading lives here, once; Okta's wording itself
 * goes to the log only.
 */
import type { PasswordRefusal } from '../recovery/outcomes.js';

/** First match wins; a text that matches none is 'unknown' and gets the generic sentence. */
const PATTERNS: ReadonlyArray<readonly [RegExp, PasswordRefusal]> = [
  [/cannot be your current password/i, 'current-password'],
  [/used too recently|cannot be any of your last|password history/i, 'history'],
  [/commonly used|common password|dictionary/i, 'common'],
  [/minimum password age|cannot be changed yet|changed too recently/i, 'min-age'],
  // The sentence that spells out the whole policy; it names every rule, not the one that failed.
  [/requirements were not met|must have at least|complexity requirements/i, 'requirements'],
];

export function refusalOfText(text: string): PasswordRefusal {
  // "Password requirements were not met. … cannot be any of your last 4 passwords." lists the
  // history rule as part of the policy: only a text that starts with a rule's own wording is that rule.
  const first = text.split(/(?<=\.)\s/)[0] ?? text;
  return PATTERNS.find(([pattern]) => pattern.test(first))?.[1] ?? 'unknown';
}

/** Each reason once, in Okta's order; no cause at all still says "refused". */
export function refusalsOf(texts: readonly string[]): PasswordRefusal[] {
  const refusals = [...new Set(texts.map(refusalOfText))];
  return refusals.length > 0 ? refusals : ['requirements'];
}
