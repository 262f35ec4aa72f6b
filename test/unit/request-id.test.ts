/**
 * Our request ids are written by hand from the pooled random bytes (request-context.ts, random-pool.ts): they must
 * stay what crypto.randomUUID() made, version 4 UUIDs in lower-case hex, and never repeat, across
 * the pool's refills too.
 */
import { newRequestId } from '../../src/web/request-context.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('request ids are distinct version 4 UUIDs, as randomUUID() made them', () => {
  const ids = Array.from({ length: 1000 }, () => newRequestId());
  for (const id of ids) expect(id).toMatch(UUID_V4);
  expect(new Set(ids).size).toBe(ids.length);
  // Every hex digit turns up in every free position: the bytes are random, not a pattern.
  const seen = Array.from({ length: 36 }, () => new Set<string>());
  for (const id of ids) for (let i = 0; i < 36; i++) seen[i]!.add(id[i]!);
  for (let i = 0; i < 36; i++) {
    if ([8, 13, 18, 23].includes(i)) expect([...seen[i]!]).toEqual(['-']);
    else if (i === 14) expect([...seen[i]!]).toEqual(['4']);
    else if (i === 19) expect([...seen[i]!].sort()).toEqual(['8', '9', 'a', 'b']);
    else expect(seen[i]!.size).toBe(16);
  }
});
