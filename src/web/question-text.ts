/**
 * The security question in the reader's language: Okta's built-in questions arrive in English
 * (or, over IDX, by a key), so a recognised one is said through its `securityQuestion.<key>`
 * message; a question the user wrote is theirs, shown as typed.
 */
import type { Catalogue } from '../i18n/catalogue.js';
import { builtInQuestionKey } from '../recovery/security-questions.js';

export function questionIn(catalogue: Catalogue, locale: string, question: string): string {
  const key = builtInQuestionKey(question);
  return key ? catalogue.t(locale, `securityQuestion.${key}`) : question;
}
