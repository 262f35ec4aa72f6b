/**
 * The project's own recorded-shape Okta responses (test/fixtures/okta-classic, test/fixtures/okta-idx),
 * written from the authn and IDX contracts: each file says which section it stands for. Tests never read ../shared; the
 * conformance suites that compare the emulator with the public recordings use shared-fixtures.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/okta-classic');
const IDX_FIXTURES_DIR = path.resolve(FIXTURES_DIR, '../okta-idx');

export interface RecordedResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** Loads test/fixtures/okta-classic/<name> ({note, status, body}); `{{origin}}` becomes the org URL. */
export function fixture(name: string, origin = 'https://acme.okta.example', directory = FIXTURES_DIR): RecordedResponse {
  const raw = readFileSync(path.join(directory, name), 'utf8').replaceAll('{{origin}}', origin);
  const parsed = JSON.parse(raw) as { status: number; body: Record<string, unknown> };
  return { status: parsed.status, body: parsed.body };
}

/** Loads test/fixtures/okta-idx/<name>, its body changed in place by `changes` (e.g. another message key). */
export function idxFixture(name: string, changes: (body: Record<string, unknown>) => void = () => undefined, origin = 'https://acme.okta.example'): RecordedResponse {
  const recorded = fixture(name, origin, IDX_FIXTURES_DIR);
  changes(recorded.body);
  return recorded;
}

/** A fixture body with fields replaced, e.g. a fresh expiresAt or a known stateToken. */
export function withBody(recorded: RecordedResponse, changes: Record<string, unknown>): RecordedResponse {
  return { status: recorded.status, body: { ...recorded.body, ...changes } };
}

/** Fixture bodies carry fixed expiry dates; a live flow needs one in the future of `nowMs`. */
export function fresh(name: string, nowMs: number, changes: Record<string, unknown> = {}): RecordedResponse {
  return withBody(fixture(name), { expiresAt: new Date(nowMs + 5 * 60 * 1000).toISOString(), ...changes });
}
