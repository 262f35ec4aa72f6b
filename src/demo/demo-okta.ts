/**
 * Demo mode: with no OKTA_ORG_URL outside production, the service runs against the built-in Okta
 * emulator, started in this process on a loopback port, so `npm start` shows the whole flow with
 * no Okta org. Production refuses to start without OKTA_ORG_URL (config.ts).
 */
import type { Config } from '../config.js';
import type { ExtraRouter } from '../deps.js';
import { DEFAULT_POLICY, demoUsers, startEmulator, type RunningEmulator } from '../emulator/index.js';
import { loadCatalogue } from '../i18n/catalogue.js';
import { messagesDir } from '../paths.js';
import { demoBanner } from './banner.js';
import { mailboxRouter } from './mailbox.js';

export interface DemoOkta {
  readonly emulator: RunningEmulator;
  readonly routers: readonly ExtraRouter[];
  banner(serviceUrl: string): string;
  close(): Promise<void>;
}

export async function startDemoOkta(config: Config): Promise<DemoOkta> {
  // OKTA_ENGINE=idx plays an Identity Engine org (auto then reads it as one); otherwise Classic.
  const idx = config.okta.engine === 'idx';
  const seeds = demoUsers();
  const emulator = await startEmulator({ publicUrl: config.publicUrl, apiToken: config.okta.apiToken, host: '127.0.0.1', port: 0, pipeline: idx ? 'idx' : 'v1', users: seeds });
  return {
    emulator,
    routers: [mailboxRouter(emulator)],
    banner: (serviceUrl) =>
      demoBanner({
        config,
        serviceUrl,
        emulatorUrl: emulator.url,
        idx,
        seeds,
        users: emulator.listUsers(),
        // The emulator runs the org policy it ships with (no override here).
        orgPolicy: DEFAULT_POLICY,
        catalogue: loadCatalogue(messagesDir),
      }),
    close: () => emulator.close(),
  };
}
