/**
 * Time as a dependency. Production code never calls Date.now() directly where a test might need
 * to move time (token lifetimes, cookie expiry, rate-limit windows): it asks an injected Clock.
 * (Ory Kratos injects its clock the same way; see ../shared/STYLE.md principle 9.)
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = Object.freeze({ now: () => Date.now() });

/** A clock that only moves when told to: for tests and for the emulator's time controls. */
export class ManualClock implements Clock {
  #nowMs: number;

  constructor(startMs: number = Date.now()) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('a clock only moves forward');
    this.#nowMs += ms;
  }
}
