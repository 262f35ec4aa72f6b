/**
 * The IDX response envelope ("ION", IDX contract §2.2) and how to read it. Checked loosely at the
 * boundary: Okta adds members over time, and only what recovery needs is required. Everything
 * here is about the wire format; the engine (engine.ts) decides what it means.
 */
import { arrayOf, boolean, number, object, optional, string, unknown, type Check } from './ion-check.js';

export interface IonMessage {
  readonly message?: string | undefined;
  readonly i18n?: { readonly key: string; readonly params?: readonly unknown[] | undefined } | undefined;
  readonly class?: string | undefined;
}

export interface IonField {
  readonly name: string;
  readonly label?: string | undefined;
  readonly value?: unknown;
  readonly mutable?: boolean | undefined;
  readonly required?: boolean | undefined;
  readonly minLength?: number | undefined;
  readonly maxLength?: number | undefined;
  readonly format?: string | undefined;
  readonly form?: { readonly value: readonly IonField[] } | undefined;
  readonly options?: readonly IonOption[] | undefined;
  readonly messages?: { readonly value: readonly IonMessage[] } | undefined;
}

export interface IonOption {
  readonly label?: string | undefined;
  readonly value?: unknown;
  readonly relatesTo?: unknown;
}

/** A form (remediation) or an action (resend, recover, cancel): where to POST, and what. */
export interface IonForm {
  readonly name?: string | undefined;
  readonly href: string;
  readonly relatesTo?: readonly string[] | undefined;
  readonly value?: readonly IonField[] | undefined;
}

/** An authenticator or enrollment object, with the actions Okta nests in it. */
export interface IonAuthenticator {
  readonly id?: string | undefined;
  readonly key?: string | undefined;
  readonly type?: string | undefined;
  readonly recover?: IonForm | undefined;
  readonly resend?: IonForm | undefined;
  readonly settings?: unknown;
  readonly contextualData?: { readonly enrolledQuestion?: { readonly questionKey?: string | undefined; readonly question?: string | undefined } | undefined } | undefined;
}

type Wrapped<T> = { readonly value: T } | undefined;

export interface Ion {
  readonly version: string;
  readonly stateHandle?: string | undefined;
  readonly expiresAt?: string | undefined;
  readonly remediation?: Wrapped<readonly IonForm[]>;
  readonly messages?: Wrapped<readonly IonMessage[]>;
  readonly currentAuthenticator?: Wrapped<IonAuthenticator>;
  readonly currentAuthenticatorEnrollment?: Wrapped<IonAuthenticator>;
  readonly recoveryAuthenticator?: Wrapped<IonAuthenticator>;
  readonly authenticators?: Wrapped<readonly IonAuthenticator[]>;
  readonly authenticatorEnrollments?: Wrapped<readonly IonAuthenticator[]>;
  readonly user?: Wrapped<{ readonly identifier?: string | undefined; readonly profile?: Readonly<Record<string, unknown>> | undefined }>;
  readonly cancel?: IonForm | undefined;
  readonly successWithInteractionCode?: IonForm | undefined;
}

// The shape each interface above promises, checked in place: the answer is used as JSON.parse
// built it, where a schema library would copy every object it validates (most of an IDX answer
// is forms the engine never reads).
const message = object({ message: optional(string), i18n: optional(object({ key: string, params: optional(arrayOf(unknown)) })), class: optional(string) });
const messages = object({ value: arrayOf(message) });
const option = object({ label: optional(string), value: unknown, relatesTo: unknown });
const field: Check = object({
  name: string,
  label: optional(string),
  value: unknown,
  mutable: optional(boolean),
  required: optional(boolean),
  minLength: optional(number),
  maxLength: optional(number),
  format: optional(string),
  form: optional(object({ value: arrayOf((value) => field(value)) })),
  options: optional(arrayOf(option)),
  messages: optional(messages),
});
const form = object({ name: optional(string), href: string, relatesTo: optional(arrayOf(string)), value: optional(arrayOf(field)) });
const authenticator = object({
  id: optional(string),
  key: optional(string),
  type: optional(string),
  recover: optional(form),
  resend: optional(form),
  settings: unknown,
  contextualData: optional(object({ enrolledQuestion: optional(object({ questionKey: optional(string), question: optional(string) })) })),
});
const wrapped = (check: Check): Check => optional(object({ value: check }));

/** Whether `body` is an ION answer this service can read (Ion above); nothing is copied. */
const ion = object({
    version: string,
    stateHandle: optional(string),
    expiresAt: optional(string),
    remediation: wrapped(arrayOf(form)),
    messages: optional(messages),
    currentAuthenticator: wrapped(authenticator),
    currentAuthenticatorEnrollment: wrapped(authenticator),
    recoveryAuthenticator: wrapped(authenticator),
    authenticators: wrapped(arrayOf(authenticator)),
    authenticatorEnrollments: wrapped(arrayOf(authenticator)),
    user: wrapped(object({ identifier: optional(string), profile: optional(object({})) })),
    cancel: optional(form),
  successWithInteractionCode: optional(form),
});
export const isIonAnswer = (body: unknown): body is Ion => ion(body);

