/**
 * The text messages and voice calls "Okta" makes for SMS and CALL recovery (contract §1.4, §5),
 * recorded instead of sent: tests and the demo mailbox read the code from here, as a person would
 * read it off their phone. Bounded like the e-mail outbox.
 */
import type { Clock } from '../clock.js';
import type { RecoveryType } from './types.js';
import type { UserRecord } from './store.js';

export interface PhoneMessage {
  /** The user's phone number, as the seed has it. */
  to: string;
  /** The user's login, for finding a user's messages. */
  login: string;
  factorType: 'SMS' | 'CALL';
  recoveryType: RecoveryType;
  /** What the text says, or what the call reads out. */
  text: string;
  code: string;
  /** ISO-8601, from the emulator's clock. */
  date: string;
}

const PHONE_OUTBOX_MAX = 1000;

export class PhoneOutbox {
  readonly messages: PhoneMessage[] = [];
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Okta's own wording, roughly: the code, and what it is for. */
  deliver(user: UserRecord & { phone: string }, factorType: 'SMS' | 'CALL', recoveryType: RecoveryType, code: string): void {
    const purpose = recoveryType === 'UNLOCK' ? 'unlock your account' : 'reset your password';
    const text = factorType === 'SMS' ? `Your verification code is ${code}. Use it to ${purpose}.` : `(Voice call) Your verification code is ${[...code].join(' ')}. Use it to ${purpose}.`;
    this.messages.push({ to: user.phone, login: user.login, factorType, recoveryType, text, code, date: new Date(this.#clock.now()).toISOString() });
    if (this.messages.length > PHONE_OUTBOX_MAX) this.messages.splice(0, this.messages.length - PHONE_OUTBOX_MAX);
  }
}
