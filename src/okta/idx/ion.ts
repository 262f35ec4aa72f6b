/**
 * The IDX response envelope ("ION", IDX contract §2.2) and how to read it. Checked loosely at the
 * boundary: Okta adds members over time, and only what recovery needs is required. Everything
 * here is about the wire format; the engine (engine.ts) decides what it means.
 */
import { arrayOf, boolean, number, object, optional, string, unknown, type Check } from '../shape-check.js';

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

// The readers below walk Okta's arrays with indexed loops and no callbacks: each is called several
// times per answer, and a `find` with a closure, an `?? []` or a for-of iterator per call made
// them allocate more than the values they return.

/** The member of `list` whose `name` is `name`. */
function named<T extends { readonly name?: string | undefined }>(list: readonly T[] | undefined, name: string): T | undefined {
  if (list) for (let i = 0; i < list.length; i += 1) if ((list[i] as T).name === name) return list[i];
  return undefined;
}

export function remediationNamed(ion: Ion, name: string): IonForm | undefined {
  return named(ion.remediation?.value, name);
}

/**
 * Calls `visit` with every message in the answer: the global ones and those on any field, however
 * nested (most fields have none).
 */
function eachMessage<T>(ion: Ion, visit: (message: IonMessage, into: T) => void, into: T): void {
  visitAll(ion.messages?.value, visit, into);
  const forms = ion.remediation?.value;
  if (forms) for (let i = 0; i < forms.length; i += 1) visitFields(forms[i]?.value, visit, into);
}

function visitFields<T>(fields: readonly IonField[] | undefined, visit: (message: IonMessage, into: T) => void, into: T): void {
  if (!fields) return;
  for (let i = 0; i < fields.length; i += 1) {
    const field = fields[i] as IonField;
    visitAll(field.messages?.value, visit, into);
    visitFields(field.form?.value, visit, into);
  }
}

function visitAll<T>(messages: readonly IonMessage[] | undefined, visit: (message: IonMessage, into: T) => void, into: T): void {
  if (messages) for (let i = 0; i < messages.length; i += 1) visit(messages[i] as IonMessage, into);
}

// Made once: the engine asks for an answer's keys at every step.
const pushKey = (message: IonMessage, keys: string[]): void => {
  if (message.i18n?.key) keys.push(message.i18n.key);
};

/** Every i18n key in the answer: global messages and the messages on any field, however nested. */
export function messageKeys(ion: Ion): string[] {
  const keys: string[] = [];
  eachMessage(ion, pushKey, keys);
  return keys;
}

/** Okta's own words for the messages with these keys (field or global), for the password page. */
export function messageTexts(ion: Ion, keys: readonly string[]): string[] {
  const texts: string[] = [];
  eachMessage(
    ion,
    (message) => {
      if (message.i18n?.key && keys.includes(message.i18n.key) && message.message) texts.push(message.message);
    },
    undefined,
  );
  return texts;
}

/** The stateHandle to send next: the form's own immutable field wins over the top level (§2.3). */
export function stateHandleOf(ion: Ion, form?: IonForm): string | undefined {
  const field = named(form?.value, 'stateHandle');
  return typeof field?.value === 'string' ? field.value : ion.stateHandle;
}

/**
 * A request body from a form, as every Okta client builds it (§2.3): the caller's values, nested
 * like the form, and every immutable field's given value, which wins.
 */
export function bodyOf(fields: readonly IonField[] | undefined, values: Record<string, unknown>): Record<string, unknown> {
  // Field names are Okta's: with no prototype, a field named `__proto__` (or `toString`) is a
  // member of the body like any other, never the body's prototype or an inherited value.
  const body: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (fields === undefined) return body;
  for (let i = 0; i < fields.length; i += 1) {
    const field = fields[i] as IonField;
    if (field.mutable === false && field.value !== undefined) body[field.name] = field.value;
    else if (Object.hasOwn(values, field.name)) {
      const given = values[field.name];
      body[field.name] = field.form && given && typeof given === 'object' ? bodyOf(field.form.value, given as Record<string, unknown>) : given;
    }
  }
  return body;
}

