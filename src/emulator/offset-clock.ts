/**
 * Real time plus an offset that only grows: the standalone emulator's clock, so
 * `POST /__emulator/clock/advance` can age tokens while time still flows for everything else.
 * (A ManualClock would freeze rate-limit windows in a long-running process.)
 */
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';

export class OffsetClock implements Clock {
  #offsetMs = 0;
  readonly #base: Clock;

  constructor(base: Clock = systemClock) {
    this.#base = base;
  }

  now(): number {
    return this.#base.now() + this.#offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('a clock only moves forward');
    this.#offsetMs += ms;
  }
}
