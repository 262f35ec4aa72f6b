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

export interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
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

export function createHttpTransport(options: { orgUrl: string; timeoutMs: number; maxSockets: number }): HttpTransport {
  const base = new URL(options.orgUrl.replace(/\/*$/, '/'));
  const secure = base.protocol === 'https:';
  // Idle sockets are kept up to the same bound: after a burst, the next one reuses them instead of
  // paying a new TCP (and TLS) handshake for every socket above a smaller free-socket limit.
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: options.maxSockets, timeout: 60_000 };
  const agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const send = secure ? https.request : http.request;

  function urlOf(path: string): URL {
    const relative = path.replace(/^\/+/, '');
    const url = new URL(relative, base);
    if (/^[a-z][a-z\d+.-]*:/i.test(relative) || url.origin !== base.origin) throw new Error('an Okta call must stay on the org URL');
    return url;
  }

  return {
    request(method, path, headers, body) {
      const url = urlOf(path);
      return new Promise<HttpAnswer>((resolve, reject) => {
        let settled = false;
        const finish = (outcome: () => void) => {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          outcome();
        };
        const request = send(url, { method, agent, headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) } }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => finish(() => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') })));
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
