/**
 * What each Classic Okta failure means for the step that met it (contract §2.3, §3.3, §4.3, §4.4,
 * §6, §8). Okta supports only errorCode for flow control (COREAPI "Errors"), so we key on the code
 * and use the HTTP status only where codes are shared.
 */
import type { EngineRefusal } from '../../recovery/engine.js';
import { OktaApiError, OktaUnavailableError } from '../errors.js';
import { refusalsOf } from '../password-refusals.js';

export type ClassicStep = 'start' | 'verify' | 'verify-code' | 'resend' | 'answer' | 'reset';

/**
 * Okta's per-phone limits (contract §5): one text or call per phone per 30 s, a daily cap. Only a
 * real user with a phone meets them, so at the start they must not show (an unknown user never
 * would); on a resend they are the user's own limit, shown as a wait.
 */
const PHONE_LIMITS: ReadonlySet<string> = new Set(['E0000109', 'E0000133', 'E0000204', 'E0000205', 'E0000150', 'E0000151']);

/**
 * A phone start (SMS/CALL) Okta refused: 'decoy' folds it into the same code page every username
 * gets (E0000006 factor not enabled, E0000034, E0000095, E0000119, a per-phone limit); an org-wide
 * rate limit or an outage is the same for every account and is shown as what it is.
 */
export function phoneStartRefusal(error: unknown): EngineRefusal | 'decoy' {
  if (error instanceof OktaUnavailableError) return { kind: 'upstream-unavailable' };
  if (!(error instanceof OktaApiError)) throw error;
  if (PHONE_LIMITS.has(error.errorCode)) return 'decoy';
  if (error.isRateLimit) return { kind: 'rate-limited', retryAfterSeconds: error.retryAfterSeconds ?? 60 };
  return 'decoy';
}

/** null: the refusal is folded into "email sent" (start only: enumeration, contract §1.3). */
export function refusalOf(error: unknown, step: ClassicStep): EngineRefusal | null {
  if (error instanceof OktaUnavailableError) return { kind: 'upstream-unavailable' };
  if (!(error instanceof OktaApiError)) throw error;
  // A per-phone limit: Okta's 30 s between texts (contract §5), or its daily cap.
  if (PHONE_LIMITS.has(error.errorCode)) return { kind: 'rate-limited', retryAfterSeconds: error.retryAfterSeconds ?? 30 };
  if (error.isRateLimit) return { kind: 'rate-limited', retryAfterSeconds: error.retryAfterSeconds ?? 60 };

  switch (step) {
    case 'verify':
      // Docs say 401 E0000011 for a bad recovery token; real orgs answer 403 E0000105 for expired
      // or used links (contract §2.3, discrepancy 1). Either way the link is dead, as is anything
      // else Okta refuses a recovery token for: the user's way forward is a new link.
      return { kind: 'link-dead' };
    case 'verify-code':
      // E0000068 "Invalid Passcode/Answer" (contract §5): the stateToken stays usable for another try.
      if (error.errorCode === 'E0000068') return { kind: 'wrong-code' };
      if (error.errorCode === 'E0000069') return { kind: 'account-locked' };
      return { kind: 'flow-expired' };
    case 'resend':
      return { kind: 'flow-expired' };
    case 'answer':
      if (error.errorCode === 'E0000087') return { kind: 'wrong-answer' };
      // Contract §3.3: repeated wrong answers lock the user (E0000069, modelled, not documented).
      // Locked is not "this link is spent": a new link cannot help until the account is unlocked.
      if (error.errorCode === 'E0000069') return { kind: 'account-locked' };
      return { kind: 'flow-expired' };
    case 'reset':
      // E0000080 is what real orgs send; the current docs show E0000014 (contract §4.3). Okta's
      // E0000001 "Api validation failed" on newPassword is the same thing from the user's side.
      if (['E0000080', 'E0000014', 'E0000001'].includes(error.errorCode)) {
        return { kind: 'password-rejected', unmet: [], refusals: refusalsOf(error.causes), oktaCauses: error.causes };
      }
      // E0000011 (expired stateToken), E0000079 (wrong state), E0000105 (contract §4.4): start over.
      return { kind: 'flow-expired' };
    case 'start':
      // Start folds every refusal (E0000034, E0000006, E0000119, E0000095) into "email sent" (§1.3).
      return null;
  }
}
