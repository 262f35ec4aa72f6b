/**
 * Emails as templates → messages (Kratos courier/template: one folder per email holding its
 * subject, HTML and plain-text parts). templates/emails/<name>/{subject,html,text}.hbs are
 * compiled once at start-up and wrapped in one brand layout per part (layout.html.hbs,
 * layout.text.hbs). Every sentence comes from the catalogue through `t` (STYLE.md principle 7),
 * so a new language needs a catalogue, not new templates.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { Catalogue } from '../i18n/catalogue.js';

export const EMAIL_NAMES = ['recovery', 'password-changed'] as const;
export type EmailName = (typeof EMAIL_NAMES)[number];

export interface Brand {
  readonly name: string;
  readonly logoUrl: string | undefined;
  readonly primaryColor: string;
  readonly supportContact: string | undefined;
}

/** A rendered email, ready for the transport. */
export interface MailContent {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** The catalogue locale the email was written in (sent as Content-Language). */
  readonly locale: string;
}

export interface MailRenderer {
  /** `locale` must be one of the catalogue's locales; `view` holds the email's variables. */
  render(name: EmailName, locale: string, view: Readonly<Record<string, unknown>>): MailContent;
}

type Compiled = { subject: HandlebarsTemplateDelegate; html: HandlebarsTemplateDelegate; text: HandlebarsTemplateDelegate };

export function createMailRenderer(templatesDir: string, catalogue: Catalogue, brand: Brand): MailRenderer {
  const directory = path.join(templatesDir, 'emails');
  const read = (...parts: string[]) => readFileSync(path.join(directory, ...parts), 'utf8');

  // Two instances: HTML escapes everything it prints; the subject and the text part are not
  // HTML, so escaping there would show "&amp;" to the reader. Neither prints raw HTML from data.
  const htmlHbs = Handlebars.create();
  const textHbs = Handlebars.create();
  for (const hbs of [htmlHbs, textHbs]) {
    // {{t "key" name=value}}: translated in the email's locale, taken from the render's root data.
    hbs.registerHelper('t', function (this: unknown, key: string, options: Handlebars.HelperOptions) {
      const locale = (options.data?.root as { locale?: string } | undefined)?.locale ?? 'en';
      return catalogue.t(locale, key, options.hash as Record<string, string | number>);
    });
  }
  const htmlOptions = { strict: false, noEscape: false, preventIndent: true } as const;
  const textOptions = { strict: false, noEscape: true, preventIndent: true } as const;

  const layouts = {
    html: htmlHbs.compile(read('layout.html.hbs'), htmlOptions),
    text: textHbs.compile(read('layout.text.hbs'), textOptions),
  };
  const emails = new Map<EmailName, Compiled>(
    EMAIL_NAMES.map((name) => [
      name,
      {
        subject: textHbs.compile(read(name, 'subject.hbs'), textOptions),
        html: htmlHbs.compile(read(name, 'html.hbs'), htmlOptions),
        text: textHbs.compile(read(name, 'text.hbs'), textOptions),
      },
    ]),
  );

  return {
    render(name, locale, view) {
      const email = emails.get(name);
      if (!email) throw new Error(`no email template "${name}"`);
      const data = { ...view, locale, dir: catalogue.dir(locale), brand };
      // A subject is one line: a newline from a translation must not become a header break.
      const subject = email.subject(data).replace(/\s+/g, ' ').trim();
      const html = layouts.html({ ...data, subject, body: new Handlebars.SafeString(email.html(data)) });
      const text = layouts.text({ ...data, subject, body: email.text(data).trim() });
      return { subject, html, text: tidyText(text), locale };
    },
  };
}

/** Template whitespace aside, a text email is paragraphs separated by one blank line. */
function tidyText(text: string): string {
  return `${text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
