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
  readonly supportContact: string | undefined;
  /** The CSRF token for forms on this page. */
  readonly csrfToken: string;
  /** Path and query of this page without `lang`, for the language links. */
  readonly currentPath: string;
}

export interface Renderer {
  render(page: string, view: Record<string, unknown>, chrome: PageChrome): string;
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

  return {
    render(page, view, chrome) {
      const template = pages.get(page);
      if (!template) throw new Error(`no page template "${page}"`);
      const data = { ...view, chrome, dir: catalogue.dir(chrome.locale), locales: catalogue.locales };
      const body = template(data);
      return layout({ ...data, body: new Handlebars.SafeString(body) });
    },
  };
}
