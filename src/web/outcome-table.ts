/**
 * The one table that presents outcomes (STYLE.md principle 6, Kratos error.go): for every kind,
 * the HTTP status, the JSON API code, and how a page shows it. Pages and the API both look here;
 * neither decides statuses or messages on its own.
 */
import type { OutcomeKind, PasswordRefusal } from '../recovery/outcomes.js';
import { PAGES } from './routes.js';

/** Outcomes that only the web layer produces. */
export type WebOutcomeKind = OutcomeKind | 'forbidden' | 'not-found' | 'method-not-allowed' | 'internal';

export type PagePresentation =
  /** Post/Redirect/Get to the page of the next step. */
  | { readonly redirect: string }
  /** Show the form the user came from again, with the message attached. */
  | { readonly rerender: true }
  /** A page of its own, e.g. "link expired". */
  | { readonly template: string };

export interface OutcomePresentation {
  readonly status: number;
  /** The JSON API's error code; success outcomes have none. */
  readonly code?: string;
  /** Message key in the catalogues; error outcomes always have one. */
  readonly messageKey?: string;
  readonly page: PagePresentation;
}

export const OUTCOME_TABLE: Readonly<Record<WebOutcomeKind, OutcomePresentation>> = Object.freeze({
  'email-sent': { status: 202, page: { redirect: PAGES.sent } },
  // The same page as an emailed code: it shows the code field, worded for a phone.
  'code-sent': { status: 202, page: { redirect: PAGES.sent } },
  'unlock-email-sent': { status: 202, page: { redirect: PAGES.unlockSent } },
  'account-unlocked': { status: 200, page: { redirect: PAGES.unlockDone } },
  'link-received': { status: 303, page: { redirect: PAGES.link } },
  'code-link-received': { status: 303, page: { redirect: PAGES.verifyEmail } },
  'ask-question': { status: 200, page: { redirect: PAGES.question } },
  'choose-password': { status: 200, page: { redirect: PAGES.newPassword } },
  'password-changed': { status: 200, page: { redirect: PAGES.done } },
  cancelled: { status: 200, page: { redirect: PAGES.forgot } },
  'invalid-input': { status: 400, code: 'VALIDATION', messageKey: 'error.invalid-input', page: { rerender: true } },
  'link-dead': { status: 400, code: 'INVALID_TOKEN', messageKey: 'error.link-dead', page: { template: 'error' } },
  'flow-expired': { status: 401, code: 'FLOW_EXPIRED', messageKey: 'error.flow-expired', page: { template: 'error' } },
  'out-of-order': { status: 409, code: 'OUT_OF_ORDER', messageKey: 'error.out-of-order', page: { redirect: PAGES.link } },
  'wrong-code': { status: 422, code: 'WRONG_CODE', messageKey: 'error.wrong-code', page: { rerender: true } },
  'wrong-answer': { status: 422, code: 'WRONG_ANSWER', messageKey: 'error.wrong-answer', page: { rerender: true } },
  'attempts-exhausted': { status: 403, code: 'ATTEMPTS_EXHAUSTED', messageKey: 'error.attempts-exhausted', page: { template: 'error' } },
  'account-locked': { status: 403, code: 'ACCOUNT_LOCKED', messageKey: 'error.account-locked', page: { template: 'error' } },
  'password-rejected': { status: 422, code: 'PASSWORD_POLICY', messageKey: 'error.password-rejected', page: { rerender: true } },
  'rate-limited': { status: 429, code: 'RATE_LIMITED', messageKey: 'error.rate-limited', page: { template: 'error' } },
  'upstream-unavailable': { status: 503, code: 'UPSTREAM_UNAVAILABLE', messageKey: 'error.upstream-unavailable', page: { template: 'error' } },
  forbidden: { status: 403, code: 'FORBIDDEN', messageKey: 'error.forbidden', page: { template: 'error' } },
  'not-found': { status: 404, code: 'NOT_FOUND', messageKey: 'error.not-found', page: { template: 'error' } },
  // A page or endpoint asked for with a method it does not serve (GET on a JSON endpoint, DELETE).
  'method-not-allowed': { status: 405, code: 'METHOD_NOT_ALLOWED', messageKey: 'error.not-found', page: { template: 'error' } },
  internal: { status: 500, code: 'INTERNAL', messageKey: 'error.internal', page: { template: 'error' } },
});

/**
 * Okta's reasons for refusing a new password, as both engines report them: the sentence each one
 * gets (in the user's language; Okta's English goes to the log only) and the checklist row it
 * marks unmet on the new-password page, when the policy shows one.
 */
export const PASSWORD_REFUSALS: Readonly<Record<PasswordRefusal, { readonly messageKey: string; readonly rule?: 'historyCount' | 'minAgeMinutes' }>> = Object.freeze({
  'current-password': { messageKey: 'error.password-rejected.current-password', rule: 'historyCount' },
  history: { messageKey: 'error.password-rejected.history', rule: 'historyCount' },
  'min-age': { messageKey: 'error.password-rejected.min-age', rule: 'minAgeMinutes' },
  common: { messageKey: 'error.password-rejected.common' },
  requirements: { messageKey: 'error.password-rejected.requirements' },
  unknown: { messageKey: 'error.password-rejected.unknown' },
});

/** The checklist rows Okta's reasons mark unmet. */
export function checklistRowsOf(refusals: readonly PasswordRefusal[]): string[] {
  return refusals.flatMap((refusal) => PASSWORD_REFUSALS[refusal].rule ?? []);
}
