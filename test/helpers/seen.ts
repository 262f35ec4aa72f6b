/**
 * One shape for an answer, whether it came through the Browser (fetch) or raw HTTP, so the
 * security tests can collect every answer of a walk and assert the same rules over all of them.
 */
import type { BrowserResponse } from './browser.js';
import type { RawResponse } from './raw-http.js';

export interface Seen {
  /** What was asked, e.g. "POST /reset-password/question (wrong answer)". */
  readonly label: string;
  readonly status: number;
  readonly text: string;
  readonly location: string | null;
  readonly setCookies: readonly string[];
  header(name: string): string | undefined;
}

export function seenFromBrowser(label: string, response: BrowserResponse): Seen {
  return {
    label,
    status: response.status,
    text: response.text,
    location: response.location,
    setCookies: response.headers.getSetCookie(),
    header: (name) => response.headers.get(name) ?? undefined,
  };
}

export function seenFromRaw(label: string, response: RawResponse): Seen {
  const setCookie = response.headers['set-cookie'] ?? [];
  return {
    label,
    status: response.status,
    text: response.body,
    location: typeof response.headers.location === 'string' ? response.headers.location : null,
    setCookies: setCookie,
    header: (name) => {
      const value = response.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/** Every URL-valued attribute in an HTML page (href, src, action, formaction), as written. */
export function urlAttributes(html: string): Array<{ tag: string; attribute: string; url: string }> {
  const found: Array<{ tag: string; attribute: string; url: string }> = [];
  for (const tag of html.matchAll(/<([a-zA-Z]+)\b[^>]*>/g)) {
    for (const attribute of tag[0].matchAll(/\s(href|src|action|formaction|srcset|poster|data)\s*=\s*"([^"]*)"/gi)) {
      found.push({ tag: (tag[1] ?? '').toLowerCase(), attribute: (attribute[1] ?? '').toLowerCase(), url: attribute[2] ?? '' });
    }
  }
  return found;
}
