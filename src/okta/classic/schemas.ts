/**
 * What Okta's Classic authn API returns (../shared/okta-authn-contract.md §0–§4), checked at the
 * boundary: nothing past okta/ sees raw Okta JSON. The checks are deliberately loose where real
 * orgs and the docs disagree (excludeUsername as boolean or "true", policy.expiration absent,
 * errorCauses absent, factorType casing), and strict only on what the flow reads.
 *
 * Checked in place (../shape-check.ts) rather than parsed with zod: an answer that passes is
 * handed on as it came, where zod's object schemas rebuilt every object of it: about 4 KiB per
 * Okta call, the largest allocation of any step of ours (measured with the bench's heap profile).
 * Every field keeps the rule the zod schema gave it; test/http/api-flow.test.ts sends answers
 * that break them.
 */
import { arrayOf, boolean, either, nullish, number, object, optional, string, valuesOf } from '../shape-check.js';

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

const nullableString = nullish(string);

const complexity = object({
  minLength: optional(number),
  minLowerCase: optional(number),
  minUpperCase: optional(number),
  minNumber: optional(number),
  minSymbol: optional(number),
  excludeUsername: optional(either(boolean, string)),
  excludeAttributes: optional(arrayOf(string)),
});
const passwordPolicy = object({ complexity: optional(complexity), age: optional(object({ minAgeMinutes: optional(number), historyCount: optional(number) })) });
const profile = object({ login: optional(string), firstName: nullableString, lastName: nullableString, locale: nullableString });
const user = object({ id: optional(string), profile: optional(profile), recovery_question: nullish(object({ question: string })) });
const hrefLink = object({ href: string, name: optional(string) });

const transaction = object({
  status: string,
  stateToken: nullableString,
  recoveryToken: nullableString,
  expiresAt: nullableString,
  relayState: nullableString,
  factorType: nullableString,
  recoveryType: nullableString,
  _embedded: optional(object({ user: optional(user), policy: optional(passwordPolicy) })),
  _links: optional(valuesOf(either(hrefLink, arrayOf(hrefLink)))),
});

/** Okta's answer as a transaction, untouched; undefined when it does not have a transaction's shape. */
export function readTransaction(body: unknown): OktaTransaction | undefined {
  return transaction(body) ? (body as OktaTransaction) : undefined;
}
