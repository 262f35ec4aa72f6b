/**
 * The IDX response envelope ("ION", IDX contract §2.2) and how to read it. Parsed loosely at the
 * boundary: Okta adds members over time, and only what recovery needs is required. Everything
 * here is about the wire format; the engine (engine.ts) decides what it means.
 */
import { z } from 'zod';

const messageSchema = z
  .object({
    message: z.string().optional(),
    i18n: z.object({ key: z.string(), params: z.array(z.unknown()).optional() }).loose().optional(),
    class: z.string().optional(),
  })
  .loose();
export type IonMessage = z.infer<typeof messageSchema>;

const messagesSchema = z.object({ value: z.array(messageSchema) }).loose();

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

const fieldSchema: z.ZodType<IonField> = z.lazy(() =>
  z
    .object({
      name: z.string(),
      label: z.string().optional(),
      value: z.unknown().optional(),
      mutable: z.boolean().optional(),
      required: z.boolean().optional(),
      minLength: z.number().optional(),
      maxLength: z.number().optional(),
      format: z.string().optional(),
      form: z.object({ value: z.array(fieldSchema) }).loose().optional(),
      options: z.array(z.object({ label: z.string().optional(), value: z.unknown().optional(), relatesTo: z.unknown().optional() }).loose()).optional(),
      messages: messagesSchema.optional(),
    })
    .loose(),
);

/** A form (remediation) or an action (resend, recover, cancel): where to POST, and what. */
const formSchema = z
  .object({
    name: z.string().optional(),
    href: z.string(),
    relatesTo: z.array(z.string()).optional(),
    value: z.array(fieldSchema).optional(),
  })
  .loose();
export type IonForm = z.infer<typeof formSchema>;

/** An authenticator or enrollment object, with the actions Okta nests in it. */
const authenticatorSchema = z
  .object({
    id: z.string().optional(),
    key: z.string().optional(),
    type: z.string().optional(),
    recover: formSchema.optional(),
    resend: formSchema.optional(),
    settings: z.unknown().optional(),
    contextualData: z
      .object({ enrolledQuestion: z.object({ questionKey: z.string().optional(), question: z.string().optional() }).loose().optional() })
      .loose()
      .optional(),
  })
  .loose();
export type IonAuthenticator = z.infer<typeof authenticatorSchema>;

const wrapped = <T extends z.ZodTypeAny>(schema: T) => z.object({ value: schema }).loose();

export const ionSchema = z
  .object({
    version: z.string(),
    stateHandle: z.string().optional(),
    expiresAt: z.string().optional(),
    remediation: wrapped(z.array(formSchema)).optional(),
    messages: messagesSchema.optional(),
    currentAuthenticator: wrapped(authenticatorSchema).optional(),
    currentAuthenticatorEnrollment: wrapped(authenticatorSchema).optional(),
    recoveryAuthenticator: wrapped(authenticatorSchema).optional(),
    authenticators: wrapped(z.array(authenticatorSchema)).optional(),
    authenticatorEnrollments: wrapped(z.array(authenticatorSchema)).optional(),
    user: wrapped(
      z
        .object({
          identifier: z.string().optional(),
          profile: z.record(z.string(), z.unknown()).optional(),
        })
        .loose(),
    ).optional(),
    cancel: formSchema.optional(),
    successWithInteractionCode: formSchema.optional(),
  })
  .loose();
export type Ion = z.infer<typeof ionSchema>;

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
