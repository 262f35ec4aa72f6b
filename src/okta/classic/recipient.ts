/**
 * The Okta user embedded in a Classic transaction, as the mailer's engine-neutral MailUser
 * (contract §1.5: `_embedded.user.profile` has login, firstName, locale, timeZone; email only
 * sometimes).
 */
import type { MailUser } from '../../mail/recipient.js';
import type { OktaTransaction } from './schemas.js';

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function mailUserOf(transaction: OktaTransaction | undefined): MailUser {
  const profile = (transaction?._embedded?.user?.profile ?? {}) as Record<string, unknown>;
  return {
    login: text(profile.login),
    email: text(profile.email),
    firstName: text(profile.firstName),
    locale: text(profile.locale),
    timeZone: text(profile.timeZone),
  };
}
