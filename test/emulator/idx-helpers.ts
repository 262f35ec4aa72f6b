/**
 * An IDX client for the emulator's own tests: interact with PKCE over the form-encoded OAuth
 * endpoint, then follow forms by name as every IDX client does (contract §2.3: POST to the form's
 * href with its immutable stateHandle). Built on helpers.ts's emulator (ManualClock, port 0).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { EmulatorOptions } from '../../src/emulator/index.js';
import { emulator, PUBLIC_URL } from './helpers.js';
import type { Reply, TestEmulator } from './helpers.js';

export const CLIENT_ID = '0oa1recoveryemulator';
export const REDIRECT_URI = `${PUBLIC_URL}/reset-password/callback`;
export const ION = 'application/ion+json; okta-version=1.0.0';

export interface IdxSession {
  e: TestEmulator;
  verifier: string;
  state: string;
  interactionHandle: string;
}

export const s256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

export async function idxEmulator(options: Partial<EmulatorOptions> = {}): Promise<TestEmulator> {
  return emulator({ pipeline: 'idx', ...options });
}

async function reply(res: Response): Promise<Reply> {
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers };
}

/** A form-encoded POST (interact, token). */
export async function postForm(url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  return reply(res);
}

/** An IDX POST with AUTHJS's headers (§2.1); `url` may be a path on the emulator or a form's href. */
export async function idxPost(e: TestEmulator, url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(url.startsWith('http') ? url : `${e.url}${url}`, {
    method: 'POST',
    headers: { 'content-type': ION, accept: ION, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return reply(res);
}

/** The interact fields of the built-in client, with a fresh PKCE pair and state. */
export function interactFields(session: { verifier: string; state: string }, extra: Record<string, string> = {}): Record<string, string> {
  return {
    client_id: CLIENT_ID,
    scope: 'openid email',
    redirect_uri: REDIRECT_URI,
    code_challenge: s256(session.verifier),
    code_challenge_method: 'S256',
    state: session.state,
    ...extra,
  };
}

/** interact (§1) and introspect (§2): the first state of a new transaction, and the session to go on with. */
export async function begin(e: TestEmulator, extra: Record<string, string> = {}, issuerPath = '/oauth2/v1'): Promise<{ session: IdxSession; first: Reply }> {
  const pkce = { verifier: randomBytes(32).toString('base64url'), state: randomBytes(16).toString('hex') };
  const interacted = await postForm(`${e.url}${issuerPath}/interact`, interactFields(pkce, extra));
  expect(interacted.status).toBe(200);
  const session = { e, ...pkce, interactionHandle: interacted.body.interaction_handle as string };
  const first = await idxPost(e, '/idp/idx/introspect', { interactionHandle: session.interactionHandle });
  return { session, first };
}

// IDX bodies are open JSON; tests index into them freely.
/* eslint-disable @typescript-eslint/no-explicit-any */
export const remediations = (body: any): string[] => (body?.remediation?.value ?? []).map((r: any) => r.name);

export function formOf(body: any, name: string): any {
  const found = (body?.remediation?.value ?? []).find((r: any) => r.name === name);
  if (!found) throw new Error(`no remediation ${name} in [${remediations(body).join(', ')}]`);
  return found;
}

/** Submits a form (remediation or action object) with its own stateHandle (§2.3), plus `values`. */
export async function submit(e: TestEmulator, form: any, values: Record<string, unknown> = {}): Promise<Reply> {
  const stateHandle = form.value.find((f: any) => f.name === 'stateHandle')?.value;
  return idxPost(e, form.href, { ...values, stateHandle });
}

/** The message keys of a body: global ones, then every field message. */
export function messageKeys(body: any): string[] {
  const keys: string[] = (body?.messages?.value ?? []).map((m: any) => m.i18n?.key);
  const walk = (fields: any[] | undefined): void => {
    for (const f of fields ?? []) {
      for (const m of f.messages?.value ?? []) keys.push(m.i18n?.key);
      walk(f.form?.value);
    }
  };
  for (const r of body?.remediation?.value ?? []) walk(r.value);
  return keys;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Path A (§3.1) to the "send me an email" step for `login`. */
export async function toEmailChoice(e: TestEmulator, login: string): Promise<{ session: IdxSession; reply: Reply }> {
  const { session, first } = await begin(e);
  const recovered = await submit(e, first.body.currentAuthenticator.value.recover);
  expect(remediations(recovered.body)).toEqual(['identify-recovery']);
  const reply = await submit(e, formOf(recovered.body, 'identify-recovery'), { identifier: login });
  return { session, reply };
}

/** …then the email challenge (§4.1): the code is sent. */
export async function toEmailChallenge(e: TestEmulator, login: string): Promise<{ session: IdxSession; reply: Reply }> {
  const { session, reply: choice } = await toEmailChoice(e, login);
  expect(choice.status).toBe(200);
  const form = formOf(choice.body, 'authenticator-verification-data');
  const id = form.value[0].form.value.find((f: { name: string }) => f.name === 'id').value;
  const reply = await submit(e, form, { authenticator: { id, methodType: 'email' } });
  expect(reply.status).toBe(200);
  return { session, reply };
}

/** …then the right code (§4.2): the security question or the new password. */
export async function afterCode(e: TestEmulator, login: string): Promise<{ session: IdxSession; reply: Reply }> {
  const { session, reply: challenge } = await toEmailChallenge(e, login);
  const otp = e.idx.lastOtp(login);
  const reply = await submit(e, formOf(challenge.body, 'challenge-authenticator'), { credentials: { passcode: otp } });
  expect(reply.status).toBe(200);
  return { session, reply };
}

/** alice through the code and her question (§7) to `reset-authenticator`. */
export async function toNewPassword(e: TestEmulator, login = 'alice@example.com', answer = 'Brussels sprouts'): Promise<{ session: IdxSession; reply: Reply }> {
  const { session, reply: next } = await afterCode(e, login);
  if (remediations(next.body)[0] === 'reset-authenticator') return { session, reply: next };
  const form = formOf(next.body, 'challenge-authenticator');
  const questionKey = form.value[0].form.value[0].value;
  const reply = await submit(e, form, { credentials: { questionKey, answer } });
  expect(reply.status).toBe(200);
  return { session, reply };
}