export function remediationNamed(ion: Ion, name: string): IonForm | undefined {
  return ion.remediation?.value.find((form) => form.name === name);
}

/** Every message in the answer: the global ones and those on any field, however nested. */
function allMessages(ion: Ion): IonMessage[] {
  const messages: IonMessage[] = [...(ion.messages?.value ?? [])];
  const walk = (fields: readonly IonField[] | undefined): void =>
    fields?.forEach((field) => {
      messages.push(...(field.messages?.value ?? []));
      walk(field.form?.value);
    });
  ion.remediation?.value.forEach((form) => walk(form.value));
  return messages;
}

/** Every i18n key in the answer: global messages and the messages on any field, however nested. */
export function messageKeys(ion: Ion): string[] {
  return allMessages(ion).flatMap((m) => (m.i18n?.key ? [m.i18n.key] : []));
}

/** Okta's own words for the messages with these keys (field or global), for the password page. */
export function messageTexts(ion: Ion, keys: readonly string[]): string[] {
  return allMessages(ion).flatMap((m) => (m.i18n?.key && keys.includes(m.i18n.key) && m.message ? [m.message] : []));
}

/** The stateHandle to send next: the form's own immutable field wins over the top level (§2.3). */
export function stateHandleOf(ion: Ion, form?: IonForm): string | undefined {
  const field = form?.value?.find((f) => f.name === 'stateHandle');
  return typeof field?.value === 'string' ? field.value : ion.stateHandle;
}

/**
 * A request body from a form, as every Okta client builds it (§2.3): the caller's values, nested
 * like the form, and every immutable field's given value, which wins.
 */
export function bodyOf(fields: readonly IonField[] | undefined, values: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields ?? []) {
    if (field.mutable === false && field.value !== undefined) body[field.name] = field.value;
    else if (field.name in values) {
      const given = values[field.name];
      body[field.name] = field.form && given && typeof given === 'object' ? bodyOf(field.form.value, given as Record<string, unknown>) : given;
    }
  }
  return body;
}

function findField(fields: readonly IonField[] | undefined, path: readonly string[]): IonField | undefined {
  const [head, ...rest] = path;
  const field = fields?.find((f) => f.name === head);
  return rest.length === 0 ? field : findField(field?.form?.value, rest);
}

export function fieldAt(form: IonForm, path: readonly string[]): IonField | undefined {
  return findField(form.value, path);
}

/** Resolves the JSONPaths Okta uses in relatesTo ("$.authenticators.value[0]"). */
function resolve(ion: Ion, path: unknown): IonAuthenticator | undefined {
  if (typeof path !== 'string') return undefined;
  const match = /^\$\.(authenticators|authenticatorEnrollments)\.value\[(\d+)\]$/.exec(path);
  if (match) return ion[match[1] as 'authenticators' | 'authenticatorEnrollments']?.value[Number(match[2])];
  const single = /^\$\.(currentAuthenticator|currentAuthenticatorEnrollment)$/.exec(path);
  return single ? ion[single[1] as 'currentAuthenticator' | 'currentAuthenticatorEnrollment']?.value : undefined;
}

/** key first, type as a fallback: 2021 captures have no key (§9.2). */
export function isKind(authenticator: IonAuthenticator | undefined, kind: 'email' | 'password' | 'security_question'): boolean {
  const key = { email: 'okta_email', password: 'okta_password', security_question: 'security_question' }[kind];
  return authenticator?.key === key || (authenticator?.key === undefined && authenticator?.type === kind);
}

/**
 * The `authenticator` value that selects `kind` in a select-authenticator-authenticate or
 * authenticator-verification-data form: `{id, methodType}`, id being the authenticator's (§4.1).
 */
export function authenticatorChoice(ion: Ion, form: IonForm, kind: 'email' | 'password'): { id: string; methodType: string } | undefined {
  const field = fieldAt(form, ['authenticator']);
  if (!field) return undefined;
  const candidates: { fields: readonly IonField[]; relatesTo: unknown; label?: string | undefined }[] = [];
  if (field.form) candidates.push({ fields: field.form.value, relatesTo: form.relatesTo?.[0] });
  for (const option of field.options ?? []) {
    const value = option.value as { form?: { value?: IonField[] } } | undefined;
    if (value?.form?.value) candidates.push({ fields: value.form.value, relatesTo: option.relatesTo, label: option.label });
  }
  for (const candidate of candidates) {
    const id = candidate.fields.find((f) => f.name === 'id')?.value;
    const method = candidate.fields.find((f) => f.name === 'methodType');
    const methods = [method?.value, ...(method?.options ?? []).map((o) => o.value)].filter((v): v is string => typeof v === 'string');
    const related = resolve(ion, candidate.relatesTo);
    const fits = methods.includes(kind) || isKind(related, kind) || (methods.length === 0 && candidate.label?.toLowerCase() === kind);
    if (typeof id === 'string' && fits) return { id, methodType: kind };
  }
  return undefined;
}

/** The authenticator the answer form relates to (the email, the question, the password). */
export function relatedAuthenticator(ion: Ion, form: IonForm): IonAuthenticator | undefined {
  return resolve(ion, form.relatesTo?.[0]);
}
