/**
 * Message catalogues: every user-facing sentence is a key with {placeholders} (Kratos `text/`,
 * STYLE.md principle 7), one JSON file per language in src/i18n/messages/. English is complete
 * by definition; any other catalogue falls back to English per key.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type Messages = Readonly<Record<string, string>>;

export interface Catalogue {
  /** The languages pages may be shown in (LANGUAGES, else every catalogue), in file order. */
  readonly locales: readonly string[];
  /** What a request matching none of them gets: English, unless LANGUAGES leaves it out. */
  readonly defaultLocale: string;
  /** Translates a key; unknown keys come back as the key itself so a gap is visible, never a crash. */
  t(locale: string, key: string, vars?: Readonly<Record<string, string | number>>): string;
  has(locale: string): boolean;
  /** The language's writing direction, for <html dir>. */
  dir(locale: string): 'ltr' | 'rtl';
}

const RTL_LANGUAGES = new Set(['ar', 'he', 'fa', 'ur']);

/** `only`: the languages an org offers (LANGUAGES); English stays loaded as the per-key fallback. */
export function loadCatalogue(directory: string, only?: readonly string[]): Catalogue {
  const byLocale = new Map<string, Messages>();
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.json')).sort()) {
    byLocale.set(path.basename(file, '.json'), JSON.parse(readFileSync(path.join(directory, file), 'utf8')) as Messages);
  }
  const english = byLocale.get('en');
  if (!english) throw new Error(`no English catalogue (en.json) in ${directory}`);

  const locales = [...byLocale.keys()].filter((locale) => !only || only.includes(locale));
  return {
    locales,
    defaultLocale: locales.includes('en') ? 'en' : (locales[0] ?? 'en'),
    has: (locale) => locales.includes(locale),
    dir: (locale) => (RTL_LANGUAGES.has(locale.split('-')[0] ?? '') ? 'rtl' : 'ltr'),
    t(locale, key, vars) {
      const template = byLocale.get(locale)?.[key] ?? english[key] ?? key;
      if (!vars) return template;
      return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
    },
  };
}
