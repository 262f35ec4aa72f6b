/**
 * Okta's cause sentences, as both engines carry them, read into our reasons: the whole-policy
 * sentence is not mistaken for the history rule it mentions, and a sentence we do not know is
 * 'unknown' (the generic translated message), not Okta's English.
 */
import { refusalOfText, refusalsOf } from '../../src/okta/password-refusals.js';

it.each([
  ['Password has been used too recently', 'history'],
  ['Password cannot be your current password', 'current-password'],
  ['This password was found in a list of commonly used passwords. Please try another password.', 'common'],
  ['Password requirements were not met. Password requirements: at least 8 characters. Your password cannot be any of your last 4 passwords.', 'requirements'],
  ['Passwords must have at least 8 characters, a lowercase letter, an uppercase letter, a number, no parts of your username', 'requirements'],
  ['Something Okta may say one day', 'unknown'],
])('%s → %s', (text, reason) => {
  expect(refusalOfText(text)).toBe(reason);
});

it('says "requirements" once when Okta gave no cause, and keeps each reason once', () => {
  expect(refusalsOf([])).toEqual(['requirements']);
  expect(refusalsOf(['Password has been used too recently', 'Password has been used too recently', 'odd'])).toEqual(['history', 'unknown']);
});
