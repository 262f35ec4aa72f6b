/**
 * The two Users API calls behind Identity Engine service delivery (idx contract §3.3, "Use your
 * own infrastructure to send the password recovery email"), both with the admin API token:
 *  - `GET /api/v1/users/{login}` (the Users API takes a login in place of the id): the user's id
 *    and the profile our email needs (address, first name, locale, time zone);
 *  - `POST /api/v1/users/{id}/lifecycle/reset_password?sendEmail=false`: Okta sends nothing and
 *    answers `{resetPasswordUrl}` (`https://{org}/signin/reset-password/{token}`), whose last
 *    path segment is the recovery token that `interact … recovery_token=` takes.
 * Each returns typed data or throws an OktaError (okta/client.ts); the metrics and logs name the
 * endpoints by their templates, so no login reaches a label or a log line.
 */
import { z } from 'zod';
import type { MailUser } from '../../mail/recipient.js';
import type { OktaClient } from '../client.js';
import type { EndUserContext } from '../context.js';
import { OktaUnavailableError } from '../errors.js';

const text = z
  .string()
  .optional()
  .catch(undefined)
  .transform((value) => (value && value.trim() !== '' ? value.trim() : undefined));

const userSchema = z
  .object({
    id: z.string().min(1),
    status: z.string().optional(),
    profile: z.object({ login: text, email: text, firstName: text, locale: text, timeZone: text }).loose().prefault({}),
  })
  .loose();

const resetSchema = z.object({ resetPasswordUrl: z.string() }).loose();

export interface OktaUser {
  readonly id: string;
  readonly status: string | undefined;
  readonly mailUser: MailUser;
}

/**
 * The user named by this login. An unknown login is Okta's 404 E0000007, thrown like any refusal.
 * This is the start's first Okta call, which its admission already paid for (prepaid).
 */
export async function findUser(okta: OktaClient, login: string, context: EndUserContext): Promise<OktaUser> {
  const body = await okta.get(`api/v1/users/${encodeURIComponent(login)}`, { context, useApiToken: true, prepaid: true, endpoint: 'api/v1/users/{login}' });
  const parsed = userSchema.safeParse(body);
  if (!parsed.success) throw new OktaUnavailableError('unexpected user shape');
  const { id, status, profile } = parsed.data;
  return { id, status, mailUser: { login: profile.login, email: profile.email, firstName: profile.firstName, locale: profile.locale, timeZone: profile.timeZone } };
}

/** A recovery token for this user, Okta sending no email; undefined when the URL carries none. */
export async function issueRecoveryToken(okta: OktaClient, userId: string, context: EndUserContext): Promise<string | undefined> {
  const body = await okta.post(`api/v1/users/${encodeURIComponent(userId)}/lifecycle/reset_password?sendEmail=false`, {}, {
    context,
    useApiToken: true,
    endpoint: 'api/v1/users/{id}/lifecycle/reset_password',
  });
  const parsed = resetSchema.safeParse(body);
  if (!parsed.success || !URL.canParse(parsed.data.resetPasswordUrl)) throw new OktaUnavailableError('unexpected reset_password shape');
  // Only the segment after reset-password/: a URL without one names no token (not "reset-password").
  return /\/reset-password\/([^/]+)\/?$/.exec(new URL(parsed.data.resetPasswordUrl).pathname)?.[1];
}
