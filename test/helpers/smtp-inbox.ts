/**
 * A real SMTP server in the test process (smtp-server), parsing every message that arrives with
 * mailparser: tests read the email a user would get, not what our code meant to send. It can be
 * stopped and started again on the same port (SMTP down, then back), can refuse messages, can be
 * slow to accept each one (a distant relay), and counts the connections clients open.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** RCPT TO addresses of the SMTP envelope. */
  readonly envelopeTo: string[];
  readonly parsed: ParsedMail;
  /** The raw message as it crossed the wire. */
  readonly raw: string;
}

export class SmtpInbox {
  readonly received: ReceivedMail[] = [];
  #server: SMTPServer | null = null;
  #port = 0;
  #refusals: number[] = [];
  #waiters: Array<() => void> = [];
  #open = 0;
  /** SMTP connections clients have opened since start. */
  connectionsOpened = 0;
  /** The most connections open at one moment. */
  peakOpenConnections = 0;

  /** `acceptDelayMs`: how long each message waits, after its data arrived, for the server's 250. */
  constructor(private readonly options: { acceptDelayMs?: number } = {}) {}

  static async start(options: { acceptDelayMs?: number } = {}): Promise<SmtpInbox> {
    const inbox = new SmtpInbox(options);
    await inbox.listen();
    return inbox;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.#port}`;
  }

  get running(): boolean {
    return this.#server !== null;
  }

  /** The next messages are refused at DATA with these reply codes (e.g. 451 transient, 550 permanent). */
  refuseNext(...responseCodes: number[]): void {
    this.#refusals.push(...responseCodes);
  }

  /** Listens (again) on the same port as before, or a free one the first time. */
  async listen(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      // stop() is "the relay went down": clients' open (pooled) connections get a 421 and are cut
      // at once, instead of smtp-server's 30 s grace for them to finish.
      closeTimeout: 100,
      onConnect: (_session, callback) => {
        this.connectionsOpened += 1;
        this.#open += 1;
        this.peakOpenConnections = Math.max(this.peakOpenConnections, this.#open);
        callback();
      },
      onClose: () => {
        this.#open -= 1;
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => void this.#afterDelay().then(() => this.#accept(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo, callback)));
      },
    });
    server.listen(this.#port, '127.0.0.1');
    await once(server.server, 'listening');
    this.#port = (server.server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Refuses the message if told to, else parses and keeps it, then answers the client. */
  #accept(raw: string, rcptTo: ReadonlyArray<{ address: string }>, callback: (error?: Error | null) => void): void {
    const refusal = this.#refusals.shift();
    if (refusal !== undefined) {
      callback(Object.assign(new Error(`refused by the test inbox (${refusal})`), { responseCode: refusal }));
      return;
    }
    simpleParser(raw).then(
      (parsed) => {
        this.received.push({ envelopeTo: rcptTo.map((rcpt) => rcpt.address), parsed, raw });
        for (const resolve of this.#waiters.splice(0)) resolve();
        callback();
      },
      (error: Error) => callback(error),
    );
  }

  #afterDelay(): Promise<void> {
    const delayMs = this.options.acceptDelayMs ?? 0;
    return delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, delayMs)) : Promise.resolve();
  }

  /** SMTP down: new connections are refused until listen() is called again. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = null;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves once at least `count` messages have arrived. */
  async waitForCount(count: number): Promise<ReceivedMail[]> {
    while (this.received.length < count) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    return this.received;
  }
}
