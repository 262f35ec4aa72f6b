import { unsupportedRuntime } from '../../src/runtime.js';

describe('unsupportedRuntime', () => {
  it('accepts the supported Node lines', () => {
    for (const version of ['22.0.0', '22.20.1', '24.22.3', '26.1.0', 'v24.1.0']) expect(unsupportedRuntime(version)).toBeUndefined();
  });

  it('names the Node it found and the oldest it runs on', () => {
    expect(unsupportedRuntime('20.20.2')).toMatch(/^Node 20\.20\.2 is older than 22, .*Node 22, 24 or 26/);
    expect(unsupportedRuntime('18.19.0')).toMatch(/^Node 18\.19\.0 is older than 22/);
    expect(unsupportedRuntime('not-a-version')).toMatch(/older than 22/);
  });
});
