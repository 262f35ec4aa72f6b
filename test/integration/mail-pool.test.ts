/**
 * A burst of recovery emails goes out over a few kept SMTP connections (nodemailer's pool,
 * MAIL_CONCURRENCY), not one connection per email: 100 start requests over HTTP, EMAIL_DELIVERY=
 * service against the emulator, a real SMTP server that takes its time over each message. How
 * much faster that is than one connection per email is `npm run bench`'s business, not a test's.
 */
import { LENIENT_LIMITS, startEmulatedService, type EmulatedService } from '../helpers/emulated.js';
import { SmtpInbox } from '../helpers/smtp-inbox.js';

const API_TOKEN = 'ssws-test-token-0123456789abcdef';
const BURST = 100;

let inbox: SmtpInbox;
let emulated: EmulatedService;

beforeEach(async () => {
  inbox = await SmtpInbox.start({ acceptDelayMs: 10 });
  emulated = await startEmulatedService(
    { ...LENIENT_LIMITS, EMAIL_DELIVERY: 'service', OKTA_API_TOKEN: API_TOKEN, SMTP_URL: inbox.url, MAIL_FROM: 'Acme <no-reply@acme.example>', MAIL_CONCURRENCY: '3' },
    { apiToken: API_TOKEN },
  );
});
afterEach(async () => {
  await emulated.close();
  await inbox.stop();
});

it(`delivers a burst of ${BURST} emails over at most MAIL_CONCURRENCY kept connections`, async () => {
  const answers = await Promise.all(
    Array.from({ length: BURST }, () => emulated.service.browser().postJson('/api/recovery/start', { username: 'alice@example.com' })),
  );
  expect(answers.map((answer) => answer.status)).toEqual(Array(BURST).fill(202));

  const received = await inbox.waitForCount(BURST);
  expect(received).toHaveLength(BURST);
  expect(new Set(received.map((mail) => mail.parsed.messageId)).size).toBe(BURST);
  expect(received.every((mail) => mail.envelopeTo.join() === 'alice@example.com')).toBe(true);
  // Several connections carried the burst side by side, never more than configured, and each
  // carried many emails: 100 emails, at most 3 connections opened in all.
  expect(inbox.connectionsOpened).toBeGreaterThan(1);
  expect(inbox.connectionsOpened).toBeLessThanOrEqual(3);
  expect(inbox.peakOpenConnections).toBeLessThanOrEqual(3);
  // The inbox stores a message just before its 250 reaches the client: let the queue hear it.
  await emulated.service.deps.mailer?.queue.idle();
  expect(emulated.service.deps.mailer?.queue.counters).toMatchObject({ enqueued: BURST, sent: BURST, failed: 0 });
});
