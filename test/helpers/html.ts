/**
 * Reading a page as a document (htmlparser2), so tests ask for what a user sees, an element's
 * text and attributes, instead of matching exact markup.
 */
import { findAll, textContent } from 'domutils';
import { parseDocument } from 'htmlparser2';

export interface PageElement {
  /** Its text with whitespace collapsed, as it reads. */
  readonly text: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** Every `tag` element whose attributes include `where` (a value of `true` asks only that the attribute is there). */
export function select(html: string, tag: string, where: Readonly<Record<string, string | true>> = {}): PageElement[] {
  return findAll(
    (element) => element.name === tag && Object.entries(where).every(([name, value]) => (value === true ? name in element.attribs : element.attribs[name] === value)),
    parseDocument(html).children,
  ).map((element) => ({ text: textContent(element).replace(/\s+/g, ' ').trim(), attributes: { ...element.attribs } }));
}
