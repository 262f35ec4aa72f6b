/**
 * What each Classic Okta failure means for the step that met it (contract §2.3, §3.3, §4.3, §4.4,
 * §6, §8). Okta supports only errorCode for flow control (COREAPI "Errors"), so we key on the code
 * and use the HTTP status only where codes are shared.
 */
import type { EngineRefusal } from '../../recovery/engine.js';
import { OktaApiError, OktaUnavailableError } from '../errors.js';
import { refusalsOf } from '../password-refusals.js';

export type ClassicStep = 'start' | 'verify' | 'answer' | 'reset';

/** null: the refusal is folded into "email sent" (start only: enumeration, contract §1.3). */
export function refusalOf(error: unknown, step: ClassicStep): EngineRefusal | null {
  if (error instanceof OktaUnavailableError) return { kind: 'upstream-unavailable' };
  if (!(error instanceof OktaApiError)) throw error;
  if (error.isRateLimit) return { kind: 'rate-limited', retryAfterSeconds: error.retryAfterSeconds ?? 60 };

  switch (step) {
    case 'verify':
      // Docs say 401 E0000011 for a bad recovery token; real orgs answer 403 E0000105 for expired
      // or used links (contract §2.3, discrepancy 1). Either way the link is dead, as is anything
      // else Okta refuses a recovery token for: the user's way forward is a new link.
      return { kind: 'link-dead' };
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
