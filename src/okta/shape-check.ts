/**
 * Shape checks for Okta's JSON as JSON.parse built it, for both engines (Classic's transaction in
 * classic/schemas.ts, IDX's ION in idx/ion.ts): each answers true or false and allocates nothing
 * per value checked, so an answer is validated where it lies and handed on as it came (zod's
 * object schemas rebuilt every object of it). Objects are
 * loose, as Okta adds members over time: only the named members are checked. An array is not an
 * object; an absent member and one set to undefined are alike.
 */
export type Check = (value: unknown) => boolean;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export const string: Check = (value) => typeof value === 'string';
export const number: Check = (value) => typeof value === 'number' && Number.isFinite(value);
export const boolean: Check = (value) => typeof value === 'boolean';
export const unknown: Check = () => true;

export const optional =
  (check: Check): Check =>
  (value) =>
    value === undefined || check(value);

/** Absent, null, or passing `check`. */
export const nullish =
  (check: Check): Check =>
  (value) =>
    value === undefined || value === null || check(value);

/** Passing either check. */
export const either =
  (first: Check, second: Check): Check =>
  (value) =>
    first(value) || second(value);

export const arrayOf =
  (check: Check): Check =>
  (value) => {
    if (!Array.isArray(value)) return false;
    // Indexed: for-of makes an iterator object per array until the optimiser removes it.
    for (let i = 0; i < value.length; i += 1) if (!check(value[i])) return false;
    return true;
  };

/** An object (as a map) whose every member passes `check`. */
export const valuesOf =
  (check: Check): Check =>
  (value) => {
    if (!isRecord(value)) return false;
    for (const name in value) if (!check(value[name])) return false;
    return true;
  };

export function object(shape: Readonly<Record<string, Check>>): Check {
  const names = Object.keys(shape);
  const checks = names.map((name) => shape[name] as Check);
  return (value) => {
    if (!isRecord(value)) return false;
    for (let i = 0; i < names.length; i += 1) if (!(checks[i] as Check)(value[names[i] as string])) return false;
    return true;
  };
}
