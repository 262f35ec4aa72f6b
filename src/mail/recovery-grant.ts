/**
 * What the recovery email needs from Okta, in no engine's words: a recovery token for our own
 * link and the person to send it to. Each engine's service-delivery strategy asks Okta its own
 * way (Classic: the trusted-application authn call; Identity Engine: the Users API) and answers
 * with one of these, so the mailer knows no wire format (okta/classic/service-emails.ts,
 * okta/idx/service-emails.ts).
 */
import type { EndUserContext } from '../okta/context.js';
import type { MailUser } from './recipient.js';

export type RecoveryGrant =
  | {
      readonly kind: 'granted';
      /** Goes into the link only; never logged. */
      readonly token: string;
      readonly user: MailUser;
      /** When Okta says the token dies, epoch ms; undefined when Okta does not say. */
      readonly expiresAtMs?: number | undefined;
      /**
       * A relayState Okta does not keep with this token (the Identity Engine's Users API takes
       * none), so our link carries it; undefined when the token carries its own (Classic, whose
       * trusted authn call stores it at Okta and gives it back when the link is spent).
       */
      readonly relayState?: string | undefined;
    }
  /**
   * No email: why, for the log line only (an unknown user, a suspended one, Okta down). Never
   * shown to anyone, since it would say whether the account exists.
   */
  | { readonly kind: 'withheld'; readonly reason: 'okta-refused' | 'okta-unavailable' | 'no-recovery-token'; readonly facts: Readonly<Record<string, unknown>> };

export interface RecoveryTokenSource {
  /** Asks Okta once, after the user's response has gone; never retried (the POST may have issued a token). */
  grant(input: { readonly username: string; readonly relayState?: string | undefined }, context: EndUserContext): Promise<RecoveryGrant>;
}
