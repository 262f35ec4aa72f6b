/**
 * What Okta's Classic authn API returns (../shared/okta-authn-contract.md §0–§4), checked at the
 * boundary: nothing past okta/ sees raw Okta JSON. The checks are deliberately loose where real
 * orgs and the docs disagree (excludeUsername as boolean or "true", policy.expiration absent,
 * errorCauses absent, factorType casing), and strict only on what the flow reads.
 *
 * Hand-written rather than zod: an answer that passes is handed on as it came (a check, not a
 * copy), where zod's object schemas rebuilt every object of it: about 4 KiB per Okta call, the
 * largest allocation of any step of ours (measured with the bench's heap profile). Every field
 * keeps the rule the zod schema gave it; test/http/api-flow.test.ts sends answers that break them.
 */

export interface OktaHrefLink {
  readonly href: string;
  readonly name?: string;
  readonly [key: string]: unknown;
}

/** Contract §3.2: values ≤ 0 mean "no requirement"; excludeUsername may be a boolean or "true". */
export interface OktaPasswordPolicy {
  readonly complexity?: {
    readonly minLength?: number;
    readonly minLowerCase?: number;
    readonly minUpperCase?: number;
    readonly minNumber?: number;
    readonly minSymbol?: number;
    readonly excludeUsername?: boolean | string;
    readonly excludeAttributes?: string[];
    readonly [key: string]: unknown;
  };
  readonly age?: { readonly minAgeMinutes?: number; readonly historyCount?: number; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

interface OktaUser {
  readonly id?: string;
  readonly profile?: {
    readonly login?: string;
    readonly firstName?: string | null;
    readonly lastName?: string | null;
    readonly locale?: string | null;
    readonly [key: string]: unknown;
  };
  readonly recovery_question?: { readonly question: string; readonly [key: string]: unknown } | null;
  readonly [key: string]: unknown;
}

/** The recovery transaction object (contract §0, "Recovery transaction object"). */
export interface OktaTransaction {
  readonly status: string;
  readonly stateToken?: string | null;
  readonly recoveryToken?: string | null;
  readonly expiresAt?: string | null;
  readonly relayState?: string | null;
  readonly factorType?: string | null;
  readonly recoveryType?: string | null;
  readonly _embedded?: { readonly user?: OktaUser; readonly policy?: OktaPasswordPolicy; readonly [key: string]: unknown };
  readonly _links?: Record<string, OktaHrefLink | OktaHrefLink[]>;
  readonly [key: string]: unknown;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
/** Absent (optional), or this kind. */
const optional = (value: unknown, is: (value: unknown) => boolean): boolean => value === undefined || is(value);
/** Absent, null (nullish), or this kind. */
const nullish = (value: unknown, is: (value: unknown) => boolean): boolean => value === undefined || value === null || is(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

const NUMBER_RULES = ['minLength', 'minLowerCase', 'minUpperCase', 'minNumber', 'minSymbol'] as const;

function isComplexity(value: unknown): boolean {
  if (!isObject(value)) return false;
  for (const rule of NUMBER_RULES) if (!optional(value[rule], isNumber)) return false;
  const excludeUsername = value.excludeUsername;
  if (excludeUsername !== undefined && typeof excludeUsername !== 'boolean' && typeof excludeUsername !== 'string') return false;
  const attributes = value.excludeAttributes;
  return attributes === undefined || (Array.isArray(attributes) && attributes.every(isString));
}

const isAge = (value: unknown): boolean => isObject(value) && optional(value.minAgeMinutes, isNumber) && optional(value.historyCount, isNumber);

const isPasswordPolicy = (value: unknown): value is OktaPasswordPolicy =>
  isObject(value) && optional(value.complexity, isComplexity) && optional(value.age, isAge);

const isProfile = (value: unknown): boolean =>
  isObject(value) && optional(value.login, isString) && nullish(value.firstName, isString) && nullish(value.lastName, isString) && nullish(value.locale, isString);

const isQuestion = (value: unknown): boolean => isObject(value) && isString(value.question);

const isUser = (value: unknown): boolean =>
  isObject(value) && optional(value.id, isString) && optional(value.profile, isProfile) && nullish(value.recovery_question, isQuestion);

const isEmbedded = (value: unknown): boolean => isObject(value) && optional(value.user, isUser) && optional(value.policy, isPasswordPolicy);

const isHrefLink = (value: unknown): boolean => isObject(value) && isString(value.href) && optional(value.name, isString);

function isLinks(value: unknown): boolean {
  if (!isObject(value)) return false;
  for (const key in value) {
    const link = value[key];
    if (!(Array.isArray(link) ? link.every(isHrefLink) : isHrefLink(link))) return false;
  }
  return true;
}

const TOKEN_FIELDS = ['stateToken', 'recoveryToken', 'expiresAt', 'relayState', 'factorType', 'recoveryType'] as const;

/** Okta's answer as a transaction, untouched; undefined when it does not have a transaction's shape. */
export function readTransaction(body: unknown): OktaTransaction | undefined {
  if (!isObject(body) || !isString(body.status)) return undefined;
  for (const field of TOKEN_FIELDS) if (!nullish(body[field], isString)) return undefined;
  if (!optional(body._embedded, isEmbedded) || !optional(body._links, isLinks)) return undefined;
  return body as OktaTransaction;
}
