/**
 * What an email job carries: plain data, never a closure, so that a Redis-backed queue can keep it
 * across a restart (redis-queue.ts) and the in-memory one runs exactly the same jobs (queue.ts).
 * Turning a job into an email (asking Okta, rendering) is the mailer's `prepare` (mailer.ts).
 */
import type { EndUserContext } from '../okta/context.js';
import type { MailUser } from './recipient.js';

export type MailJob =
  | {
      /** Service delivery: ask Okta for the recovery token, then mail our link. */
      readonly kind: 'recovery';
      readonly requestId?: string | undefined;
      readonly input: { readonly username: string; readonly relayState?: string | undefined };
      readonly context: EndUserContext;
    }
  | {
      /** "Your password was changed", with the moment it was. */
      readonly kind: 'password-changed';
      readonly requestId?: string | undefined;
      readonly user: MailUser;
      readonly context: EndUserContext;
      readonly changedAtMs: number;
    };
