/**
 * The user an IDX answer names (`user.value`: identifier, and once verified the profile), as the
 * flow keeps it (FlowUser, for the local password check) and as the mailer's engine-neutral
 * MailUser (the password-changed notice).
 */
import type { MailUser } from '../../mail/recipient.js';
import type { FlowUser } from '../../recovery/engine.js';
import type { Ion } from './ion.js';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export function userOf(ion: Ion, login: string | undefined): FlowUser {
  const profile = ion.user?.value.profile ?? {};
  return { login: text(ion.user?.value.identifier) ?? login, firstName: text(profile.firstName), lastName: text(profile.lastName) };
}

export function mailUserOf(ion: Ion, login: string | undefined): MailUser {
  const profile = ion.user?.value.profile ?? {};
  return {
    login: text(ion.user?.value.identifier) ?? login,
    firstName: text(profile.firstName),
    locale: text(profile.locale),
    timeZone: text(profile.timeZone),
  };
}
