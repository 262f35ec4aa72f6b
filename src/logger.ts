/**
 * Structured JSON logs (pino). Secrets are kept out twice: code never logs them on purpose, and
 * log-redaction.ts catches any that arrive by accident in a logged object (without copying the
 * objects that hold none, which pino's own `redact` did for every line).
 */
import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';
import { createLogOutput, type LogOutput } from './log-output.js';
import { logSerializers, scrubLogObject } from './log-redaction.js';

export function createLogger(options: { level: LogLevel; pretty?: boolean; destination?: DestinationStream }): Logger {
  const settings: pino.LoggerOptions = {
    level: options.level,
    base: undefined,
    formatters: { log: scrubLogObject },
    serializers: logSerializers(),
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
  // Opening process.stdout has libuv put a pipe on fd 1 into non-blocking mode, which the writer's
  // stall handling relies on: on a blocking pipe that is full, its write waits in the kernel on a
  // thread-pool thread, and exit waits for that thread for ever (test/ops/closed-stdout.test.ts).
  // It used to be opened by chance: an ES module importing node:process (got did) reads every
  // property of process, stdout included. This must not depend on which libraries are loaded.
  void process.stdout;
  stdoutOutput ??= createLogOutput(1);
  return stdoutOutput;
}

/** Before exit: give the last lines up to `timeoutMs` to reach stdout, never blocking on a dead pipe. */
export function flushStdoutLogs(timeoutMs: number): Promise<void> {
  return stdoutOutput?.flush(timeoutMs) ?? Promise.resolve();
}
