/**
 * The wire under the Okta client: one request (a POST, or the Users API's GET) to a path on the org, over keep-alive agents with a
 * bounded socket count, answered as status, headers and text. Node's own http/https, because got
 * (which this replaced) allocated about half of every request's memory on a path that needs none
 * of its features (README "Benchmark"). What got was configured to guarantee is kept here:
 * - only paths on the org: an absolute or protocol-relative URL is refused, so the admin token
 *   never leaves for another host;
 * - one deadline for the whole exchange (connect, send, answer), after which the socket is closed;
 * - no retry and no redirect followed: a recovery POST may have spent a token or sent an email.
 */
import http from 'node:http';
import https from 'node:https';
import { urlToHttpOptions } from 'node:url';

const ORG_ONLY = 'an Okta call must stay on the org URL';

export interface HttpAnswer {
  readonly status: number;
  /** Node's rawHeaders (name, value, name, value …): read with headerOf. */
  readonly rawHeaders: readonly string[];
  readonly body: string;
}

/**
 * One header of an answer, as IncomingMessage.headers would give it (any casing of the name,
 * repeats joined with ", "), read from the raw list: the client wants three of Okta's twenty-odd
 * headers, and `headers` builds an object of all of them, lower-casing each name.
 */
export function headerOf(answer: HttpAnswer, name: string): string | undefined {
  const raw = answer.rawHeaders;
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (!sameName(raw[i] as string, name)) continue;
    value = value === undefined ? (raw[i + 1] as string) : `${value}, ${raw[i + 1] as string}`;
  }
  return value;
}

/** `key` is `lowerName` in any casing: compared in place, where toLowerCase made a string per header. */
function sameName(key: string, lowerName: string): boolean {
  if (key.length !== lowerName.length) return false;
  for (let i = 0; i < key.length; i += 1) {
    const code = key.charCodeAt(i);
    // Header names are ASCII tokens: A-Z is the only casing there is.
    if ((code >= 65 && code <= 90 ? code + 32 : code) !== lowerName.charCodeAt(i)) return false;
  }
  return true;
}

export interface HttpTransport {
  /**
   * `headers`: name, value, name, value … (names in lower case), taken over by the call: Content-Length,
   * Host and the org URL's credentials are added to it. `body` undefined: no body is sent (a GET).
   */
  request(method: 'GET' | 'POST', path: string, headers: string[], body?: string): Promise<HttpAnswer>;
  /** Closes idle keep-alive sockets (graceful shutdown). */
  close(): void;
}

/** A failure before a complete answer arrived; `code` is the socket's (ECONNREFUSED …) or ETIMEDOUT. */
export class TransportError extends Error {
  constructor(readonly code: string) {
    super(`Okta request failed: ${code}`);
    this.name = 'TransportError';
  }
}

/**
 * Paths made only of characters the URL parser leaves as they are (no dot segment, no backslash,
 * nothing it would percent-encode, no fragment): for these, joining to the org's path is exactly
 * what `new URL(path, org)` gives, without a URL per call. Anything else goes through URL.
 */
const PLAIN_PATH = /^[\w\-.~!$&()*+,;=:@%/]*(\?[\w\-.~!$&()*+,;=:@%/?]+)?$/;
const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|\?|$)/i;
const SCHEME = /^[a-z][a-z\d+.-]*:/i;
/** Module constants: a literal in a function is a new RegExp each time it runs. */
const LEADING_SLASHES = /^\/+/;

