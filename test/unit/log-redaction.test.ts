/**
 * The logger's net for secrets that reach a logged object by accident (log-redaction.ts): every
 * place the old `key`, `*.key`, `*.*.key` paths reached is still censored, and nothing else changes.
 * The HTTP-level guarantees (no secret in any line over whole flows) are test/security/log-secrets.
 */
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines };
}

const SECRET = 'sekrit-value-0123456789';

describe('log redaction', () => {
  it('censors a secret key at the top level, one level down and two levels down', () => {
    const { logger, lines } = capture();
    logger.info({ stateToken: SECRET, okta: { recoveryToken: SECRET, body: { answer: SECRET } }, req: { headers: { cookie: SECRET, authorization: SECRET } } }, 'm');
    const line = lines[0]!;
    expect(JSON.stringify(line)).not.toContain(SECRET);
    expect(line.stateToken).toBe('[redacted]');
    expect(line.okta).toEqual({ recoveryToken: '[redacted]', body: { answer: '[redacted]' } });
    expect(line.req).toEqual({ headers: { cookie: '[redacted]', authorization: '[redacted]' } });
  });

  it('censors secrets inside arrays and in child bindings', () => {
    const { logger, lines } = capture();
    logger.child({ token: SECRET }).info({ items: [{ password: SECRET }, 'plain'] }, 'm');
    expect(JSON.stringify(lines[0])).not.toContain(SECRET);
    expect(lines[0]!.items).toEqual([{ password: '[redacted]' }, 'plain']);
  });

  it('keeps an error readable while censoring what it carries', () => {
    const { logger, lines } = capture();
    const error = Object.assign(new Error('Okta said no'), { stateToken: SECRET, response: { sessionToken: SECRET } });
    const inner = Object.assign(new Error('inner'), { stateToken: SECRET });
    logger.error({ event: 'x', err: error, nested: { cause: inner } }, 'failed');
    const line = lines[0]!;
    expect(JSON.stringify(line)).not.toContain(SECRET);
    expect(line.err).toMatchObject({ type: 'Error', message: 'Okta said no', stateToken: '[redacted]', response: { sessionToken: '[redacted]' } });
    expect(String((line.err as { stack: string }).stack)).toContain('Okta said no');
    expect(line.nested).toMatchObject({ cause: { message: 'inner', stateToken: '[redacted]' } });
  });

  it('writes an object without secrets as it is, and never changes the object it was given', () => {
    const { logger, lines } = capture();
    const facts = { event: 'http.request', method: 'POST', path: '/api/recovery/start', status: 202, ms: 3, tokenCount: 1, limits: { answer: undefined } };
    const secretive = { event: 'e', inner: { token: SECRET } };
    logger.info(facts, 'request');
    logger.info(secretive, 'm');
    expect(lines[0]).toMatchObject({ event: 'http.request', method: 'POST', path: '/api/recovery/start', status: 202, ms: 3, tokenCount: 1 });
    expect(secretive.inner.token).toBe(SECRET);
    expect(lines[1]!.inner).toEqual({ token: '[redacted]' });
  });
});
