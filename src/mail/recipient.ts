/**
 * Who an email goes to, in which language, and how its times read — from what Okta says of the
 * user (each engine reads its own answer into a MailUser: okta/classic/recipient.ts,
 * okta/idx/engine.ts, okta/idx/users-api.ts) and the end user's request.
 */
import type { Catalogue } from '../i18n/catalogue.js';
import { matchLocale, negotiateLocale } from '../i18n/negotiate.js';

export interface MailUser {
  readonly login?: string | undefined;
  /** Present only if Okta gives it; Classic authn responses usually carry login alone. */
  readonly email?: string | undefined;
  readonly firstName?: string | undefined;
  /** Okta's profile locale, e.g. "fr_FR". */
  readonly locale?: string | undefined;
  /** IANA zone, e.g. "Europe/Paris". */
  readonly timeZone?: string | undefined;
}

const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

/**
 * The address: the profile email when Okta gives one, else the login, which Okta's default
 * username format requires to be an email address. A login that is not one cannot be mailed
 * without the Users API, so the caller skips it (and logs why).
 */
export function addressOf(user: MailUser): string | undefined {
  return [user.email, user.login].find((candidate): candidate is string => candidate !== undefined && ADDRESS.test(candidate));
}

/** The user's Okta locale, then the request's Accept-Language, then English. */
export function emailLocale(catalogue: Catalogue, user: MailUser, acceptLanguage: string | undefined): string {
  return matchLocale(user.locale, catalogue.locales) ?? negotiateLocale({ acceptLanguage }, catalogue.locales);
}

/** A moment as the reader would say it, in their time zone when Okta knows it (UTC otherwise). */
export function formatMoment(epochMs: number, locale: string, timeZone: string | undefined): string {
  const options: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' };
  try {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: timeZone ?? 'UTC' }).format(epochMs);
  } catch {
    // An unknown zone name from a profile must not cost the user their email.
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).format(epochMs);
  }
}
