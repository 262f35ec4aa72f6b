/**
 * What the queues need to know about the SMTP side without loading it: the shape of an email
 * to send, the transport's interface, and how a failed send is read. Apart from transport.ts so
 * that the queue (which the Okta-mode start step uses too) does not pull nodemailer into a
 * service that sends no email of its own.
 */
import type { NodemailerError } from 'nodemailer';
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

/** What a failed send tells the queue; the error's message and response stay out of logs (they may quote the address). */
export function describeSendFailure(error: unknown): SendFailure {
  const failure = (error ?? {}) as NodemailerError;
  return {
    code: typeof failure.code === 'string' ? failure.code : undefined,
    responseCode: typeof failure.responseCode === 'number' ? failure.responseCode : undefined,
    permanent: failure.permanent === true,
  };
}
