/**
 * Every catalogue says everything English says, and nothing more: a missing key would show an
 * English sentence in the middle of a Japanese page, an extra one is a typo or a key English
 * dropped, and a changed {placeholder} would print "{seconds}" to a locked-out user.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { messagesDir } from '../../src/paths.js';
import { shapeOf } from '../helpers/icu.js';

/** The languages the Okta Sign-In Widget ships (issue 6), English included. */
const REQUIRED_LOCALES = [
  'cs', 'da', 'de', 'el', 'en', 'es', 'eu', 'fi', 'fr', 'ht', 'hu', 'id', 'it', 'ja', 'ko', 'ms',
  'nb', 'nl-NL', 'pl', 'pt-BR', 'ro', 'ru', 'sv', 'th', 'tr', 'uk', 'zh-CN', 'zh-TW',
];

function read(locale: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(messagesDir, `${locale}.json`), 'utf8')) as Record<string, unknown>;
}

/** The variables a message uses, plain or as a plural's count (ICU MessageFormat). */
function placeholders(text: string): string[] {
  return shapeOf(text).variables;
}

const english = read('en') as Record<string, string>;
const locales = readdirSync(messagesDir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => path.basename(file, '.json'));
const others = locales.filter((locale) => locale !== 'en');

it('has a catalogue for every language the Okta Sign-In Widget ships', () => {
  expect(locales.sort()).toEqual(expect.arrayContaining(REQUIRED_LOCALES));
});

describe.each(others)('catalogue %s', (locale) => {
  const messages = read(locale);

  it('has every key English has, and no other', () => {
    const missing = Object.keys(english).filter((key) => !(key in messages));
    const extra = Object.keys(messages).filter((key) => !(key in english));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  });

  it('keeps every placeholder of the English message', () => {
    const differing = Object.keys(english)
      .filter((key) => typeof messages[key] === 'string')
      .filter((key) => placeholders(messages[key] as string).join() !== placeholders(english[key] as string).join());
    expect(differing).toEqual([]);
  });

  it('has only non-empty strings', () => {
    const bad = Object.entries(messages).filter(([, value]) => typeof value !== 'string' || value.trim() === '');
    expect(bad).toEqual([]);
  });

  it('is translated, not a copy of English', () => {
    // Short words (a brand-neutral "OK", "Email") may coincide; most sentences must not.
    const same = Object.keys(english).filter((key) => messages[key] === english[key] && (english[key] as string).length > 12);
    expect(same.length).toBeLessThan(Object.keys(english).length / 10);
  });

  it('names itself in its own language', () => {
    expect(messages['language.name']).not.toBe(english['language.name']);
  });
});
