/**
 * The Okta side of the two node:http baselines (relay-process.ts, koa-relay-process.ts): one POST
 * over a keep-alive agent with the same socket bound as our Okta
 * client, so the two differ only in what serves the client. The answer is asked for in the type
 * sent (IDX's ION), or as JSON.
 */
import http from 'node:http';

const orgUrl = new URL(process.env.OKTA_ORG_URL ?? 'http://127.0.0.1:1');
const maxSockets = Number(process.env.OKTA_MAX_SOCKETS ?? 64);
const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });

export function readAll(stream: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

export function callOkta(path: string, body: string, contentType: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const accept = contentType.startsWith('application/ion+json') ? contentType : 'application/json';
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: orgUrl.hostname, port: orgUrl.port, path, method: 'POST', agent, headers: { 'content-type': contentType, accept, 'content-length': Buffer.byteLength(body) } },
      (response) => {
        readAll(response).then((text) => resolve({ status: response.statusCode ?? 502, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} }), reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
