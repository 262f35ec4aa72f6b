/**
 * Seed users: validated with zod whether they come from the demo file, a caller's array or
 * EMULATOR_SEED_FILE, then turned into the store's mutable records.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { mergePolicy } from './policy.js';
import demo from './seed/demo-users.json' with { type: 'json' };
import type { UserRecord } from './store.js';
import type { EmulatorPolicy, SeedUser } from './types.js';

const overridesSchema = z
  .object({
    complexity: z
      .object({
        minLength: z.number(),
        minLowerCase: z.number(),
        minUpperCase: z.number(),
        minNumber: z.number(),
        minSymbol: z.number(),
        excludeUsername: z.boolean(),
        excludeAttributes: z.array(z.enum(['firstName', 'lastName'])),
      })
      .partial()
      .strict(),
    age: z.object({ minAgeMinutes: z.number(), historyCount: z.number() }).partial().strict(),
    requireRecoveryQuestion: z.boolean(),
    maxWrongAnswers: z.number().int().positive(),
    smsRecovery: z.boolean(),
    callRecovery: z.boolean(),
  })
  .partial()
  .strict();

const isoOrNow = z.union([z.literal('now'), z.iso.datetime({ offset: true })]);

export const seedUserSchema = z
  .object({
    id: z.string().min(1),
    login: z.string().min(1),
    email: z.string().min(3),
    firstName: z.string(),
    lastName: z.string(),
    locale: z.string().optional(),
    timeZone: z.string().optional(),
    status: z.enum(['ACTIVE', 'LOCKED_OUT', 'SUSPENDED', 'DEPROVISIONED']),
    password: z.string().min(1),
    passwordHistory: z.array(z.string()).optional(),
    passwordChanged: isoOrNow.nullable().optional(),
    recoveryQuestion: z.object({ question: z.string().min(1), answer: z.string().min(1) }).nullable().optional(),
    phone: z.string().nullable().optional(),
    policy: overridesSchema.optional(),
    /** Demo seeds: what this user shows, for the demo banner (src/demo/banner.ts). */
    demo: z.string().min(1).optional(),
  })
  .strict();

/** Validates users and rejects duplicate ids or logins; `source` names the origin in the message. */
export function parseSeedUsers(data: unknown, source: string): SeedUser[] {
  const result = z.array(seedUserSchema).safeParse(data);
  if (!result.success) throw new Error(`invalid seed users in ${source}: ${z.prettifyError(result.error)}`);
  const seen = new Set<string>();
  for (const u of result.data) {
    for (const key of [`id:${u.id}`, `login:${u.login.toLowerCase()}`]) {
      if (seen.has(key)) throw new Error(`duplicate ${key} in ${source}`);
      seen.add(key);
    }
  }
  return result.data;
}

/** The demo users of seed/demo-users.json (a fresh copy each call). */
export function demoUsers(): SeedUser[] {
  return parseSeedUsers(structuredClone(demo), 'seed/demo-users.json');
}

export async function loadSeedFile(path: string): Promise<SeedUser[]> {
  return parseSeedUsers(JSON.parse(await readFile(path, 'utf8')) as unknown, path);
}

export function toUserRecords(seeds: SeedUser[], clock: Clock, orgPolicy: EmulatorPolicy): UserRecord[] {
  return seeds.map((s) => ({
    id: s.id,
    login: s.login,
    email: s.email,
    firstName: s.firstName,
    lastName: s.lastName,
    locale: s.locale ?? 'en_US',
    timeZone: s.timeZone ?? 'America/Los_Angeles',
    status: s.status,
    password: s.password,
    passwordHistory: [...(s.passwordHistory ?? [])],
    passwordChangedMs: resolveChanged(s.passwordChanged, clock),
    recoveryQuestion: s.recoveryQuestion ? { ...s.recoveryQuestion } : null,
    phone: s.phone ?? null,
    policy: mergePolicy(orgPolicy, s.policy),
    wrongAnswers: 0,
    sessionsRevoked: 0,
    lastRevokeSessions: undefined,
    lastSmsPasscode: undefined,
  }));
}

function resolveChanged(value: string | null | undefined, clock: Clock): number | null {
  if (value === undefined || value === null) return null;
  return value === 'now' ? clock.now() : Date.parse(value);
}
