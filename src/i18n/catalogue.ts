/**
 * Message catalogues: every user-facing sentence is a key with variables (Kratos `text/`,
 * STYLE.md principle 7), one JSON file per language in src/i18n/messages/, written in ICU
 * MessageFormat: `{name}` for a value, `{count, plural, one {…} few {…} other {…}}` wherever
 * the words change with a number, so each language says "1 letter" and "5 letters" (or
 * "5 liter", "22 litery", "25 liter") by its own plural rules instead of "letter(s)".
 * English is complete by definition; any other catalogue falls back to English per key.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TYPE } from '@formatjs/icu-messageformat-parser';
import { IntlMessageFormat } from 'intl-messageformat';

export type Messages = Readonly<Record<string, string>>;

export type MessageValues = Readonly<Record<string, string | number>>;

export interface Catalogue {
  /** The languages pages may be shown in (LANGUAGES, else every catalogue), in file order. */
  readonly locales: readonly string[];
  /** What a request matching none of them gets: English, unless LANGUAGES leaves it out. */
  readonly defaultLocale: string;
  /** Translates a key; unknown keys come back as the key itself so a gap is visible, never a crash. */
  t(locale: string, key: string, vars?: MessageValues): string;
  has(locale: string): boolean;
  /** The language's writing direction, for <html dir>. */
  dir(locale: string): 'ltr' | 'rtl';
}

const RTL_LANGUAGES = new Set(['ar', 'he', 'fa', 'ur']);

/**
 * Our messages hold no markup: `<` is text (and the templates escape it), never a rich-text tag.
 * Exported so the catalogue test parses exactly as the service formats.
 */
export const MESSAGE_FORMAT_OPTIONS = { ignoreTag: true } as const;

export function readCatalogues(directory: string): Map<string, Messages> {
  const byLocale = new Map<string, Messages>();
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.json')).sort()) {
    byLocale.set(path.basename(file, '.json'), JSON.parse(readFileSync(path.join(directory, file), 'utf8')) as Messages);
  }
  return byLocale;
}

type IntlConstructor<T> = new (locales?: string | string[], options?: object) => T;

/**
 * One Intl object per language and options, shared by every message: building an Intl.PluralRules
 * costs tens of microseconds, and intl-messageformat's own memoiser serialises its arguments on
 * every call (measured: a plural message formats in about a third of the time with these).
 */
function sharedFormatters() {
  function cached<T>(Constructor: IntlConstructor<T>) {
    const made = new Map<string, T>();
    return (locales?: string | string[], options?: object): T => {
      const key = `${String(locales)}\u0000${options ? JSON.stringify(options) : ''}`;
      let formatter = made.get(key);
      if (!formatter) {
        formatter = new Constructor(locales, options);
        made.set(key, formatter);
      }
      return formatter;
    };
  }
  return {
    getNumberFormat: cached(Intl.NumberFormat as IntlConstructor<Intl.NumberFormat>),
    getDateTimeFormat: cached(Intl.DateTimeFormat as IntlConstructor<Intl.DateTimeFormat>),
    getPluralRules: cached(Intl.PluralRules as IntlConstructor<Intl.PluralRules>),
  };
}

/** `only`: the languages an org offers (LANGUAGES); English stays loaded as the per-key fallback. */
export function loadCatalogue(directory: string, only?: readonly string[]): Catalogue {
  const byLocale = readCatalogues(directory);
  const english = byLocale.get('en');
  if (!english) throw new Error(`no English catalogue (en.json) in ${directory}`);

  // Compiled once per language and key, on first use: parsing a message costs far more than
  // formatting it, and a page prints dozens of them. A message with nothing to fill in is kept
  // as its finished text.
  const formatters = sharedFormatters();
  const compiled = new Map<string, IntlMessageFormat | string>();
  function formatter(locale: string, key: string): IntlMessageFormat | string | undefined {
    const own = byLocale.get(locale)?.[key];
    // An English fallback is formatted by English plural rules, not the page's.
    const [language, source] = own !== undefined ? [locale, own] : ['en', english?.[key]];
    if (source === undefined) return undefined;
    const id = `${language}\u0000${key}`;
    let format = compiled.get(id);
    if (format === undefined) {
      const message = new IntlMessageFormat(source, language, undefined, { ...MESSAGE_FORMAT_OPTIONS, formatters });
      format = message.getAst().every((element) => element.type === TYPE.literal) ? String(message.format()) : message;
      compiled.set(id, format);
    }
    return format;
  }

  const locales = [...byLocale.keys()].filter((locale) => !only || only.includes(locale));
  return {
    locales,
    defaultLocale: locales.includes('en') ? 'en' : (locales[0] ?? 'en'),
    has: (locale) => locales.includes(locale),
    dir: (locale) => (RTL_LANGUAGES.has(locale.split('-')[0] ?? '') ? 'rtl' : 'ltr'),
    t(locale, key, vars) {
      const format = formatter(locale, key);
      if (format === undefined) return key;
      if (typeof format === 'string') return format;
      try {
        return String(format.format(vars));
      } catch {
        // A value the code forgot: show the message as written, a visible gap rather than a 500.
        return byLocale.get(locale)?.[key] ?? english[key] ?? key;
      }
    },
  };
}
