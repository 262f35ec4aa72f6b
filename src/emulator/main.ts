/**
 * Standalone emulator: `npm run emulator`. The only file of the emulator that reads process.env
 * (../shared/STYLE.md principle 8). Runs on an OffsetClock so POST /__emulator/clock/advance works.
 */
import { BUILT_IN_CLIENT_ID } from './idx/index.js';
import { loadSeedFile } from './seed.js';
import { OffsetClock } from './offset-clock.js';
import { startEmulator } from './server.js';

const env = process.env;
const port = Number(env['EMULATOR_PORT'] ?? 7070);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`okta-emulator: EMULATOR_PORT must be a port number, got ${env['EMULATOR_PORT']}`);
  process.exit(2);
}
const host = env['EMULATOR_HOST'] ?? '127.0.0.1';
const publicUrl = env['PUBLIC_URL'] ?? 'http://localhost:3000';
const seedFile = env['EMULATOR_SEED_FILE'];
const pipeline = (env['EMULATOR_PIPELINE'] ?? 'v1') as 'v1' | 'idx';
if (!['v1', 'idx'].includes(pipeline)) {
  console.error(`okta-emulator: EMULATOR_PIPELINE must be v1 or idx, got ${pipeline}`);
  process.exit(2);
}
const clientSecret = env['EMULATOR_CLIENT_SECRET'] || undefined;

async function start() {
  return startEmulator({
    port,
    host,
    publicUrl,
    clock: new OffsetClock(),
    apiToken: env['EMULATOR_API_TOKEN'] || undefined,
    smtpUrl: env['SMTP_URL'] || undefined,
    users: seedFile ? await loadSeedFile(seedFile) : undefined,
    pipeline,
    idx: { clientSecret },
  });
}

const emulator = await start().catch((err: unknown) => {
  // A bad seed file or a busy port: say which, without a stack trace.
  console.error(`okta-emulator: cannot start: ${(err as Error).message}`);
  process.exit(1);
});

console.log(`Okta emulator (${pipeline === 'idx' ? 'Identity Engine org' : 'Classic Engine org'}) listening on ${emulator.url}`);
console.log(`  e-mail links point at ${publicUrl}; e-mail goes to ${env['SMTP_URL'] ? 'SMTP' : `${emulator.url}/__emulator/outbox`}`);
console.log(`  trusted variant (SSWS): ${env['EMULATOR_API_TOKEN'] ? 'enabled' : 'disabled (set EMULATOR_API_TOKEN)'}`);
if (pipeline === 'idx') {
  console.log(`  IDX: client id ${BUILT_IN_CLIENT_ID} (${clientSecret ? 'confidential' : 'public'}), issuer ${emulator.url}`);
  console.log(`    redirect URI ${publicUrl}/reset-password/callback; magic links ${publicUrl}/reset-password/verify-email`);
}
console.log(`  users (${seedFile ?? 'demo seed'}; passwords and answers are in the seed file):`);
for (const u of emulator.listUsers()) {
  const question = u.hasRecoveryQuestion ? 'recovery question' : 'no question';
  console.log(`    ${u.login.padEnd(24)} ${u.status.padEnd(14)} ${question}`);
}

let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    console.log(`okta-emulator: ${signal}, closing`);
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('okta-emulator: close failed', err);
        process.exit(1);
      },
    );
  });
}
