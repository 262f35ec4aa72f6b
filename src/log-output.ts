/**
 * Where log lines go: stdout, written asynchronously by sonic-boom (pino's own writer), with two
 * differences from pino's default that keep a dead log pipe from holding the process hostage.
 *
 * pino's default flushes stdout *synchronously* at exit and retries a write that did not go
 * through until it does: with the pipe full (the log shipper stalled) or its reader gone, that
 * loop never ends, and since it blocks the event loop, SIGTERM and even a second SIGTERM are
 * never handled. Here:
 * - a line the pipe cannot take yet waits in a bounded buffer; beyond it, lines are dropped
 *   (counted) rather than growing memory without end;
 * - the first write error (EPIPE: nobody reads any more) ends output for good, silently: there is
 *   nowhere left to say it;
 * - the final flush at exit waits for the buffer to drain for a bounded time, asynchronously, so
 *   signals are still handled while it waits.
 *
 * Lines are handed over as Buffers (sonic-boom's buffer mode): in string mode it appends each
 * line to the string waiting for the write under way and measures that string's byte length,
 * which flattens (copies) it on every line: up to 16 KiB copied per line while a write is under
 * way, 8 % of all the service allocated in the bench's CPU-bound run (README "Benchmark").
 * Buffers are collected in a list and joined once per write.
 *
 * Lines are written in batches: once BATCH_BYTES are waiting, or BATCH_WAIT_MS after a line
 * arrived, whichever comes first. One write per line was one system call and one thread-pool
 * round trip per request, 4 % of the busy CPU at saturation (README "Benchmark"); a line now
 * reaches stdout at most BATCH_WAIT_MS late. The exit flush writes what is waiting; a crash loses
 * at most that much.
 */
import type { DestinationStream } from 'pino';
import sonicBoom from 'sonic-boom';

// A CommonJS package: Node's ESM loader sees only its default export, the class hangs off it.
const { SonicBoom } = sonicBoom;

/** What a stalled reader may cost us in memory before lines are dropped. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** About twenty access lines; sonic-boom wants it below its largest single write (16 KiB). */
const BATCH_BYTES = 8 * 1024;
/** How late a line may reach stdout when fewer than BATCH_BYTES are waiting. */
const BATCH_WAIT_MS = 200;

export interface LogOutput extends DestinationStream {
  /** Resolves once every accepted line is written, the output is closed, or `timeoutMs` passed. */
  flush(timeoutMs: number): Promise<void>;
  /** Lines dropped because the reader fell more than the buffer behind. */
  readonly droppedLines: number;
}

export function createLogOutput(fd = 1): LogOutput {
  const boom = new SonicBoom({ fd, sync: false, minLength: BATCH_BYTES, maxLength: MAX_BUFFERED_BYTES, contentMode: 'buffer' });
  let closed = false;
  let accepted = 0;
  let written = 0;
  let dropped = 0;
  // sonic-boom's own periodicFlush writes an empty buffer each time when nothing waits: this
  // timer asks only when something does. A flush during a write is a no-op; the next tick retries.
  const writeWaiting = () => {
    if (!closed && written < accepted) boom.flush();
  };
  const batchTimer = setInterval(writeWaiting, BATCH_WAIT_MS);
  batchTimer.unref();
  boom.on('error', () => {
    closed = true;
    clearInterval(batchTimer);
  });
  boom.on('write', (bytes: number) => (written += bytes));
  boom.on('drop', () => (dropped += 1));

  return {
    write(line: string) {
      if (closed) return;
      const bytes = Buffer.from(line);
      const before = dropped;
      boom.write(bytes as unknown as string); // sonic-boom's types name strings only; buffer mode takes Buffers
      if (dropped === before) accepted += bytes.length;
    },
    get droppedLines() {
      return dropped;
    },
    flush(timeoutMs) {
      if (closed || written >= accepted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          boom.off('drain', onDrain);
          boom.off('error', done);
          resolve();
        };
        // 'drain' also comes when a write ends with less than a batch waiting: write that too.
        const onDrain = () => {
          if (written >= accepted) done();
          else writeWaiting();
        };
        const timer = setTimeout(done, timeoutMs);
        boom.on('drain', onDrain);
        boom.on('error', done);
        writeWaiting();
      });
    },
  };
}
