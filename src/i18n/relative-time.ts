/**
 * "In 10 minutes" in the user's language, for pages that say when to come back: Intl's relative
 * time format carries each language's plural forms and word order, so the catalogues hold one
 * sentence with a {when} and no unit words of their own.
 */

/** Languages the runtime's ICU data lacks: Haitian Creole marks no plural, so one form per unit is right. */
const WITHOUT_ICU: Readonly<Record<string, Readonly<Record<Unit, string>>>> = {
  ht: { second: 'nan {n} segonn', minute: 'nan {n} minit', hour: 'nan {n} èdtan', day: 'nan {n} jou' },
};

type Unit = 'second' | 'minute' | 'hour' | 'day';

/** The unit a person would use: seconds under two minutes, minutes under two hours; always rounded up, never sooner than true. */
function inUnits(seconds: number): { value: number; unit: Unit } {
  if (seconds < 120) return { value: Math.max(1, Math.ceil(seconds)), unit: 'second' };
  if (seconds < 7200) return { value: Math.ceil(seconds / 60), unit: 'minute' };
  return { value: Math.ceil(seconds / 3600), unit: 'hour' };
}

export function inTime(locale: string, seconds: number): string {
  return format(locale, inUnits(seconds));
}

/**
 * A lifetime someone configured ("expires in 1 hour", "in 7 days", "in 90 minutes"): the
 * largest unit that says it exactly, since it is a setting, not a wait to round up.
 */
export function inLifetime(locale: string, minutes: number): string {
  if (minutes % 1440 === 0) return format(locale, { value: minutes / 1440, unit: 'day' });
  if (minutes % 60 === 0) return format(locale, { value: minutes / 60, unit: 'hour' });
  return format(locale, { value: minutes, unit: 'minute' });
}

function format(locale: string, { value, unit }: { value: number; unit: Unit }): string {
  const own = WITHOUT_ICU[locale];
  if (own) return own[unit].replace('{n}', String(value));
  return new Intl.RelativeTimeFormat(locale, { numeric: 'always' }).format(value, unit);
}
