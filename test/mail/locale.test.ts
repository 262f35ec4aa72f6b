/**
 * Which language the email is written in: the Okta profile locale first, then the request's
 * Accept-Language, then English. The repository's catalogues are being translated on another
 * branch, so this builds the mailer over a catalogue directory holding the real English file and
 * a French one written here: the whole path (Okta emulator → locale → templates → SMTP →
 * mailparser) runs for real, only the French words are this test's own.
 */
import { mkdtempSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ManualClock } from '../../src/clock.js';
import { loadConfig, withOktaOrgUrl } from '../../src/config.js';
import { demoUsers, startEmulator, type RunningEmulator, type SeedUser } from '../../src/emulator/index.js';
import { loadCatalogue } from '../../src/i18n/catalogue.js';
import { createLogger } from '../../src/logger.js';
import { createMailer, type Mailer } from '../../src/mail/mailer.js';
import { createClassicRecoveryTokens } from '../../src/okta/classic/service-emails.js';
import { createOktaClient, type OktaClient } from '../../src/okta/client.js';
import { messagesDir, templatesDir } from '../../src/paths.js';
import { SmtpInbox, type ReceivedMail } from '../helpers/smtp-inbox.js';

const PUBLIC_URL = 'https://account.acme.example';
const API_TOKEN = 'ssws-locale-token-0123456789abcdef';
const FRENCH = {
  'email.greeting': 'Bonjour {name},',
  'email.recovery.subject': 'Réinitialisez votre mot de passe {brand}',
  'email.recovery.expiry': 'Le lien ne sert qu’une fois et expire le {expiresAt}, {minutes} minutes après l’envoi de ce message.',
  'email.passwordChanged.subject': 'Votre mot de passe {brand} a été modifié',
};

function catalogueDir(): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'mail-locale-'));
  copyFileSync(path.join(messagesDir, 'en.json'), path.join(directory, 'en.json'));
  writeFileSync(path.join(directory, 'fr.json'), JSON.stringify(FRENCH));
  return directory;
}

const base = demoUsers().find((user) => user.login === 'bob@example.com') as SeedUser;
const users: SeedUser[] = [
  { ...base, id: '00u1fr0000000000001', login: 'amelie@example.com', email: 'amelie@example.com', firstName: 'Amélie', locale: 'fr_FR', timeZone: 'Europe/Paris' },
  { ...base, id: '00u1us0000000000002', login: 'usha@example.com', email: 'usha@example.com', firstName: 'Usha', locale: 'en_US' },
  { ...base, id: '00u1ja0000000000003', login: 'kenji@example.com', email: 'kenji@example.com', firstName: 'Kenji', locale: 'ja_JP' },
];

let emulator: RunningEmulator;
let inbox: SmtpInbox;
let okta: OktaClient;
let mailer: Mailer;

beforeEach(async () => {
  const clock = new ManualClock(Date.UTC(2025, 0, 15, 10, 0, 0));
  emulator = await startEmulator({ publicUrl: PUBLIC_URL, apiToken: API_TOKEN, clock, users });
  inbox = await SmtpInbox.start();
  const config = withOktaOrgUrl(
    loadConfig({ NODE_ENV: 'test', PUBLIC_URL, EMAIL_DELIVERY: 'service', OKTA_API_TOKEN: API_TOKEN, SMTP_URL: inbox.url, MAIL_FROM: 'no-reply@acme.example' }),
    emulator.url,
  );
  okta = createOktaClient({ orgUrl: emulator.url, timeoutMs: 5000, apiToken: API_TOKEN });
  const logger = createLogger({ level: 'silent', destination: new Writable({ write: (_chunk, _encoding, callback) => callback() }) });
  const created = await createMailer({ config, recoveryTokens: createClassicRecoveryTokens(okta), clock, logger, catalogue: loadCatalogue(catalogueDir()), templatesDir });
  if (!created) throw new Error('SMTP_URL is set');
  mailer = created;
});
afterEach(async () => {
  await mailer.close();
  okta.close();
  await inbox.stop();
  await emulator.close();
});

async function mailFor(username: string, acceptLanguage: string | undefined): Promise<ReceivedMail> {
  await mailer.sendRecoveryLink({ username }, { acceptLanguage, userAgent: 'Mozilla/5.0' });
  await mailer.queue.idle();
  const [mail] = (await inbox.waitForCount(1)) as [ReceivedMail];
  return mail;
}

it("writes in the Okta profile's language: fr_FR → French, with the French date in her zone", async () => {
  const mail = await mailFor('amelie@example.com', 'en-GB');
  expect(mail.parsed.headers.get('content-language')).toBe('fr');
  expect(mail.parsed.subject).toBe('Réinitialisez votre mot de passe Acme');
  expect(mail.parsed.text).toContain('Bonjour Amélie,');
  expect(mail.parsed.text).toContain('expire le 15 janvier 2025 à 12:00 UTC+1, 60 minutes après');
  expect(mail.parsed.html).toEqual(expect.stringContaining('<html lang="fr" dir="ltr">'));
  // A key the French catalogue lacks falls back to English, per key.
  expect(mail.parsed.text).toContain('If you did not ask for this');
});

it('prefers the profile locale over Accept-Language', async () => {
  const mail = await mailFor('usha@example.com', 'fr-FR,fr;q=0.9');
  expect(mail.parsed.headers.get('content-language')).toBe('en');
  expect(mail.parsed.subject).toBe('Reset your Acme password');
});

it('uses Accept-Language when the profile locale has no catalogue, and English when neither does', async () => {
  expect((await mailFor('kenji@example.com', 'ja-JP, fr-CA;q=0.8')).parsed.subject).toBe('Réinitialisez votre mot de passe Acme');
  inbox.received.length = 0;
  const english = await mailFor('kenji@example.com', 'ja-JP');
  expect(english.parsed.headers.get('content-language')).toBe('en');
  expect(english.parsed.subject).toBe('Reset your Acme password');
});
