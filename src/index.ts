/**
 * Process entry: configuration → (demo: the Okta emulator) → dependencies → app → listen.
 * Configuration problems stop start-up with a message naming the variable, and no stack trace.
 */
import { ConfigError, loadConfig, withOktaOrgUrl } from './config.js';
import type { DemoOkta } from './demo/demo-okta.js';
import { flushStdoutLogs } from './logger.js';
import { unsupportedRuntime } from './runtime.js';
import { startService } from './server.js';

/** How long the exit waits for log lines still on their way to stdout. */
const LOG_FLUSH_TIMEOUT_MS = 1000;

async function main(): Promise<void> {
  const runtime = unsupportedRuntime(process.versions.node);
  if (runtime) {
    console.error(runtime);
    process.exit(1);
  }
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  let demo: DemoOkta | undefined;
  if (config.demoMode) {
    // Loaded only in demo mode: production never pays the emulator's memory (about 8 MB RSS).
    const { startDemoOkta } = await import('./demo/demo-okta.js');
    demo = await startDemoOkta(config);
    config = withOktaOrgUrl(config, demo.emulator.url);
  }
  let service;
  try {
    service = await startService(config, { extraRouters: demo?.routers ?? [] });
  } catch (error) {
    // OKTA_ENGINE=auto could not read the org, or the engine it found needs a variable not set.
    if (error instanceof ConfigError) {
      console.error(error.message);
      await demo?.close();
      process.exit(1);
    }
    throw error;
  }
  const { logger } = service.deps;
  if (demo) console.log(demo.banner(service.url));
  if (config.cookieSecretIsEphemeral) {
    logger.warn('COOKIE_SECRET is not set: flows will not survive a restart or move between instances');
  }
  logger.info({ event: 'service.started', url: service.url, publicUrl: config.publicUrl, demoMode: config.demoMode, engine: service.deps.engine.name }, 'listening');

  // Graceful: stop accepting, finish in-flight requests (bounded by SHUTDOWN_TIMEOUT_MS), run
  // the registered closers (src/lifecycle.ts). A second signal while stopping means "now".
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn({ event: 'service.killed', signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    const report = await service.close(signal);
    await demo?.close();
    // The last lines (service.stopped) are worth a moment, but not a hang on a stalled log pipe.
    await flushStdoutLogs(LOG_FLUSH_TIMEOUT_MS);
    process.exit(report.timedOut || report.failedClosers.length > 0 ? 1 : 0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('start-up failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
