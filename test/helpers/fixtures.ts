/**
 * The project's own recorded-shape Okta Classic responses (test/fixtures/okta-classic), written from
 * the authn contract: each file says which section it stands for. Tests never read ../shared; the
 * conformance suites that compare the emulator with the public recordings use shared-fixtures.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/okta-classic');

export interface RecordedResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** Loads test/fixtures/okta-classic/<name> ({note, status, body}); `{{origin}}` becomes the org URL. */
export function fixture(name: string, origin = 'https://acme.okta.example'): RecordedResponse {
  const raw = readFileSync(path.join(FIXTURES_DIR, name), 'utf8').replaceAll('{{origin}}', origin);
  const parsed = JSON.parse(raw) as { status: number; body: Record<string, unknown> };
  return { status: parsed.status, body: parsed.body };
}

/** A fixture body with fields replaced, e.g. a fresh expiresAt or a known stateToken. */
export function withBody(recorded: RecordedResponse, changes: Record<string, unknown>): RecordedResponse {
  return { status: recorded.status, body: { ...recorded.body, ...changes } };
}

/** Fixture bodies carry fixed expiry dates; a live flow needs one in the future of `nowMs`. */
export function fresh(name: string, nowMs: number, changes: Record<string, unknown> = {}): RecordedResponse {
  return withBody(fixture(name), { expiresAt: new Date(nowMs + 5 * 60 * 1000).toISOString(), ...changes });
}