export function createHttpTransport(options: { orgUrl: string; timeoutMs: number; maxSockets: number }): HttpTransport {
  const base = new URL(options.orgUrl.replace(/\/*$/, '/'));
  const secure = base.protocol === 'https:';
  // Node's own reading of the org URL, taken once: a URL handed to http.request is copied into
  // such an object (urlToHttpOptions) on every call.
  const origin = urlToHttpOptions(base);
  // Only what the agent reads from its options after it is built: Node copies every member of
  // them into each call's options (addRequest), and past eleven members that copy doubles in size.
  // The org's port, when its URL names one, is the agent's default port (http.request takes it for
  // a call without one): a call's options then have five members, which Node's first copy of them
  // holds in a table half the size six need.
  const agentOptions =
    origin.port === undefined ? { keepAlive: true, timeout: 60_000 } : { keepAlive: true, timeout: 60_000, defaultPort: Number(origin.port) };
  const agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  // The bounds are the agent's documented properties, read on each use, so they cost no member.
  agent.maxSockets = options.maxSockets;
  // Idle sockets are kept up to the same bound: after a burst, the next one reuses them instead of
  // paying a new TCP (and TLS) handshake for every socket above a smaller free-socket limit.
  agent.maxFreeSockets = options.maxSockets;
  const send = secure ? https.request : http.request;
  // `host`, not `hostname`: Node sets `host` on its copy of the options either way.
  const { hostname } = origin;
  // What Node would send as Host for this origin (the default port left out, IPv6 in brackets).
  const host = base.host;
  // Credentials in the org URL travel as Node would send them: Basic, unless the call has its own.
  const basicAuth = origin.auth ? `Basic ${Buffer.from(origin.auth).toString('base64')}` : undefined;

  /** The request path on the org; throws for anything that would leave it. */
  function pathOf(path: string): string {
    const relative = path.replace(LEADING_SLASHES, '');
    if (SCHEME.test(relative)) throw new Error(ORG_ONLY);
    if (PLAIN_PATH.test(relative) && !DOT_SEGMENT.test(relative)) return base.pathname + relative;
    const url = new URL(relative, base);
    if (url.origin !== base.origin) throw new Error(ORG_ONLY);
    return url.pathname + url.search;
  }

  /** Whether a flat header list names `authorization` (the call's own credentials). */
  function hasAuthorization(headers: readonly string[]): boolean {
    for (let i = 0; i < headers.length; i += 2) if (headers[i] === 'authorization') return true;
    return false;
  }

  return {
    request(method, path, headers, body) {
      const requestPath = pathOf(path);
      // Headers as one flat list, in the order Node itself would write them (ours, then Host):
      // the object form costs Node a [name, value] array and a lower-cased key per header.
      if (body !== undefined) headers.push('content-length', String(Buffer.byteLength(body)));
      headers.push('Host', host);
      if (basicAuth !== undefined && !hasAuthorization(headers)) headers.push('Authorization', basicAuth);
      // No protocol and no port (both the agent's): Node copies these options into three
      // dictionaries per call, each the larger for every member.
      const requestOptions = { host: hostname, path: requestPath, method, agent, headers };
      return new Promise<HttpAnswer>((resolve, reject) => {
        let settled = false;
        const fail = (error: Error): void => {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          reject(error);
        };
        const request = send(requestOptions);
        // `on`, not the callback (which Node adds with `once`, a wrapper and its state per call):
        // a request has one response.
        request.on('response', (response) => {
          let first: Buffer | undefined;
          let more: Buffer[] | undefined;
          response.on('data', (chunk: Buffer) => {
            if (first === undefined) first = chunk;
            else (more ??= [first]).push(chunk);
          });
          response.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(deadline);
            // One chunk (most answers) is read as it is, not copied first.
            const bytes = more ? Buffer.concat(more) : first;
            resolve({ status: response.statusCode ?? 0, rawHeaders: response.rawHeaders, body: bytes === undefined ? '' : bytes.toString('utf8') });
          });
          // A connection lost mid-answer is this 'error' too, code ECONNRESET (Node documents the
          // order: 'aborted', then 'error' on the response), so 'aborted' needs no listener.
          response.on('error', (error: NodeJS.ErrnoException) => fail(new TransportError(error.code ?? 'ECONNRESET')));
        });
        const deadline = setTimeout(() => {
          fail(new TransportError('ETIMEDOUT'));
          request.destroy();
        }, options.timeoutMs);
        request.on('error', (error: NodeJS.ErrnoException) => fail(new TransportError(error.code ?? 'request failed')));
        request.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
