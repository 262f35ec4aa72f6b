import { ManualClock } from '../../src/clock.js';

describe('ManualClock', () => {
  it('moves only when advanced, and only forward', () => {
    const clock = new ManualClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advance(500);
    expect(clock.now()).toBe(1_500);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});
