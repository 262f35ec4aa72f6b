/**
 * ION building blocks of every IDX body (contract §2.2): forms with `rel/name/href/method/
 * produces/accepts`, the immutable `stateHandle` field each form carries (§11.3), messages, and
 * `{type, value}` wrappers. Hrefs are built from the emulator's own origin (§11.3).
 */
import type { IdxMessage } from './transactions.js';

/** §2.1 / §11.3: what IDX answers with, and what its forms say they accept. */
export const ION_TYPE = 'application/ion+json; okta-version=1.0.0';
export const FORM_ACCEPTS = 'application/json; okta-version=1.0.0';
export const IDX_VERSION = '1.0.0';

export type Json = Record<string, unknown>;
export type Field = Json;

export const obj = (value: unknown): Json => ({ type: 'object', value });
export const arr = (value: unknown[]): Json => ({ type: 'array', value });

export function stateHandleField(stateHandle: string): Field {
  return { name: 'stateHandle', required: true, value: stateHandle, visible: false, mutable: false };
}

export interface FormSpec {
  name: string;
  path: string;
  fields?: Field[];
  relatesTo?: string[];
  refresh?: number;
}

/** A remediation or action form (§2.2 "Remediation object"), always ending with the stateHandle field. */
export function form(origin: string, stateHandle: string, spec: FormSpec): Json {
  return {
    rel: ['create-form'],
    name: spec.name,
    ...(spec.relatesTo ? { relatesTo: spec.relatesTo } : {}),
    href: `${origin}${spec.path}`,
    method: 'POST',
    produces: ION_TYPE,
    ...(spec.refresh !== undefined ? { refresh: spec.refresh } : {}),
    value: [...(spec.fields ?? []), stateHandleField(stateHandle)],
    accepts: FORM_ACCEPTS,
  };
}

export function message(cls: IdxMessage['class'], key: string, text: string, params?: unknown[]): IdxMessage {
  return { message: text, i18n: params === undefined ? { key } : { key, params }, class: cls };
}

/** A nested object field (`credentials`, `authenticator`): `{name, type: object, form: {value}}`. */
export function objectField(name: string, fields: Field[], extra: Json = {}): Field {
  return { name, type: 'object', form: { value: fields }, required: true, ...extra };
}

/**
 * Attaches a field message (§2.2: field errors live under the field's `messages`) to the field at
 * `path` (e.g. ['credentials', 'passcode']) of the first remediation, as Okta does [F-07, F-08c, F-11b].
 */
export function withFieldMessage(body: Json, path: string[], msg: IdxMessage): Json {
  const remediation = (body['remediation'] as { value: Array<{ value: Field[] }> } | undefined)?.value[0];
  let fields: Field[] | undefined = remediation?.value;
  let target: Field | undefined;
  for (const name of path) {
    target = fields?.find((f) => f['name'] === name);
    fields = (target?.['form'] as { value: Field[] } | undefined)?.value;
  }
  if (target) target['messages'] = arr([msg]);
  return body;
}

/** "r***r@threeheadz.com" (§3.2 [F-06b]): first and last character of the local part. */
export function maskEmail(email: string): string {
  const at = email.indexOf('@');
  if (at < 1) return email;
  const local = email.slice(0, at);
  return `${local[0]}***${local.length > 1 ? local[local.length - 1] : ''}${email.slice(at)}`;
}
