/**
 * What an ICU message asks for, read with FormatJS's own parser (the one intl-messageformat
 * formats with), so the catalogue tests judge messages exactly as the service reads them.
 */
import { parse, isLiteralElement, isPluralElement, isPoundElement, isSelectElement, isTagElement, type MessageFormatElement, type PluralElement } from '@formatjs/icu-messageformat-parser';
import { MESSAGE_FORMAT_OPTIONS } from '../../src/i18n/catalogue.js';

function walk(elements: readonly MessageFormatElement[], visit: (element: MessageFormatElement) => void): void {
  for (const element of elements) {
    visit(element);
    if (isPluralElement(element) || isSelectElement(element)) for (const option of Object.values(element.options)) walk(option.value, visit);
    if (isTagElement(element)) walk(element.children, visit);
  }
}

export interface MessageShape {
  /** Every variable the message prints or chooses by, sorted, each once. */
  readonly variables: string[];
  readonly plurals: PluralElement[];
}

/** Throws (with the parser's reason) when the message is not valid ICU MessageFormat. */
export function shapeOf(message: string): MessageShape {
  const variables = new Set<string>();
  const plurals: PluralElement[] = [];
  walk(parse(message, MESSAGE_FORMAT_OPTIONS), (element) => {
    if (!isLiteralElement(element) && !isPoundElement(element) && !isTagElement(element)) variables.add(element.value);
    if (isPluralElement(element)) plurals.push(element);
  });
  return { variables: [...variables].sort(), plurals };
}
