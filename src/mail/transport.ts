/**
 * The one SMTP client (nodemailer), configured once from SMTP_URL and MAIL_FROM (STYLE.md
 * principle 3). It only sends: retries are the queue's job (queue.ts), so nodemailer makes one
 * attempt per call and says whether a failure is worth another.
 *
 * Pooled: up to `maxConnections` SMTP connections stay open and carry one email after another, so
 * a burst does not pay TCP, greeting, EHLO (and TLS) once per email, and a relay that caps
 * connections per client is never flooded. The queue runs as many sends at once as there are
 * connections (MAIL_CONCURRENCY), so nodemailer's own pool queue stays empty.
 */
import nodemailer from 'nodemailer';
import type { MailTransport } from './send-failure.js';

// The shapes live with the queue's side (send-failure.ts), which must not load nodemailer.
export type { MailTransport, OutgoingMail, SendFailure } from './send-failure.js';

/** Bounded waits: a silent SMTP server must not hold a queue slot for nodemailer's 10-minute default. */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as const;

export function createSmtpTransport(options: { url: string; from: string; maxConnections: number }): MailTransport {
  // The URL may carry nodemailer options as query parameters (e.g. ?requireTLS=true), see README.
  const transporter = nodemailer.createTransport({ url: options.url, ...TIMEOUTS, pool: true, maxConnections: options.maxConnections });
  return {
    async send(mail) {
      const info = await transporter.sendMail({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: { 'Content-Language': mail.locale, 'Auto-Submitted': 'auto-generated' },
      });
      return info.messageId;
    },
    close() {
      transporter.close();
    },
  };
}
