/**
 * A small browser stand-in over fetch: keeps cookies like a browser would (by name, honouring
 * deletion), never follows redirects on its own (tests assert each hop), and reads the CSRF
 * token out of forms.
 */
export interface BrowserResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
  readonly location: string | null;
}

export class Browser {
  readonly cookies = new Map<string, string>();
  readonly origin: string;

  /** `origin` is what the page's Origin header says: the service's PUBLIC_URL, wherever it listens. */
  /**
   * `settle` runs after each answer: the service's work that follows a response (asking Okta to
   * send the email) is done before the test looks at Okta or the mailbox, as it would be by the
   * time a person opens their email.
   */
  constructor(
    readonly baseUrl: string,
    options: { origin?: string; headers?: Record<string, string>; settle?: () => Promise<void> } = {},
  ) {
    this.origin = options.origin ?? new URL(baseUrl).origin;
    this.defaultHeaders = options.headers ?? {};
    this.settle = options.settle;
  }

  readonly settle: (() => Promise<void>) | undefined;

  readonly defaultHeaders: Record<string, string>;

  async request(method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<BrowserResponse> {
    const headers: Record<string, string> = { ...this.defaultHeaders, ...init.headers };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body: init.body, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) this.remember(line);
    const text = method === 'HEAD' ? '' : await response.text();
    await this.settle?.();
    return {
      status: response.status,
      headers: response.headers,
      text,
      location: response.headers.get('location'),
      json<T>() {
        return JSON.parse(text) as T;
      },
    };
  }

  /** Takes one Set-Cookie line into the jar (also for answers fetched outside `request`, e.g. raw HTTP). */
  remember(setCookie: string): void {
    const [pair = ''] = setCookie.split(';');
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator).trim();
    const value = pair.slice(separator + 1).trim();
    const expired = /expires=Thu, 01 Jan 1970/i.test(setCookie) || value === '';
    if (expired) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }

  get(path: string, headers?: Record<string, string>): Promise<BrowserResponse> {
    return this.request('GET', path, { headers });
  }

  /** POSTs a form the way a browser does: urlencoded, with the page's Origin. */
  postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<BrowserResponse> {
    return this.request('POST', path, {
      body: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: this.origin, ...headers },
    });
  }

  /** POSTs JSON the way a single-page app on our origin does. */
  postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<BrowserResponse> {
    return this.request('POST', path, {
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json', origin: this.origin, ...headers },
    });
  }
}

export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token in page');
  return match[1];
}
