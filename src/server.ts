/** Starting and stopping the HTTP server around createApp: used by the process entry and by tests. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { createDeps, type AppDeps, type DepsOverrides } from './deps.js';

export interface RunningService {
  readonly url: string;
  readonly server: Server;
  readonly deps: AppDeps;
  close(): Promise<void>;
}

export async function startService(config: Config, overrides: DepsOverrides & { port?: number; host?: string } = {}): Promise<RunningService> {
  const deps = createDeps(config, overrides);
  const app = createApp(deps);
  const server = app.listen(overrides.port ?? config.http.port, overrides.host ?? config.http.host);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  const host = overrides.host ?? config.http.host;
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;
  return {
    url,
    server,
    deps,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      // Emails already promised to users go out before the Okta client closes (a queued recovery job still calls Okta).
      await deps.mailer?.close();
      deps.okta.close();
    },
  };
}
