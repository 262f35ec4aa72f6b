/**
 * The org's authenticators and a user's enrollments as IDX shows them (contract §2.2, §9.2):
 * password (the recovery authenticator, with the policy in `settings`, §5.1), email and the
 * security question (§7). Ids are the org's (`aut…`) or derived from the user (`eae…`, `lae…`,
 * `qae…`), stable across calls as Okta's are.
 */
import { builtInQuestionKey } from '../../recovery/security-questions.js';
import { policyBody } from '../policy.js';
import type { UserRecord } from '../store.js';
import type { Json } from './ion.js';
import { maskEmail } from './ion.js';
import { derivedId } from './transactions.js';

export const PASSWORD_AUTHENTICATOR_ID = derivedId('aut', 'okta_password');
export const EMAIL_AUTHENTICATOR_ID = derivedId('aut', 'okta_email');
export const QUESTION_AUTHENTICATOR_ID = derivedId('aut', 'security_question');

export function passwordAuthenticator(id = PASSWORD_AUTHENTICATOR_ID): Json {
  return { type: 'password', key: 'okta_password', id, displayName: 'Password', methods: [{ type: 'password' }] };
}

/** §5.1: the password policy rides in `settings` of currentAuthenticator and recoveryAuthenticator. */
export function passwordWithSettings(user: UserRecord | undefined): Json {
  return user ? { ...passwordAuthenticator(), settings: policyBody(user.policy) } : passwordAuthenticator();
}

export function emailAuthenticator(): Json {
  return { type: 'email', key: 'okta_email', id: EMAIL_AUTHENTICATOR_ID, displayName: 'Email', methods: [{ type: 'email' }] };
}

/**
 * Whom a response may show: a real user, or under enumeration prevention a decoy made up from the
 * typed identifier (stable ids, the typed name masked), so that an identified-first response of an
 * unknown user has the same shape as a real one's (§3.2, §6.3).
 */
export interface Subject {
  id: string;
  email: string;
}

export const subjectOfUser = (user: UserRecord): Subject => ({ id: user.id, email: user.email });
export const decoySubject = (identifier: string): Subject => ({ id: derivedId('00u', `decoy:${identifier.toLowerCase()}`), email: identifier });

/**
 * The email enrollment. Before the user proved the email (recovery, path A) it has no id and no
 * profile [F-04, F-06], which is what lets unknown users look the same (§6.3).
 */
export function emailEnrollment(subject: Subject | undefined): Json {
  const base: Json = { type: 'email', key: 'okta_email', displayName: 'Email', methods: [{ type: 'email' }] };
  if (!subject) return base;
  return { ...base, id: derivedId('eae', subject.id), profile: { email: maskEmail(subject.email) } };
}

export function passwordEnrollment(subject: Subject): Json {
  return passwordAuthenticator(derivedId('lae', subject.id));
}

/**
 * Okta's built-in question keys (§7), from the one list of the texts Okta ships
 * (recovery/security-questions.ts), so the emulator cannot word a question differently from Okta;
 * any other question is `custom`.
 */
export function questionKeyOf(question: string): string {
  return builtInQuestionKey(question) ?? 'custom';
}

export function questionEnrollment(user: UserRecord): Json {
  const question = user.recoveryQuestion?.question ?? '';
  const enrolled = { questionKey: questionKeyOf(question), question };
  return {
    profile: enrolled,
    contextualData: { enrolledQuestion: enrolled },
    type: 'security_question',
    key: 'security_question',
    id: derivedId('qae', user.id),
    displayName: 'Security Question',
    methods: [{ type: 'security_question' }],
  };
}

export function questionAuthenticator(): Json {
  return {
    type: 'security_question',
    key: 'security_question',
    id: QUESTION_AUTHENTICATOR_ID,
    displayName: 'Security Question',
    methods: [{ type: 'security_question' }],
  };
}

/** `user.value` (§2.2) after the email was proved: id, identifier and profile [F-08]. */
export function verifiedUserValue(user: UserRecord, identifier: string | undefined): Json {
  return {
    id: user.id,
    identifier: identifier ?? user.login,
    profile: { firstName: user.firstName, lastName: user.lastName, timeZone: user.timeZone, locale: user.locale },
  };
}
