/**
 * zod schemas for what Okta's Classic authn API returns (../shared/okta-authn-contract.md §0–§4).
 * Parse at the boundary: nothing past okta/ sees raw Okta JSON. Schemas are deliberately loose
 * where real orgs and the docs disagree (excludeUsername as boolean or "true", policy.expiration
 * absent, errorCauses absent, factorType casing), and strict only on what the flow needs.
 */
import { z } from 'zod';

const hrefLink = z.object({ href: z.string(), name: z.string().optional() }).loose();

/** Contract §3.2: values ≤ 0 mean "no requirement"; excludeUsername may be a boolean or "true". */
export const passwordPolicySchema = z
  .object({
    complexity: z
      .object({
        minLength: z.number().optional(),
        minLowerCase: z.number().optional(),
        minUpperCase: z.number().optional(),
        minNumber: z.number().optional(),
        minSymbol: z.number().optional(),
        excludeUsername: z.union([z.boolean(), z.string()]).optional(),
        excludeAttributes: z.array(z.string()).optional(),
      })
      .loose()
      .optional(),
    age: z.object({ minAgeMinutes: z.number().optional(), historyCount: z.number().optional() }).loose().optional(),
  })
  .loose();
export type OktaPasswordPolicy = z.infer<typeof passwordPolicySchema>;

const userSchema = z
  .object({
    id: z.string().optional(),
    profile: z
      .object({
        login: z.string().optional(),
        firstName: z.string().nullish(),
        lastName: z.string().nullish(),
        locale: z.string().nullish(),
      })
      .loose()
      .optional(),
    recovery_question: z.object({ question: z.string() }).loose().nullish(),
  })
  .loose();

/** The recovery transaction object (contract §0, "Recovery transaction object"). */
export const transactionSchema = z
  .object({
    status: z.string(),
    stateToken: z.string().nullish(),
    recoveryToken: z.string().nullish(),
    expiresAt: z.string().nullish(),
    relayState: z.string().nullish(),
    factorType: z.string().nullish(),
    recoveryType: z.string().nullish(),
    _embedded: z
      .object({ user: userSchema.optional(), policy: passwordPolicySchema.optional() })
      .loose()
      .optional(),
    _links: z.record(z.string(), z.union([hrefLink, z.array(hrefLink)])).optional(),
  })
  .loose();
export type OktaTransaction = z.infer<typeof transactionSchema>;