export function fieldAt(form: IonForm, path: readonly string[]): IonField | undefined {
  let fields = form.value;
  let field: IonField | undefined;
  for (let i = 0; i < path.length; i += 1) {
    field = named(fields, path[i] as string);
    fields = field?.form?.value;
  }
  return field;
}

/** Resolves the JSONPaths Okta uses in relatesTo ("$.authenticators.value[0]"). */
function resolve(ion: Ion, path: unknown): IonAuthenticator | undefined {
  if (typeof path !== 'string') return undefined;
  const match = /^\$\.(authenticators|authenticatorEnrollments)\.value\[(\d+)\]$/.exec(path);
  if (match) return ion[match[1] as 'authenticators' | 'authenticatorEnrollments']?.value[Number(match[2])];
  const single = /^\$\.(currentAuthenticator|currentAuthenticatorEnrollment)$/.exec(path);
  return single ? ion[single[1] as 'currentAuthenticator' | 'currentAuthenticatorEnrollment']?.value : undefined;
}

const KEY_OF = { email: 'okta_email', password: 'okta_password', security_question: 'security_question' } as const;

/** key first, type as a fallback: 2021 captures have no key (§9.2). */
export function isKind(authenticator: IonAuthenticator | undefined, kind: 'email' | 'password' | 'security_question'): boolean {
  const key = KEY_OF[kind];
  return authenticator?.key === key || (authenticator?.key === undefined && authenticator?.type === kind);
}

/**
 * The `authenticator` value that selects `kind` in a select-authenticator-authenticate or
 * authenticator-verification-data form: `{id, methodType}`, id being the authenticator's (§4.1).
 */
export function authenticatorChoice(ion: Ion, form: IonForm, kind: 'email' | 'password'): { id: string; methodType: string } | undefined {
  const field = fieldAt(form, ['authenticator']);
  if (!field) return undefined;
  let id = field.form ? idSelecting(ion, field.form.value, form.relatesTo?.[0], undefined, kind) : undefined;
  const options = field.options;
  for (let i = 0; options !== undefined && i < options.length && id === undefined; i += 1) {
    const option = options[i] as IonOption;
    const value = option.value as { form?: { value?: unknown } } | null | undefined;
    id = idSelecting(ion, value?.form?.value, option.relatesTo, option.label, kind);
  }
  return id === undefined ? undefined : { id, methodType: kind };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The first object in `fields` named `name`: an option's form is unchecked, so anything else is passed over. */
function recordNamed(fields: readonly unknown[], name: string): Record<string, unknown> | undefined {
  for (let i = 0; i < fields.length; i += 1) {
    const field = fields[i];
    if (isRecord(field) && field.name === name) return field;
  }
  return undefined;
}

/**
 * The id in one candidate form (its `id` and `methodType` fields) when the candidate selects
 * `kind`: by a method named `kind`, by the authenticator it relates to, or, naming no method, by
 * its label. An option's form is not in the checked shape (IonOption.value), so it is read
 * warily: anything but fields is no candidate, never a crash.
 */
function idSelecting(ion: Ion, fields: unknown, relatesTo: unknown, label: string | undefined, kind: 'email' | 'password'): string | undefined {
  if (!Array.isArray(fields)) return undefined;
  const id = recordNamed(fields, 'id')?.value;
  if (typeof id !== 'string') return undefined;
  const method = recordNamed(fields, 'methodType');
  let methods = 0;
  let fits = false;
  // The method's own value, then each of its options' values: the strings among them are methods.
  const options = Array.isArray(method?.options) ? (method.options as unknown[]) : undefined;
  for (let i = -1; i < (options?.length ?? 0); i += 1) {
    const option = i < 0 ? method : options?.[i];
    const value = isRecord(option) ? option.value : undefined;
    if (typeof value !== 'string') continue;
    methods += 1;
    fits ||= value === kind;
  }
  return fits || isKind(resolve(ion, relatesTo), kind) || (methods === 0 && label?.toLowerCase() === kind) ? id : undefined;
}

/** The authenticator the answer form relates to (the email, the question, the password). */
export function relatedAuthenticator(ion: Ion, form: IonForm): IonAuthenticator | undefined {
  return resolve(ion, form.relatesTo?.[0]);
}
