/**
 * Okta's outgoing e-mail, delivered through nodemailer: over SMTP when `smtpUrl` is set, otherwise
 * through nodemailer's JSON transport. Either way each message is recorded in `outbox` (newest last),
 * so tests read what "Okta" sent. Delivery is awaited by the step but a failure never fails the
 * API call: Okta sends asynchronously (contract §1.2), so the caller always gets its 200.
 */
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Clock } from '../clock.js';
import { describeLifetime, renderMail } from './mail-templates.js';
import type { MailTemplate } from './mail-templates.js';
import type { RecoveryTokenRecord, UserRecord } from './store.js';

export type { MailTemplate } from './mail-templates.js';

export interface OutboxMessage {
  id: string;
  template: MailTemplate;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  /** Our domain's link (`${publicUrl}/reset-password/${recoveryToken}`), undefined for linkless templates. */
  link: string | undefined;
  /** Okta's own `${resetPasswordLink}` equivalent (§9), kept hidden in the HTML. */
  oktaLink: string | undefined;
  /** ISO-8601, from the emulator's clock. */
  date: string;
}

export interface MailerOptions {
  publicUrl: string;
  clock: Clock;
  smtpUrl?: string;
  mailFrom?: string;
}

/** Cap on recorded messages so a long-running emulator stays bounded. */
const OUTBOX_MAX = 1000;
/**
 * The step awaits delivery, so a silent SMTP server must not hold an API call for nodemailer's
 * default two minutes.
 */
const SMTP_TIMEOUTS = { connectionTimeout: 5_000, greetingTimeout: 5_000, socketTimeout: 10_000 };
/** Okta's own paths handled by the Classic widget router (SIW LoginRouter, §9). */
const OKTA_PATHS = { PASSWORD: 'reset-password', UNLOCK: 'user-unlock' } as const;
const OUR_PATHS = { PASSWORD: 'reset-password', UNLOCK: 'unlock' } as const;

export class Mailer {
  readonly outbox: OutboxMessage[] = [];
  readonly #transport: Transporter;
  readonly #smtp: boolean;
  readonly #publicUrl: string;
  readonly #from: string;
  readonly #clock: Clock;

  constructor(options: MailerOptions) {
    this.#smtp = options.smtpUrl !== undefined;
    this.#transport = options.smtpUrl
      ? nodemailer.createTransport({ url: options.smtpUrl, ...SMTP_TIMEOUTS })
      : nodemailer.createTransport({ jsonTransport: true });
    this.#publicUrl = options.publicUrl.replace(/\/+$/, '');
    this.#from = options.mailFrom ?? 'Okta Emulator <noreply@okta-emulator.invalid>';
    this.#clock = options.clock;
  }

  /** Renders and delivers one template to the user's primary e-mail. */
  async send(template: MailTemplate, user: UserRecord, origin: string, token?: RecoveryTokenRecord): Promise<void> {
    const link = token ? `${this.#publicUrl}/${OUR_PATHS[token.recoveryType]}/${token.token}` : undefined;
    const oktaLink = token ? `${origin}/signin/${OKTA_PATHS[token.recoveryType]}/${token.token}` : undefined;
    const expiresIn = token ? describeLifetime(token.expiresAtMs - this.#clock.now()) : undefined;
    const rendered = renderMail(template, { firstName: user.firstName, login: user.login, link, oktaLink, expiresIn });
    const date = new Date(this.#clock.now());
    try {
      const info: unknown = await this.#transport.sendMail({ from: this.#from, to: user.email, date, ...rendered });
      this.#record({ template, to: user.email, date, link, oktaLink, info, ...rendered });
    } catch (err) {
      // The message, not the mail: the body holds a live recovery link.
      console.error(`okta-emulator: ${template} e-mail could not be delivered: ${(err as Error).message}`);
    }
  }

  close(): void {
    this.#transport.close();
  }

  #record(m: {
    template: MailTemplate;
    to: string;
    date: Date;
    link: string | undefined;
    oktaLink: string | undefined;
    info: unknown;
    subject: string;
    text: string;
    html: string;
  }): void {
    // The JSON transport hands back the composed message: read it back, so the outbox shows what
    // nodemailer produced. SMTP only reports the Message-ID.
    const composed = this.#smtp ? undefined : parseJsonTransport(m.info);
    this.outbox.push({
      id: messageId(m.info),
      template: m.template,
      to: m.to,
      from: this.#from,
      subject: composed?.subject ?? m.subject,
      text: composed?.text ?? m.text,
      html: composed?.html ?? m.html,
      link: m.link,
      oktaLink: m.oktaLink,
      date: m.date.toISOString(),
    });
    if (this.outbox.length > OUTBOX_MAX) this.outbox.splice(0, this.outbox.length - OUTBOX_MAX);
  }
}

function messageId(info: unknown): string {
  const id = (info as { messageId?: unknown }).messageId;
  return typeof id === 'string' ? id : '';
}

function parseJsonTransport(info: unknown): { subject?: string; text?: string; html?: string } | undefined {
  const raw = (info as { message?: unknown }).message;
  if (typeof raw !== 'string') return undefined;
  const parsed = JSON.parse(raw) as { subject?: string; text?: string; html?: string };
  return { subject: parsed.subject, text: parsed.text, html: parsed.html };
}
