/**
 * The mail part of `npm run bench`: a burst of emails through the service's own send queue to a
 * slow local SMTP server (smtp-server), once over the pooled transport the service uses
 * (src/mail/transport.ts, MAIL_CONCURRENCY connections kept and reused) and once over a
 * one-connection-per-email baseline (nodemailer without a pool, as the service sent before),
 * with the same queue and the same number of emails in flight.
 *
 * The server stands for a relay across a network: each new connection waits
 * BENCH_SMTP_CONNECT_MS (100) before its greeting (TCP, TLS and greeting round trips) and each
 * message BENCH_SMTP_ACCEPT_MS (20) before its 250. Knobs: BENCH_MAIL_BURST (100),
 * BENCH_MAIL_CONCURRENCY (4, as MAIL_CONCURRENCY's default).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { createMemoryMailQueue } from '../src/mail/queue.js';
import { createSmtpTransport, type MailTransport, type OutgoingMail } from '../src/mail/transport.js';

export interface MailFigures {
  readonly system: 'pooled (ours)' | 'one connection per email (baseline)';
  readonly emails: number;
  readonly delivered: number;
  readonly elapsedMs: number;
  readonly connectionsOpened: number;
  readonly peakOpenConnections: number;
}

const burst = Number(process.env.BENCH_MAIL_BURST ?? 100);
const concurrency = Number(process.env.BENCH_MAIL_CONCURRENCY ?? 4);
const connectMs = Number(process.env.BENCH_SMTP_CONNECT_MS ?? 100);
const acceptMs = Number(process.env.BENCH_SMTP_ACCEPT_MS ?? 20);
const FROM = 'Bench <no-reply@bench.example>';
const MAIL: OutgoingMail = { to: 'someone@bench.example', subject: 'Reset your password', text: 'A link would be here.', html: '<p>A link would be here.</p>', locale: 'en' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A relay that is slow to greet and slow to accept, counting connections and delivered messages. */
async function slowRelay() {
  const counts = { opened: 0, open: 0, peak: 0, delivered: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    closeTimeout: 100,
    onConnect(_session, callback) {
      counts.opened += 1;
      counts.open += 1;
      counts.peak = Math.max(counts.peak, counts.open);
      void sleep(connectMs).then(() => callback());
    },
    onClose() {
      counts.open -= 1;
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () =>
        void sleep(acceptMs).then(() => {
          counts.delivered += 1;
          callback();
        }),
      );
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return { url, counts, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The transport as it was before pooling: nodemailer opens, uses and closes one connection per email. */
function oneConnectionPerEmail(url: string): MailTransport {
  const transporter = nodemailer.createTransport({ url });
  return {
    async send(mail) {
      const info = await transporter.sendMail({ from: FROM, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
      return info.messageId;
    },
    close: () => transporter.close(),
  };
}

async function sendBurst(system: MailFigures['system']): Promise<MailFigures> {
  const relay = await slowRelay();
  const transport = system === 'pooled (ours)' ? createSmtpTransport({ url: relay.url, from: FROM, maxConnections: concurrency }) : oneConnectionPerEmail(relay.url);
  const queue = createMemoryMailQueue({
    transport,
    prepare: async () => MAIL,
    logger: pino({ level: 'silent' }),
    maxAttempts: 1,
    retryBaseMs: 1000,
    concurrency,
    maxPending: burst,
  });
  const started = performance.now();
  for (let i = 0; i < burst; i++) await queue.enqueue({ kind: 'password-changed', user: {}, context: {}, changedAtMs: 0 });
  await queue.idle();
  const elapsedMs = performance.now() - started;
  await queue.close(1000);
  await relay.close();
  return { system, emails: burst, delivered: relay.counts.delivered, elapsedMs, connectionsOpened: relay.counts.opened, peakOpenConnections: relay.counts.peak };
}

/** Baseline first, then ours, in the same run against identical relays. */
export async function runMailBurst(): Promise<MailFigures[]> {
  return [await sendBurst('one connection per email (baseline)'), await sendBurst('pooled (ours)')];
}

export function renderMailReport(figures: readonly MailFigures[]): string[] {
  const rate = (f: MailFigures) => f.delivered / (f.elapsedMs / 1000);
  const [baseline, ours] = figures;
  const lines = [
    '## Mail burst',
    '',
    `${burst} emails through the send queue, ${concurrency} in flight, to a local SMTP server that waits ${connectMs} ms before greeting each connection and ${acceptMs} ms before accepting each message.`,
    '',
    '| system | emails | delivered | seconds | emails/s | SMTP connections opened | peak open |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...figures.map((f) => `| ${f.system} | ${f.emails} | ${f.delivered} | ${(f.elapsedMs / 1000).toFixed(2)} | ${rate(f).toFixed(1)} | ${f.connectionsOpened} | ${f.peakOpenConnections} |`),
    '',
  ];
  if (baseline && ours) lines.push(`Pooled / baseline emails/s: ${(rate(ours) / rate(baseline)).toFixed(2)}×`, '');
  return lines;
}
