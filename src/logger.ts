/**
 * Structured JSON logs (pino). Secrets are kept out twice: code never logs them on purpose, and
 * these redaction paths catch any that arrive by accident in a logged object.
 */
import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';
import { createLogOutput, type LogOutput } from './log-output.js';

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

export function createLogger(options: { level: LogLevel; pretty?: boolean; destination?: DestinationStream }): Logger {
  const paths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `req.headers["${key}"]`]);
  const settings: pino.LoggerOptions = {
    level: options.level,
    base: undefined,
    redact: { paths, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
  };
  if (options.destination) return pino(settings, options.destination);
  if (options.pretty && prettyPrinterInstalled()) {
    return pino({ ...settings, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino(settings, stdoutLogOutput());
}

/** pino-pretty is a development dependency: a production install (npm ci --omit=dev) has none. */
function prettyPrinterInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

let stdoutOutput: LogOutput | undefined;

/** One writer for fd 1 per process, shared by every logger that writes there. */
function stdoutLogOutput(): LogOutput {
  stdoutOutput ??= createLogOutput(1);
  return stdoutOutput;
}

/** Before exit: give the last lines up to `timeoutMs` to reach stdout, never blocking on a dead pipe. */
export function flushStdoutLogs(timeoutMs: number): Promise<void> {
  return stdoutOutput?.flush(timeoutMs) ?? Promise.resolve();
}
