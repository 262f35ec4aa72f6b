/**
 * Server-rendered pages: handlebars templates from templates/ (pages/, partials/, layouts/),
 * compiled once at start-up. Every string comes through the `t` helper from the catalogues;
 * handlebars escapes everything it prints unless a template asks otherwise, and none does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { Catalogue } from '../i18n/catalogue.js';

export interface PageChrome {
  readonly locale: string;
  readonly brandName: string;
  /** The brand name's first letter, the monogram shown where no BRAND_LOGO_URL is set. */
  readonly brandInitial: string;
  readonly logoUrl: string | undefined;
  /** BRAND_FAVICON_URL, else our own /assets/favicon.svg. */
  readonly faviconUrl: string;
  /** PRIVACY_URL and HELP_URL, those set, with their label's catalogue key. */
  readonly footerLinks: ReadonlyArray<{ readonly href: string; readonly key: string }>;
  readonly supportContact: string | undefined;
  /** "Back to sign in": the way out of recovery, on every page but the last (which has its own). */
  readonly signInUrl: string | undefined;
  /** The CSRF token for forms on this page. */
  readonly csrfToken: string;
  /** A safe address of this page (no token, no `lang`), for the language links and "try again". */
  readonly currentPath: string;
}

export interface Renderer {
  render(page: string, view: Record<string, unknown>, chrome: PageChrome): string;
}

/** The catalogue key of each page's title: the <title> names the step (WCAG 2.4.2). */
const PAGE_TITLES: Readonly<Record<string, string>> = {
  'forgot-password': 'forgot.title',
  'email-sent': 'sent.title',
  'link-received': 'link.title',
  'verify-email': 'link.title',
  'code-shown': 'codeShown.title',
  question: 'question.title',
  'new-password': 'password.title',
  done: 'done.title',
  'replace-link': 'replace.title',
  mailbox: 'mailbox.title',
};

export interface LanguageLink {
  readonly code: string;
  /** The language's own name for itself ("Deutsch", "日本語"). */
  readonly name: string;
  readonly href: string;
  readonly current: boolean;
}

function withLang(currentPath: string, code: string): string {
  const url = new URL(currentPath, 'http://placeholder');
  url.searchParams.set('lang', code);
  return url.pathname + url.search;
}

function readTemplates(directory: string): Map<string, string> {
  const templates = new Map<string, string>();
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.hbs'))) {
    templates.set(path.basename(file, '.hbs'), readFileSync(path.join(directory, file), 'utf8'));
  }
  return templates;
}

export function createRenderer(templatesDir: string, catalogue: Catalogue): Renderer {
  const hbs = Handlebars.create();
  for (const [name, source] of readTemplates(path.join(templatesDir, 'partials'))) hbs.registerPartial(name, source);

  // {{t "key" name=value}}: translated in the page's locale, taken from the render's root data.
  hbs.registerHelper('t', function (this: unknown, key: string, options: Handlebars.HelperOptions) {
    const locale = (options.data?.root as { chrome?: PageChrome } | undefined)?.chrome?.locale ?? 'en';
    return catalogue.t(locale, key, options.hash as Record<string, string | number>);
  });
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);

  const compileOptions = { strict: false, noEscape: false, preventIndent: true } as const;
  const layout = hbs.compile(readFileSync(path.join(templatesDir, 'layouts', 'main.hbs'), 'utf8'), compileOptions);
  const pages = new Map(
    [...readTemplates(path.join(templatesDir, 'pages'))].map(([name, source]) => [name, hbs.compile(source, compileOptions)]),
  );

  function pageTitle(page: string, view: Record<string, unknown>, locale: string, brand: string): string {
    const titleKey = PAGE_TITLES[page];
    const title = typeof view.title === 'string' ? view.title : titleKey ? catalogue.t(locale, titleKey) : '';
    const prefix = view.error ? `${catalogue.t(locale, 'app.errorPrefix')}: ` : '';
    return `${prefix}${title} – ${catalogue.t(locale, 'app.title', { brand })}`;
  }

  return {
    render(page, view, chrome) {
      const template = pages.get(page);
      if (!template) throw new Error(`no page template "${page}"`);
      const languages: LanguageLink[] = catalogue.locales.map((code) => ({
        code,
        name: catalogue.t(code, 'language.name'),
        href: withLang(chrome.currentPath, code),
        current: code === chrome.locale,
      }));
      const data = {
        ...view,
        chrome,
        dir: catalogue.dir(chrome.locale),
        pageTitle: pageTitle(page, view, chrome.locale, chrome.brandName),
        languages,
        currentLanguage: catalogue.t(chrome.locale, 'language.name'),
      };
      const body = template(data);
      return layout({ ...data, body: new Handlebars.SafeString(body) });
    },
  };
}
