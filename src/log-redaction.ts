/**
 * The log's second line of defence: a secret that reaches a logged object by accident (a token
 * under a key named `token`, a Cookie header under `req.headers`) is written as "[redacted]".
 *
 * Why not pino's `redact` option: with wildcard paths it copies every logged object before
 * writing it, and that copy was ~40 % of all the memory the service allocated per request
 * (README "Benchmark"). This looks first and copies only when there is something to hide: the
 * usual line ({event, method, path, status, ms}) is read, never copied. It covers what the 48
 * paths did: a secret key at the top level, one level down (`*.key`) and two down (`*.*.key`,
 * which includes `req.headers.cookie`).
 */
import pino from 'pino';

/** Key names whose values are secrets wherever they appear (exact spelling, as before). */
export const REDACTED_KEYS = [
  'recoveryToken',
  'stateToken',
  'sessionToken',
  'token',
  'answer',
  'password',
  'newPassword',
  'confirmPassword',
  'authorization',
  'cookie',
  'set-cookie',
  '_csrf',
] as const;

const SECRET_KEYS: ReadonlySet<string> = new Set(REDACTED_KEYS);
const CENSOR = '[redacted]';
/** Keys at depth 0, 1 and 2 are looked at: the reach of the old `*.*.key` paths. */
const DEEPEST = 2;

function walkable(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null || Array.isArray(value) || value instanceof Error;
}

/**
 * `value` itself when it holds no secret within reach (no allocation), otherwise a copy with each
 * secret replaced. An Error that must change becomes what the log would show of it anyway (pino's
 * error serialiser: type, message, stack and its enumerable fields).
 */
export function scrub<T>(value: T, depth = 0, skipKey?: string): T {
  if (!walkable(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key in value) {
    if (key === skipKey || !Object.prototype.hasOwnProperty.call(value, key)) continue;
    const child = value[key];
    let replacement = child;
    if (SECRET_KEYS.has(key) && child !== undefined) replacement = CENSOR;
    else if (depth < DEEPEST) replacement = scrub(child, depth + 1);
    if (replacement === child) continue;
    copy ??= value instanceof Error ? serialisedError(value) : Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : { ...value };
    copy[key] = replacement;
  }
  return (copy ?? value) as T;
}

/**
 * pino's log formatter: the top-level `err` is left to the error serialiser (it needs the Error
 * itself, for its stack), whose output errSerializer() scrubs in turn.
 */
export function scrubLogObject(object: Record<string, unknown>): Record<string, unknown> {
  return scrub(object, 0, 'err');
}

/** pino's view of an error (type, message, stack, enumerable fields) as a plain object. */
function serialisedError(error: Error): Record<string, unknown> {
  return { ...(pino.stdSerializers.err(error) as unknown as Record<string, unknown>) };
}

/**
 * pino's serialisers: the error's, and one per secret key, which is what reaches a child
 * logger's bindings (pino formats those once, at child(), without the log formatter).
 */
export function logSerializers(): Record<string, (value: unknown) => unknown> {
  return { ...Object.fromEntries(REDACTED_KEYS.map((key) => [key, () => CENSOR])), err: errSerializer };
}

function errSerializer(error: unknown): unknown {
  // The error itself is depth 1 of the line, so its fields are looked at one level less deep.
  return scrub(error instanceof Error ? serialisedError(error) : error, 1);
}
