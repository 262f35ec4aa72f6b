/** Starting and stopping the HTTP server around createApp: used by the process entry and by tests. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from './app.js';
import { withEngine, type Config } from './config.js';
import { createDeps, type AppDeps, type DepsOverrides } from './deps.js';
import type { ShutdownReport } from './lifecycle.js';
import { startMetricsServer } from './observability/metrics-endpoint.js';

export interface RunningService {
  readonly url: string;
  readonly server: Server;
  readonly deps: AppDeps;
  /** The separate metrics listener's URL, when METRICS_PORT is set. */
  readonly metricsUrl: string | undefined;
  /** Graceful: stop accepting, let in-flight requests finish (bounded), run the closers. */
  close(reason?: string): Promise<ShutdownReport>;
}

/**
 * Reads the org's engine when OKTA_ENGINE=auto (once; a ConfigError naming OKTA_ENGINE when it
 * cannot), then builds and starts everything. Tests that name the engine make no such call.
 */
export async function startService(given: Config, overrides: DepsOverrides & { port?: number; host?: string } = {}): Promise<RunningService> {
  let config = given;
  if (config.okta.engine === 'auto' && config.okta.orgUrl) {
    // Imported only here: its HTTP client (got) is used once, for this question, and never again.
    const { detectEngine } = await import('./okta/detect.js');
    config = withEngine(config, await detectEngine(config.okta.orgUrl, config.okta.timeoutMs));
  }
  const deps = await createDeps(config, overrides);
  await deps.connected;
  const app = createApp(deps);
  const server = app.listen(overrides.port ?? config.http.port, overrides.host ?? config.http.host);
  // Node closes an idle keep-alive connection after 5 s; a load balancer that keeps it for 60 s
  // then sends the next request into a socket we are closing, and the user gets its 502. The
  // server must outlast the balancer, and headersTimeout must outlast keepAliveTimeout.
  server.keepAliveTimeout = config.http.keepAliveTimeoutMs;
  server.headersTimeout = config.http.keepAliveTimeoutMs + 1000;
  deps.lifecycle.trackServer(server);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  let metricsUrl: string | undefined;
  if (config.metrics.port !== undefined) {
    const metricsServer = await startMetricsServer(deps.metrics.registry, { host: overrides.host ?? config.http.host, port: config.metrics.port, token: config.metrics.token });
    metricsUrl = metricsServer.url;
    // A closer, so it closes only after the HTTP drain: Prometheus can scrape while requests finish.
    deps.lifecycle.registerCloser('metrics', () => metricsServer.close());
  }
  const { port } = server.address() as AddressInfo;
  const host = overrides.host ?? config.http.host;
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;
  return {
    url,
    server,
    deps,
    metricsUrl,
    async close(reason = 'close') {
      const report = await deps.lifecycle.shutdown(reason);
      // After every closer: a mail-queue drain or similar may still have needed Okta.
      deps.okta.close();
      return report;
    },
  };
}
