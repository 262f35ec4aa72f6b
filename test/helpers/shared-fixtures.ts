/**
 * The public recordings beside the repository (../shared/okta-fixtures, ../shared/okta-idx-fixtures)
 * are reference material, not part of the project: a clone with nothing beside it must pass
 * `npm test`. Conformance suites that compare the emulator with them run when the folder is there
 * and say plainly that they were skipped when it is not. CI sets REQUIRE_SHARED_FIXTURES=1, which
 * turns a missing folder into a failure, so the suites cannot silently stop running there.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export type SharedFixtureSet = 'okta-fixtures' | 'okta-idx-fixtures';

/** The folder of one recording set, or null (after a notice, or a throw in CI) when it is absent. */
export function sharedFixturesDir(set: SharedFixtureSet): string | null {
  const dir = path.resolve(process.cwd(), '../shared', set);
  if (existsSync(dir)) return dir;
  const message = `../shared/${set} not found beside the repository`;
  if (process.env.REQUIRE_SHARED_FIXTURES === '1') throw new Error(`${message}, and REQUIRE_SHARED_FIXTURES=1 requires it`);
  console.warn(`SKIPPED: the conformance suite comparing the emulator with ${set}: ${message}`);
  return null;
}

/** `describe` when the recordings are present, `describe.skip` (after the notice) when not. */
export function describeWithShared(set: SharedFixtureSet, name: string, body: (dir: string) => void): void {
  const dir = sharedFixturesDir(set);
  if (dir === null) describe.skip(`${name} (skipped: ../shared/${set} not found)`, () => it.todo('needs ../shared'));
  else describe(name, () => body(dir));
}
