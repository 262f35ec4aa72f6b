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
import nodemailer, { type NodemailerError } from 'nodemailer';
import type { MailContent } from './messages.js';

export interface OutgoingMail extends MailContent {
  readonly to: string;
}

export interface SendFailure {
  /** nodemailer's code (ECONNECTION, ESOCKET, ETIMEDOUT, EENVELOPE, …) or the socket's. */
  readonly code: string | undefined;
  readonly responseCode: number | undefined;
  /** A 5xx reply (except 503): the same message would be refused again. */
  readonly permanent: boolean;
}

export interface MailTransport {
  /** Resolves with the Message-ID the server accepted; rejects with a SendFailure-shaped error. */
  send(mail: OutgoingMail): Promise<string>;
  close(): void;
}

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

/** What a failed send tells the queue; the error's message and response stay out of logs (they may quote the address). */
export function describeSendFailure(error: unknown): SendFailure {
  const failure = (error ?? {}) as NodemailerError;
  return {
    code: typeof failure.code === 'string' ? failure.code : undefined,
    responseCode: typeof failure.responseCode === 'number' ? failure.responseCode : undefined,
    permanent: failure.permanent === true,
  };
}
