import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import fc from 'fast-check';
import { InFlightResponses } from '../../src/in-flight.js';

const response = () => new ServerResponse(new IncomingMessage(new Socket()));

describe('InFlightResponses', () => {
  it('holds what was added and not yet deleted, newest first', () => {
    const list = new InFlightResponses();
    const [a, b, c] = [response(), response(), response()];
    list.add(a);
    list.add(b);
    list.add(c);
    expect(list.size).toBe(3);
    expect([...list]).toEqual([c, b, a]);
    list.delete(b);
    expect([...list]).toEqual([c, a]);
    list.delete(c);
    expect([...list]).toEqual([a]);
    list.delete(a);
    expect([...list]).toEqual([]);
    expect(list.size).toBe(0);
  });

  it('ignores adding a member twice and deleting what it does not hold', () => {
    const list = new InFlightResponses();
    const [a, b, stranger] = [response(), response(), response()];
    list.add(a);
    list.add(a);
    list.add(b);
    list.add(a);
    list.delete(stranger);
    expect(list.size).toBe(2);
    expect([...list]).toEqual([b, a]);
    list.delete(a);
    list.delete(a);
    expect([...list]).toEqual([b]);
    expect(list.size).toBe(1);
  });

  it('agrees with a Set over any sequence of adds and deletes', () => {
    const pool = Array.from({ length: 6 }, response);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat({ max: pool.length - 1 })), { maxLength: 60 }), (operations) => {
        const list = new InFlightResponses();
        const model = new Set<ServerResponse>();
        for (const [adding, index] of operations) {
          const item = pool[index] as ServerResponse;
          if (adding) {
            list.add(item);
            model.add(item);
          } else {
            list.delete(item);
            model.delete(item);
          }
          expect(list.size).toBe(model.size);
          expect(new Set(list)).toEqual(model);
        }
        // Leave the shared responses unlinked for the next run.
        for (const item of pool) list.delete(item);
        expect(list.size).toBe(0);
      }),
    );
  });
});
