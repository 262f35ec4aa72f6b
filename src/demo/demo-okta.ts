/**
 * Demo mode: with no OKTA_ORG_URL outside production, the service runs against the built-in Okta
 * emulator, started in this process on a loopback port, so `npm start` shows the whole flow with
 * no Okta org. Production refuses to start without OKTA_ORG_URL (config.ts).
 */
import type Router from '@koa/router';
import type { Config } from '../config.js';
import { demoUsers, startEmulator, type RunningEmulator } from '../emulator/index.js';
import { mailboxRouter } from './mailbox.js';

export interface DemoOkta {
  readonly emulator: RunningEmulator;
  readonly routers: readonly Router[];
  banner(serviceUrl: string): string;
  close(): Promise<void>;
}

export async function startDemoOkta(config: Config): Promise<DemoOkta> {
  // OKTA_ENGINE=idx plays an Identity Engine org (auto then reads it as one); otherwise Classic.
  const idx = config.okta.engine === 'idx';
  const emulator = await startEmulator({ publicUrl: config.publicUrl, apiToken: config.okta.apiToken, host: '127.0.0.1', port: 0, pipeline: idx ? 'idx' : 'v1' });
  return {
    emulator,
    routers: [mailboxRouter(emulator)],
    banner(serviceUrl) {
      const users = demoUsers()
        .map((user) => {
          const question = user.recoveryQuestion ? `answer "${user.recoveryQuestion.answer}"` : 'no security question';
          return `    ${user.login.padEnd(26)} ${user.status.padEnd(14)} ${question}`;
        })
        .join('\n');
      return [
        '',
        `  Demo mode: no OKTA_ORG_URL, so this runs against the built-in Okta emulator as ${idx ? 'an Identity Engine org (IDX)' : 'a Classic Engine org'}.`,
        idx
          ? '  Emails carry a code and a magic link. For Classic: npm start (without OKTA_ENGINE=idx).'
          : '  For an Identity Engine org (code + magic link): OKTA_ENGINE=idx npm start',
        `  Open        ${config.publicUrl}/forgot-password`,
        `  Mailbox     ${config.publicUrl}/dev/mailbox   (the emails "Okta" sent)`,
        `  Listening   ${serviceUrl}    Okta emulator ${emulator.url}`,
        config.http.hostIsExplicit
          ? `  HOST=${config.http.host} is set: the mailbox, with every demo reset link, is reachable from the network.`
          : '  Loopback only: the mailbox shows every demo reset link, so nothing else can reach it (set HOST to change).',
        '  Demo users (new passwords must follow the emulator policy: 8+ chars, upper, lower, digit):',
        users,
        '',
      ].join('\n');
    },
    close: () => emulator.close(),
  };
}
