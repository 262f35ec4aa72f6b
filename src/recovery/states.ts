/**
 * The recovery flow's state table: which state the user's flow is in, what it waits for, and
 * which step may run next. docs/recovery-flow.md draws the same table; keep them together.
 * (Ory Kratos writes its recovery state machine down the same way: selfservice/flow/recovery.)
 *
 *  state              | held in the sealed cookie        | allowed step   | on success →
 *  ------------------ | -------------------------------- | -------------- | -----------------------------
 *  (none)             | nothing                          | start          | (none): email sent, same for everyone
 *  (none)             | nothing                          | receive-link   | link-received
 *  link-received      | recoveryToken (never spent yet)  | verify         | awaiting-answer | awaiting-password
 *  awaiting-answer    | stateToken, question             | answer         | awaiting-password
 *  awaiting-password  | stateToken, policy               | reset          | done
 *  done               | where to send the user           | (none)         |
 *
 *  Any state may also receive a new emailed link (receive-link). Before the link is spent
 *  (none, link-received, done) it replaces the flow; once a flow is past the link
 *  (awaiting-answer, awaiting-password) the user is asked first (ON_NEW_LINK), because a
 *  cross-site GET of someone else's link must not silently swap the account being reset.
 *  Okta's `status` decides the next state, never an assumed order (contract §0).
 */

import type { PasswordPolicy } from './password-policy.js';

export type FlowPhase = 'link-received' | 'awaiting-answer' | 'awaiting-password' | 'done';
export type StepName = 'start' | 'receive-link' | 'verify' | 'answer' | 'reset';

export const ALLOWED_STEP: Readonly<Record<FlowPhase, StepName | null>> = Object.freeze({
  'link-received': 'verify',
  'awaiting-answer': 'answer',
  'awaiting-password': 'reset',
  done: null,
});

/** The user named in the transaction: kept to check the password locally and for password managers. */
export interface FlowUser {
  readonly login?: string | undefined;
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
}

interface FlowBase {
  /** When the flow dies, in epoch ms: Okta's expiresAt for the stateToken, or our own bound. */
  readonly expiresAt: number;
}

export type FlowState =
  | (FlowBase & { readonly phase: 'link-received'; readonly recoveryToken: string })
  | (FlowBase & {
      readonly phase: 'awaiting-answer';
      readonly stateToken: string;
      readonly question: string;
      readonly user: FlowUser;
      readonly relayState?: string | undefined;
    })
  | (FlowBase & {
      readonly phase: 'awaiting-password';
      readonly stateToken: string;
      readonly policy: PasswordPolicy;
      readonly user: FlowUser;
      readonly relayState?: string | undefined;
    })
  | (FlowBase & { readonly phase: 'done'; readonly redirectTo: string });

/** What opening an emailed link does to the flow already under way. */
export const ON_NEW_LINK: Readonly<Record<FlowPhase | 'none', 'replace' | 'ask'>> = Object.freeze({
  none: 'replace',
  'link-received': 'replace',
  'awaiting-answer': 'ask',
  'awaiting-password': 'ask',
  done: 'replace',
});

export function stepAllowed(flow: FlowState | null, step: StepName): boolean {
  if (step === 'start' || step === 'receive-link') return true;
  return flow !== null && ALLOWED_STEP[flow.phase] === step;
}
