/**
 * "In 10 minutes" in the user's language, for pages that say when to come back: Intl's relative
 * time format carries each language's plural forms and word order, so the catalogues hold one
 * sentence with a {when} and no unit words of their own.
 */

/** Languages the runtime's ICU data lacks: Haitian Creole marks no plural, so one form per unit is right. */
const WITHOUT_ICU: Readonly<Record<string, Readonly<Record<Unit, string>>>> = {
  ht: { second: 'nan {n} segonn', minute: 'nan {n} minit', hour: 'nan {n} èdtan' },
};

type Unit = 'second' | 'minute' | 'hour';

/** The unit a person would use: seconds under two minutes, minutes under two hours; always rounded up, never sooner than true. */
function inUnits(seconds: number): { value: number; unit: Unit } {
  if (seconds < 120) return { value: Math.max(1, Math.ceil(seconds)), unit: 'second' };
  if (seconds < 7200) return { value: Math.ceil(seconds / 60), unit: 'minute' };
  return { value: Math.ceil(seconds / 3600), unit: 'hour' };
}

export function inTime(locale: string, seconds: number): string {
  const { value, unit } = inUnits(seconds);
  const own = WITHOUT_ICU[locale];
  if (own) return own[unit].replace('{n}', String(value));
  return new Intl.RelativeTimeFormat(locale, { numeric: 'always' }).format(value, unit);
}
