/**
 * The recovery flow's state table: which phase the user's flow is in, what the sealed cookie
 * holds, and which steps may run. STEPS_OF_PHASE below *is* the table: steps.ts asks stepAllowed()
 * before doing anything, so what is written here is what decides. docs/recovery-flow.md draws the
 * same table; keep them together. (Ory Kratos writes its recovery state machine down the same way.)
 *
 *  phase              | engine  | held in the sealed cookie                 | steps allowed         | on success →
 *  ------------------ | ------- | ----------------------------------------- | --------------------- | ------------------------------
 *  (none)             | both    | nothing                                   | start                 | (none) Classic: email sent
 *                     |         |                                           |                       | awaiting-code    IDX: code sent
 *                     |         |                                           |                       | awaiting-code    Classic SMS/CALL
 *                     |         |                                           |                       |   (channel sms | call)
 *  (none)             | link*   | nothing                                   | receive-link          | link-received
 *  (any)              | IDX     | (a flow whose state the link names?)      | receive-code-link     | awaiting-code + the link's code
 *                     |         |                                           |                       | code-shown (another browser)
 *  link-received      | link*   | recoveryToken (never spent yet)           | verify                | awaiting-answer | awaiting-password
 *  awaiting-code      | IDX     | stateHandle, state, code rules, [code]    | verify-code, resend   | awaiting-answer | awaiting-password
 *  awaiting-code      | Classic | stateToken, factor, channel, code rules   | verify-code, resend   | awaiting-answer | awaiting-password
 *  code-shown         | IDX     | the code to type in the first browser     | (none)                |
 *  awaiting-answer    | both    | stateToken | stateHandle, question        | answer                | awaiting-password
 *  awaiting-password  | both    | stateToken | stateHandle, policy          | reset                 | done
 *  done               | both    | where to send the user                    | (none)                |
 *  unlocked           | Classic | nothing                                   | (none)                |
 *
 *  Self-service unlock (Classic, contract §5) is the same table: start with purpose unlock asks
 *  Okta's /recovery/unlock (email: "check your email", no flow; SMS: awaiting-code), the unlock
 *  link (/unlock-account/<token>) is received like a reset link (link-received, purpose unlock)
 *  and verified the same way; Okta answers RECOVERY (the question) or SUCCESS with recoveryType
 *  UNLOCK, which is the phase unlocked. No password step follows an unlock.
 *
 *  link*: Classic, and IDX with EMAIL_DELIVERY=service (our emailed link carries a recovery token
 *  that the verify step takes to interact, idx contract §3.3); the engine decides, not this table.
 *
 *  start, receive-link, receive-code-link and verify (a token in the API body) bring their own
 *  proof, so they may run in any phase. What an emailed link opened mid-flow does is ON_NEW_LINK:
 *  before a flow is past its emailed proof (none, link-received, code-shown, done) a new link
 *  replaces it; once it is (awaiting-code, awaiting-answer, awaiting-password) the user is asked
 *  first (Classic: /reset-password/replace) or, for a magic link naming another transaction, the
 *  code is shown without touching the flow: a cross-site GET of someone else's link must not
 *  silently swap the account being reset. A magic link whose state matches the flow waiting for
 *  it joins that flow. cancel runs anywhere. Okta's answer decides the next phase, never an
 *  assumed order (contracts §0).
 *
 *  Classic SMS/CALL (contract §1.4) is the challenge phase: Okta answers RECOVERY_CHALLENGE with a
 *  stateToken, and the flow waits in awaiting-code for the texted or spoken code, exactly as an IDX
 *  flow waits for its emailed one (same steps, same cool-down, same cap on wrong codes per flow).
 *  A username Okta refuses gets a decoy challenge that looks the same and accepts no code.
 */
import type { EngineSession, FlowUser } from './engine.js';
import type { CodeRules, PhoneChannel } from './outcomes.js';
import type { PasswordPolicy } from './password-policy.js';

export type FlowPhase = 'link-received' | 'awaiting-code' | 'code-shown' | 'awaiting-answer' | 'awaiting-password' | 'done' | 'unlocked';
export type StepName = 'start' | 'receive-link' | 'verify' | 'receive-code-link' | 'verify-code' | 'resend' | 'answer' | 'reset';

/** Steps that bring their own proof (a username, an emailed link): any phase, or none. */
const FROM_ANYWHERE: ReadonlySet<StepName> = new Set(['start', 'receive-link', 'verify', 'receive-code-link']);

export const STEPS_OF_PHASE: Readonly<Record<FlowPhase, readonly StepName[]>> = Object.freeze({
  'link-received': ['verify'],
  'awaiting-code': ['verify-code', 'resend'],
  'code-shown': [],
  'awaiting-answer': ['answer'],
  'awaiting-password': ['reset'],
  done: [],
  unlocked: [],
});


interface FlowBase {
  /** When the flow dies, in epoch ms: Okta's expiry for its transaction, or our own bound. */
  readonly expiresAt: number;
}

/** A flow that Okta holds a transaction for: the engine's session and what the pages need. */
interface EngineFlow extends FlowBase {
  readonly session: EngineSession;
  /** Counts wrong answers per emailed proof (see engine.ts Progress.key). */
  readonly key: string;
  readonly user: FlowUser;
  readonly relayState?: string | undefined;
}

export type FlowState =
  /** `purpose`: an unlock link (/unlock-account/<token>); only the wording differs, Okta's answer decides the rest. */
  /** `relayState`: carried by the link itself where Okta keeps none with the token (IDX service delivery). */
  | (FlowBase & { readonly phase: 'link-received'; readonly recoveryToken: string; readonly purpose?: 'unlock' | undefined; readonly relayState?: string | undefined })
  | (EngineFlow & {
      readonly phase: 'awaiting-code';
      readonly code: CodeRules;
      /** No new code before this (epoch ms): a resend is one more email to the user. */
      readonly resendAfter: number;
      /** The code from a magic link opened in this browser, spent only by the user's POST. */
      readonly linkCode?: string | undefined;
      /** Texted or spoken (Classic SMS/CALL); absent: emailed. */
      readonly channel?: PhoneChannel | undefined;
      /** A self-service unlock's code (the pages offer the unlock methods, not the recovery ones). */
      readonly purpose?: 'unlock' | undefined;
    })
  | (FlowBase & { readonly phase: 'code-shown'; readonly code: string })
  | (EngineFlow & { readonly phase: 'awaiting-answer'; readonly question: string })
  | (EngineFlow & { readonly phase: 'awaiting-password'; readonly policy: PasswordPolicy })
  | (FlowBase & { readonly phase: 'done'; readonly redirectTo: string })
  /** Self-service unlock finished: "your account is unlocked", sign in or reset the password. */
  | (FlowBase & { readonly phase: 'unlocked' });

/** What opening an emailed link does to the flow already under way. */
export const ON_NEW_LINK: Readonly<Record<FlowPhase | 'none', 'replace' | 'ask'>> = Object.freeze({
  none: 'replace',
  'link-received': 'replace',
  'code-shown': 'replace',
  'awaiting-code': 'ask',
  'awaiting-answer': 'ask',
  'awaiting-password': 'ask',
  done: 'replace',
  unlocked: 'replace',
});

export function stepAllowed(flow: FlowState | null, step: StepName): boolean {
  if (FROM_ANYWHERE.has(step)) return true;
  return flow !== null && STEPS_OF_PHASE[flow.phase].includes(step);
}
