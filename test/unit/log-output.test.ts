/**
 * The log writer batches lines (src/log-output.ts): what matters to an operator is that no line is
 * held back for long when traffic is light, and that the exit flush writes everything accepted.
 */
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import { createLogOutput } from '../../src/log-output.js';
import { until } from '../helpers/until.js';

const files: number[] = [];
function logFile(): { fd: number; text: () => string } {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'log-output-')), 'out.log');
  const fd = openSync(file, 'a');
  files.push(fd);
  return { fd, text: () => readFileSync(file, 'utf8') };
}
afterAll(() => files.forEach((fd) => closeSync(fd)));

const line = (i: number) => `${JSON.stringify({ level: 30, msg: 'request', i, path: '/api/recovery/start' })}\n`;

it('writes a lone line a moment later, without waiting for a batch to fill', async () => {
  const { fd, text } = logFile();
  const output = createLogOutput(fd);
  output.write(line(1));
  // Well under the batch size: only the writer's timer can take it out.
  await until(() => text() === line(1), 'the lone line on disk', 5_000);
});

it('has written every accepted line, in order, when flush resolves', async () => {
  // The writer's timer stands still here: flush alone must write the lines a batch left waiting.
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  const { fd, text } = logFile();
  const output = createLogOutput(fd);
  const expected: string[] = [];
  // Several full batches.
  for (let i = 0; i < 333; i += 1) {
    expected.push(line(i));
    output.write(line(i));
  }
  await output.flush(5_000);
  expect(text()).toBe(expected.join(''));
  // And a few lines, far from a batch, after the writer has gone quiet.
  for (let i = 333; i < 336; i += 1) {
    expected.push(line(i));
    output.write(line(i));
  }
  await output.flush(5_000);
  expect(text()).toBe(expected.join(''));
  expect(output.droppedLines).toBe(0);
  jest.useRealTimers();
});
