/**
 * Okta's outgoing e-mail, delivered through nodemailer: over SMTP when `smtpUrl` is set, otherwise
 * through nodemailer's JSON transport. Either way each message is recorded in `outbox` (newest last),
 * so tests read what "Okta" sent. Delivery is awaited by the step but a failure never fails the
 * API call: Okta sends asynchronously (contract §1.2), so the caller always gets its 200.
 */
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Clock } from '../clock.js';
import { describeLifetime, renderMail, renderRecoveryCodeMail } from './mail-templates.js';
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
  /** Which API sent it: Classic authn (`v1`) or an IDX recovery (`idx`, docs/idx-emulator.md). */
  pipeline: 'v1' | 'idx';
  /** IDX only: the one-time code (`${oneTimePassword}`, idx contract §4.5). */
  otp?: string;
  /** IDX only: the interact `state` (`${request.relayState}`, idx contract §4.5). */
  state?: string;
  /** IDX only: the EVE magic link `{callback}?otp=…&state=…` (idx contract §4.6); also in `link`. */
  magicLink?: string;
}

/** What an IDX recovery email carries (idx contract §4.5–4.6). */
export interface RecoveryCode {
  otp: string;
  state: string;
  magicLink: string | undefined;
  lifetimeMs: number;
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
const OUR_PATHS = { PASSWORD: 'reset-password', UNLOCK: 'unlock-account' } as const;

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
    await this.#deliver(user, { template, link, oktaLink, pipeline: 'v1', ...rendered });
  }

  /**
   * The IDX Forgot Password email (idx contract §4.5): the code, and the magic link to the app's
   * Email Verification Experience callback when it has one (§4.6).
   */
  async sendRecoveryCode(user: UserRecord, code: RecoveryCode): Promise<void> {
    const expiresIn = describeLifetime(code.lifetimeMs);
    const rendered = renderRecoveryCodeMail({ firstName: user.firstName, login: user.login, otp: code.otp, link: code.magicLink, expiresIn });
    await this.#deliver(user, {
      template: 'ForgotPassword',
      link: code.magicLink,
      oktaLink: undefined,
      pipeline: 'idx',
      otp: code.otp,
      state: code.state,
      magicLink: code.magicLink,
      ...rendered,
    });
  }

  async #deliver(user: UserRecord, m: Omit<Recorded, 'to' | 'date' | 'info'>): Promise<void> {
    const date = new Date(this.#clock.now());
    const { template } = m;
    try {
      const info: unknown = await this.#transport.sendMail({ from: this.#from, to: user.email, date, subject: m.subject, text: m.text, html: m.html });
      this.#record({ ...m, to: user.email, date, info });
    } catch (err) {
      // The message, not the mail: the body holds a live recovery link.
      console.error(`okta-emulator: ${template} e-mail could not be delivered: ${(err as Error).message}`);
    }
  }

  close(): void {
    this.#transport.close();
  }

  #record(m: Recorded): void {
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
      pipeline: m.pipeline,
      ...(m.otp === undefined ? {} : { otp: m.otp, state: m.state, magicLink: m.magicLink }),
    });
    if (this.outbox.length > OUTBOX_MAX) this.outbox.splice(0, this.outbox.length - OUTBOX_MAX);
  }
}

interface Recorded {
  template: MailTemplate;
  to: string;
  date: Date;
  link: string | undefined;
  oktaLink: string | undefined;
  info: unknown;
  subject: string;
  text: string;
  html: string;
  pipeline: 'v1' | 'idx';
  otp?: string;
  state?: string;
  magicLink?: string;
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
