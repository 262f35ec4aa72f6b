/**
 * Structured JSON logs (pino). Secrets are kept out twice: code never logs them on purpose, and
 * these redaction paths catch any that arrive by accident in a logged object.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

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
  if (options.pretty) return pino({ ...settings, transport: { target: 'pino-pretty', options: { colorize: true } } });
  return pino(settings);
}
