/** Random identifiers in Okta's formats (lengths and prefixes as seen in the fixtures). */
import { randomBytes, randomInt } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function alnum(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

function b64url(length: number): string {
  return randomBytes(length).toString('base64url').slice(0, length);
}

/** e.g. "00lMJySRYNz3u_rKQrsLvLrzxiARgivP8FB_1gpmVb" (42 chars, contract §2.2). */
export const newStateToken = (): string => `00${b64url(40)}`;
/** e.g. "VBQ0gwBp5LyJJFdbmWCM" (20 chars, contract §1.5). */
export const newRecoveryToken = (): string => alnum(20);
export const newSessionToken = (): string => `20111${b64url(37)}`;
/** e.g. "oaeY-4G_TBUTBSZAn9n7oZCfw": random per error, the value Okta support traces (§0). */
export const newErrorId = (): string => `oae${b64url(22)}`;
/** e.g. "reqVy8wsvmBQN27h4soUE3ZEnA" (§0). */
export const newRequestId = (): string => `req${b64url(22)}`;
export const newPasscode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');
