/**
 * "When to come back" in the user's units: seconds, then minutes, then hours, always rounded up,
 * with each language's plural forms (Intl), and Haitian Creole, which the runtime lacks.
 */
import { inLifetime, inTime } from '../../src/i18n/relative-time.js';

it.each([
  ['en', 1, 'in 1 second'],
  ['en', 119, 'in 119 seconds'],
  ['en', 120, 'in 2 minutes'],
  ['en', 601, 'in 11 minutes'],
  ['en', 7200, 'in 2 hours'],
  ['ru', 2 * 60, 'через 2 минуты'],
  ['ru', 5 * 60, 'через 5 минут'],
  ['ru', 3 * 3600, 'через 3 часа'],
  ['pl', 22 * 60, 'za 22 minuty'],
  ['ja', 600, '10 分後'],
  ['ht', 7200, 'nan 2 èdtan'],
])('%s, %i s → %s', (locale, seconds, text) => {
  expect(inTime(locale, seconds)).toBe(text);
});

/** A configured lifetime ("the link expires in 1 hour"): the largest unit that says it exactly. */
it.each([
  ['en', 60, 'in 1 hour'],
  ['en', 90, 'in 90 minutes'],
  ['en', 10080, 'in 7 days'],
  ['en', 1500, 'in 25 hours'],
  ['cs', 120, 'za 2 hodiny'],
  ['ht', 1440, 'nan 1 jou'],
])('lifetime %s, %i min → %s', (locale, minutes, text) => {
  expect(inLifetime(locale, minutes)).toBe(text);
});
