/**
 * What the Identity Engine keeps between requests, sealed in the flow cookie with the flow
 * (recovery/flow-cookie.ts), and how an ION answer updates it. Opaque to everything outside
 * okta/idx/ (recovery/engine.ts EngineSession).
 */
import type { EngineSession } from '../../recovery/engine.js';
import { remediationNamed, stateHandleOf, type Ion } from './ion.js';

/** Where the answer, resend and cancel forms post in every capture; used when a form gives none. */
const DEFAULT_PATHS = { answer: 'idp/idx/challenge/answer', resend: 'idp/idx/challenge/resend', cancel: 'idp/idx/cancel' };

/**
 * The session sealed in the flow cookie: stateHandle, our interact state, the three hrefs we
 * post to later, and whether this is a folded start. Every start writes every member, at the
 * same lengths for known and unknown users, so the cookie's size says nothing about the account.
 */
export interface IdxSession {
  readonly h: string;
  readonly s: string;
  readonly a: string;
  readonly r: string;
  readonly c: string;
  /** "1": Okta refused this username at start; every code is wrong, no email went out. */
  readonly d: '0' | '1';
  /** The security question's key, once asked. */
  readonly q?: string;
  /** "1": the password form offers revokeSessions (2023+ orgs, §5.1). */
  readonly v?: string;
}

// A cast, not a copy: every session is a fresh object of sessionOf's (or the one the cookie held).
export const asSession = (session: IdxSession): EngineSession => session as unknown as EngineSession;
export const fromSession = (session: EngineSession): IdxSession => session as unknown as IdxSession;

/** What a session is built on: at least our interact `state`; the rest carries over when an answer lacks it. */
export type PreviousSession = Pick<IdxSession, 's'> & Partial<IdxSession>;

/** The session after `ion`: Okta's newest stateHandle and hrefs, the rest from `previous`. `pathOf`: the protocol's href check. */
export function sessionOf(ion: Ion, previous: PreviousSession, pathOf: (href: string) => string, extra?: Partial<IdxSession>): IdxSession {
  const answerForm = remediationNamed(ion, 'challenge-authenticator') ?? remediationNamed(ion, 'reset-authenticator');
  const resend = ion.currentAuthenticatorEnrollment?.value.resend;
  const session: IdxSession = {
    h: stateHandleOf(ion, answerForm) ?? previous.h ?? '',
    s: previous.s,
    a: answerForm ? pathOf(answerForm.href) : (previous.a ?? DEFAULT_PATHS.answer),
    r: resend ? pathOf(resend.href) : (previous.r ?? DEFAULT_PATHS.resend),
    c: ion.cancel ? pathOf(ion.cancel.href) : (previous.c ?? DEFAULT_PATHS.cancel),
    d: previous.d ?? '0',
  };
  return extra === undefined ? session : Object.assign(session, extra);
}
