/**
 * How the catalogue is loaded must not change what it says: a language read on first use
 * translates as one read at start-up, every language names itself from the start, a key a
 * language lacks falls back to English, and a broken catalogue still stops start-up.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadCatalogue, readCatalogues } from '../../src/i18n/catalogue.js';
import { messagesDir } from '../../src/paths.js';

const files = readCatalogues(messagesDir);

it('names every language in its own words before any of its messages was asked for', () => {
  const catalogue = loadCatalogue(messagesDir);
  for (const [locale, messages] of files) expect(catalogue.t(locale, 'language.name')).toBe(messages['language.name']);
});

it('translates every language, whichever key comes first', () => {
  const catalogue = loadCatalogue(messagesDir);
  for (const [locale, messages] of files) {
    expect(catalogue.t(locale, 'forgot.title')).toBe(messages['forgot.title']);
    expect(catalogue.t(locale, 'language.name')).toBe(messages['language.name']);
  }
});

describe('with catalogues of our own', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'catalogue-'));
    for (const file of readdirSync(messagesDir).filter((name) => name === 'en.json' || name === 'de.json')) {
      writeFileSync(path.join(directory, file), readFileSync(path.join(messagesDir, file)));
    }
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('falls back to English for a key a language lacks', () => {
    const german = JSON.parse(readFileSync(path.join(directory, 'de.json'), 'utf8')) as Record<string, string>;
    delete german['forgot.title'];
    writeFileSync(path.join(directory, 'de.json'), JSON.stringify(german));
    const catalogue = loadCatalogue(directory);
    expect(catalogue.t('de', 'forgot.title')).toBe(files.get('en')?.['forgot.title']);
    expect(catalogue.t('de', 'forgot.submit')).toBe(german['forgot.submit']);
  });

  it('refuses to start with a catalogue that is not JSON', () => {
    writeFileSync(path.join(directory, 'de.json'), '{ "forgot.title": ');
    expect(() => loadCatalogue(directory)).toThrow(SyntaxError);
  });
});
