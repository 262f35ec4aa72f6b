/**
 * Requests exactly as written, over node:http: fetch normalises paths, refuses some headers
 * (Host) and percent-encodes what a hostile client would send raw, which is what these tests need.
 */
import http from 'node:http';

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export function rawRequest(
  baseUrl: string,
  options: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number },
): Promise<RawResponse> {
  const base = new URL(baseUrl);
  const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, 'utf8');
  const headers: Record<string, string> = { ...options.headers };
  if (body !== undefined) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: base.hostname, port: base.port, method: options.method, path: options.path, headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    // A request the service never answers is a finding, not a hung test: fail it by name.
    request.setTimeout(options.timeoutMs ?? 5_000, () => request.destroy(new Error(`no answer to ${options.method} ${options.path.slice(0, 120)}`)));
    request.on('error', reject);
    request.end(body);
  });
}
