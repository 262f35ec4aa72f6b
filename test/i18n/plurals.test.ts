/**
 * Plurals (issue 11.4): "1 uppercase letter(s)" is English written by someone who had no plural
 * rules. Every message is ICU MessageFormat; wherever a number changes the words, each catalogue
 * has a plural with every category its language distinguishes (CLDR, through Intl.PluralRules:
 * Polish needs one/few/many/other, Japanese only other), so no count falls through to a form
 * written for another.
 */
import { readCatalogues } from '../../src/i18n/catalogue.js';
import { messagesDir } from '../../src/paths.js';
import { shapeOf } from '../helpers/icu.js';

const catalogues = readCatalogues(messagesDir);
const english = catalogues.get('en') ?? {};
const countedInEnglish = Object.keys(english).filter((key) => shapeOf(english[key] ?? '').plurals.length > 0);

it('English words every count-dependent message as a plural', () => {
  // The ones the issue named, at least: the checklist, the resend wait, tries left, minutes.
  expect(countedInEnglish).toEqual(
    expect.arrayContaining(['policy.minUpperCase', 'policy.minAgeMinutes', 'policy.historyCount', 'code.resendWait', 'error.wrong-answer.remaining', 'email.recovery.expiry', 'password.requirementsProgress']),
  );
});

describe.each([...catalogues.keys()])('catalogue %s', (locale) => {
  const messages = catalogues.get(locale) ?? {};
  const needed = new Intl.PluralRules(locale).resolvedOptions().pluralCategories as string[];

  it('is valid ICU MessageFormat throughout', () => {
    const broken = Object.entries(messages).flatMap(([key, message]) => {
      try {
        shapeOf(message);
        return [];
      } catch (error) {
        return [`${key}: ${(error as Error).message}`];
      }
    });
    expect(broken).toEqual([]);
  });

  it(`has every plural category the language needs (${needed.join(', ')}) and none it lacks`, () => {
    const wrong = Object.entries(messages).flatMap(([key, message]) =>
      shapeOf(message).plurals.flatMap((plural) => {
        const categories = Object.keys(plural.options).filter((option) => !option.startsWith('='));
        const missing = needed.filter((category) => !categories.includes(category));
        const foreign = categories.filter((category) => !needed.includes(category));
        return missing.length || foreign.length ? [{ key, variable: plural.value, missing, foreign }] : [];
      }),
    );
    expect(wrong).toEqual([]);
  });

  it('uses a plural wherever English does, and no "(s)"-style shortcut anywhere', () => {
    expect(countedInEnglish.filter((key) => key in messages && shapeOf(messages[key] ?? '').plurals.length === 0)).toEqual([]);
    // "Ziffer(n)", "minut(ter)", "lettera/e": a word with its plural ending bolted on (not
    // Hungarian "a(z)", the article that follows the next word's sound, nor an aside in a script without case).
    expect(Object.entries(messages).filter(([, message]) => /\p{L}{2}\(\p{Ll}{1,4}\)|\p{L}\/\p{Ll}{1,2}\b/u.test(message)).map(([key]) => key)).toEqual([]);
  });
});
