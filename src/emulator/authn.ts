/**
 * `POST /api/v1/authn` and `/api/v1/authn/cancel` (contract §6): the transaction's current state,
 * cancel, and just enough primary authentication to show LOCKED_OUT (AUTHJS locked-out, §5) and to
 * prove that a reset took effect.
 */
import { OktaApiError, invalidToken } from './errors.js';
import type { FlowDeps } from './flow-deps.js';
import { SESSION_TOKEN_LIFETIME_MS } from './flow-deps.js';
import { newSessionToken } from './ids.js';
import { cancelBody, lockedOutBody, successBody, transactionBody } from './responses.js';
import type { Body } from './responses.js';

/** §6 "Get current state": also a successful call, so it slides the expiry. */
export function currentState(deps: FlowDeps, stateToken: string, origin: string): Body {
  const txn = deps.store.liveTransaction(stateToken);
  if (!txn) throw invalidToken();
  deps.store.touch(txn);
  return transactionBody(txn, deps.store.userById(txn.userId), origin);
}

/** §6 Cancel: revokes the state token; afterwards it gives 401 E0000011. */
export function cancelTransaction(deps: FlowDeps, stateToken: string): Body {
  const txn = deps.store.liveTransaction(stateToken);
  if (!txn) throw invalidToken();
  deps.store.endTransaction(stateToken);
  return cancelBody(txn.relayState);
}

/**
 * Primary authentication. A locked account answers 200 LOCKED_OUT whatever the password; anything
 * else that fails is 401 E0000004 "Authentication failed", which does not say which part was wrong.
 */
export function primaryAuth(deps: FlowDeps, username: string, password: string, origin: string): Body {
  const user = deps.store.findUser(username);
  if (user?.status === 'LOCKED_OUT') return lockedOutBody(origin);
  if (!user || user.status !== 'ACTIVE' || user.password !== password) throw new OktaApiError('E0000004');
  const now = deps.clock.now();
  return successBody(user, newSessionToken(), now + SESSION_TOKEN_LIFETIME_MS, undefined, undefined);
}
