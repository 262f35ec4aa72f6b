/** Starts the emulator on a loopback port (0 = any free port, as tests use it). */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEmulatorApp } from './app.js';
import type { EmulatorHandle } from './handle.js';
import type { EmulatorOptions } from './types.js';

export type RunningEmulator = EmulatorHandle & {
  /** Origin of the emulator, e.g. http://127.0.0.1:7070 (Okta's "org URL"). */
  url: string;
  close(): Promise<void>;
};

export async function startEmulator(
  options: EmulatorOptions & { port?: number; host?: string },
): Promise<RunningEmulator> {
  const { app, handle } = createEmulatorApp(options);
  const server = createServer(app.callback());
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    ...handle,
    url: `http://${host}:${port}`,
    close: async () => {
      const closed = once(server, 'close');
      server.close();
      // Keep-alive sockets of fetch would otherwise hold close() open.
      server.closeAllConnections();
      await closed;
    },
  };
}
