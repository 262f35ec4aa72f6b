/** The recorded Okta responses in ../shared/okta-fixtures (see its README for the two file shapes). */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURES_DIR = path.resolve(process.cwd(), '../shared/okta-fixtures');

export interface RecordedResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** Loads an envelope fixture ({status, response}) or a bare playground body (HTTP 200). */
export function fixture(name: string, origin = 'https://acme.okta.example'): RecordedResponse {
  const raw = readFileSync(path.join(FIXTURES_DIR, name), 'utf8').replaceAll('<%= uri %>', origin);
  const parsed = JSON.parse(raw) as Record<string, unknown>;
  if (name.includes('/playground/')) return { status: 200, body: parsed };
  return { status: parsed.status as number, body: parsed.response as Record<string, unknown> };
}

/** A fixture body with fields replaced, e.g. a fresh expiresAt or a known stateToken. */
export function withBody(recorded: RecordedResponse, changes: Record<string, unknown>): RecordedResponse {
  return { status: recorded.status, body: { ...recorded.body, ...changes } };
}

/** Recorded bodies carry 2015 expiry dates; a live flow needs one in the future of `nowMs`. */
export function fresh(name: string, nowMs: number, changes: Record<string, unknown> = {}): RecordedResponse {
  return withBody(fixture(name), { expiresAt: new Date(nowMs + 5 * 60 * 1000).toISOString(), ...changes });
}
