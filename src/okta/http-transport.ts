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
    const key = raw[i] as string;
    if (key.length !== name.length || key.toLowerCase() !== name) continue;
    value = value === undefined ? (raw[i + 1] as string) : `${value}, ${raw[i + 1] as string}`;
  }
  return value;
}

export interface HttpTransport {
  /** `body` undefined: no body is sent (a GET). */
  request(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string): Promise<HttpAnswer>;
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

export function createHttpTransport(options: { orgUrl: string; timeoutMs: number; maxSockets: number }): HttpTransport {
  const base = new URL(options.orgUrl.replace(/\/*$/, '/'));
  const secure = base.protocol === 'https:';
  // Idle sockets are kept up to the same bound: after a burst, the next one reuses them instead of
  // paying a new TCP (and TLS) handshake for every socket above a smaller free-socket limit.
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: options.maxSockets, timeout: 60_000 };
  const agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const send = secure ? https.request : http.request;
  // Node's own reading of the org URL, taken once: a URL handed to http.request is copied into
  // such an object (urlToHttpOptions) on every call.
  const origin = urlToHttpOptions(base);
  // What Node would send as Host for this origin (the default port left out, IPv6 in brackets).
  const host = base.host;
  // Credentials in the org URL travel as Node would send them: Basic, unless the call has its own.
  const basicAuth = origin.auth ? `Basic ${Buffer.from(origin.auth).toString('base64')}` : undefined;

  /** The request path on the org; throws for anything that would leave it. */
  function pathOf(path: string): string {
    const relative = path.replace(/^\/+/, '');
    if (SCHEME.test(relative)) throw new Error(ORG_ONLY);
    if (PLAIN_PATH.test(relative) && !DOT_SEGMENT.test(relative)) return base.pathname + relative;
    const url = new URL(relative, base);
    if (url.origin !== base.origin) throw new Error(ORG_ONLY);
    return url.pathname + url.search;
  }

  return {
    request(method, path, headers, body) {
      const requestPath = pathOf(path);
      // Headers as one flat list, in the order Node itself would write them (ours, then Host):
      // the object form costs Node a [name, value] array and a lower-cased key per header.
      const list: string[] = [];
      for (const name in headers) list.push(name, headers[name] as string);
      if (body !== undefined) list.push('content-length', String(Buffer.byteLength(body)));
      list.push('Host', host);
      if (basicAuth !== undefined && headers.authorization === undefined) list.push('Authorization', basicAuth);
      return new Promise<HttpAnswer>((resolve, reject) => {
        let settled = false;
        const finish = (outcome: () => void) => {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          outcome();
        };
        const requestOptions = { protocol: origin.protocol, hostname: origin.hostname, port: origin.port, path: requestPath, method, agent, headers: list };
        const request = send(requestOptions, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          // One chunk (most answers) is read as it is, not copied first.
          const text = () => (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString('utf8');
          response.on('end', () => finish(() => resolve({ status: response.statusCode ?? 0, rawHeaders: response.rawHeaders, body: text() })));
          response.on('error', (error: NodeJS.ErrnoException) => finish(() => reject(new TransportError(error.code ?? 'ECONNRESET'))));
          response.on('aborted', () => finish(() => reject(new TransportError('ECONNRESET'))));
        });
        const deadline = setTimeout(() => {
          finish(() => reject(new TransportError('ETIMEDOUT')));
          request.destroy();
        }, options.timeoutMs);
        request.on('error', (error: NodeJS.ErrnoException) => finish(() => reject(new TransportError(error.code ?? 'request failed'))));
        request.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
