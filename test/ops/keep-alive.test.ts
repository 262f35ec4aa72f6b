/**
 * Idle keep-alive connections outlive a load balancer's idle timeout (AWS ALB: 60 s), so the
 * balancer, not us, closes them: otherwise it sends a request into a socket we are closing and
 * the user gets a 502. Node's own default is 5 s. Observed on a raw socket, as a balancer sees it.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';

let service: ServiceUnderTest;
afterEach(async () => {
  await service.close();
});

function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  return once(socket, 'connect').then(() => socket);
}

/** Sends one keep-alive request and resolves with the status line of its answer. */
function healthCheck(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n\r\n') && received.includes('"status":"ok"')) {
        socket.off('data', onData);
        resolve(received.split('\r\n')[0] ?? '');
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error('closed by the server')));
    socket.write('GET /healthz HTTP/1.1\r\nHost: lb.internal\r\nConnection: keep-alive\r\n\r\n');
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('keeps an idle connection open well past Node’s 5-second default', async () => {
  service = await startTestService();
  const socket = await openSocket(service.url);
  expect(await healthCheck(socket)).toBe('HTTP/1.1 200 OK');
  await sleep(6000);
  expect(socket.destroyed || socket.readableEnded).toBe(false);
  expect(await healthCheck(socket)).toBe('HTTP/1.1 200 OK');
  socket.destroy();
}, 15_000);

it('closes idle connections after HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
  service = await startTestService({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000' });
  const socket = await openSocket(service.url);
  expect(await healthCheck(socket)).toBe('HTTP/1.1 200 OK');
  const closed = once(socket, 'close');
  const startedAt = Date.now();
  await closed;
  // Closed by the server's idle timer, not at once after the answer (no upper bound: shared machine).
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
}, 15_000);
