/**
 * The start-up banner of demo mode, generated from the emulator's own data so it cannot drift
 * from what the demo does: every seed user with its status, answer and `demo` sentence (what it
 * demonstrates), and every rule of the password policy in the words the pages use (the English
 * catalogue), with the rules a user's own policy changes.
 */
import type { Config } from '../config.js';
import type { EmulatorPolicy, EmulatorUserView, SeedUser } from '../emulator/index.js';
import type { Catalogue } from '../i18n/catalogue.js';
import { checklistOf, normalisePolicy } from '../recovery/password-policy.js';

export interface BannerFacts {
  readonly config: Config;
  readonly serviceUrl: string;
  readonly emulatorUrl: string;
  readonly idx: boolean;
  readonly seeds: readonly SeedUser[];
  readonly users: readonly EmulatorUserView[];
  readonly orgPolicy: EmulatorPolicy;
  readonly catalogue: Catalogue;
}

/** "At least 8 characters; at least 1 number; …", as the checklist words them in English. */
function rules(catalogue: Catalogue, policy: EmulatorPolicy): string[] {
  return checklistOf(normalisePolicy(policy)).map(({ rule, count }) => catalogue.t('en', `policy.${rule}`, count === undefined ? undefined : { count }));
}

function userLines(facts: BannerFacts, seed: SeedUser, orgRules: readonly string[]): string[] {
  const question = seed.recoveryQuestion ? `answer "${seed.recoveryQuestion.answer}"` : 'no security question';
  const lines = [`    ${seed.login.padEnd(26)} ${seed.status.padEnd(14)} ${question}`];
  if (seed.demo) lines.push(`        ${seed.demo}`);
  const own = facts.users.find((user) => user.login === seed.login)?.policy;
  const extra = own ? rules(facts.catalogue, own).filter((rule) => !orgRules.includes(rule)) : [];
  if (extra.length > 0) lines.push(`        Own password policy: ${extra.join('; ')}.`);
  return lines;
}

const METHOD_WORDS = { email: 'email', sms: 'text message', call: 'voice call' } as const;

/** The paths the pages offer, so the banner names what the newcomer can try (and how to change it). */
function pathLines(config: Config): string[] {
  const unlock = config.unlockMethods.length > 0 ? `by ${config.unlockMethods.map((method) => METHOD_WORDS[method]).join(' or ')}` : 'off';
  return [
    `  Recovery    by ${config.recoveryMethods.map((method) => METHOD_WORDS[method]).join(', ')}   (RECOVERY_METHODS)`,
    `  Unlock      ${unlock}   (SELF_SERVICE_UNLOCK)`,
  ];
}

export function demoBanner(facts: BannerFacts): string {
  const { config, idx } = facts;
  const orgRules = rules(facts.catalogue, facts.orgPolicy);
  return [
    '',
    `  Demo mode: no OKTA_ORG_URL, so this runs against the built-in Okta emulator as ${idx ? 'an Identity Engine org (IDX)' : 'a Classic Engine org'}.`,
    idx ? '  Emails carry a code and a magic link. For Classic: npm start (without OKTA_ENGINE=idx).' : '  For an Identity Engine org (code + magic link): OKTA_ENGINE=idx npm start',
    `  Open        ${config.publicUrl}/forgot-password`,
    `  Mailbox     ${config.publicUrl}/dev/mailbox   (the emails "Okta" sent)`,
    `  Listening   ${facts.serviceUrl}    Okta emulator ${facts.emulatorUrl}`,
    config.http.hostIsExplicit
      ? `  HOST=${config.http.host} is set: the mailbox, with every demo reset link, is reachable from the network.`
      : '  Loopback only: the mailbox shows every demo reset link, so nothing else can reach it (set HOST to change).',
    ...pathLines(config),
    `  Password policy: ${orgRules.join('; ')}.`,
    '  Demo users, and what each one shows:',
    ...facts.seeds.flatMap((seed) => userLines(facts, seed, orgRules)),
    '',
  ].join('\n');
}
