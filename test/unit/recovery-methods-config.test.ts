/** RECOVERY_METHODS and SELF_SERVICE_UNLOCK: read once, in a fixed order, and refused by name when they cannot work. */
import { loadConfig, withEngine } from '../../src/config.js';
import { configErrorFor } from '../helpers/config-error.js';

const ORG = { OKTA_ORG_URL: 'https://acme.okta.example', OKTA_ENGINE: 'classic' };

it('offers email only, and no unlock, by default', () => {
  const config = loadConfig(ORG);
  expect(config.recoveryMethods).toEqual(['email']);
  expect(config.unlockMethods).toEqual([]);
});

it('reads the methods in any case and order, email first, each once', () => {
  expect(loadConfig({ ...ORG, RECOVERY_METHODS: ' CALL, sms,email,sms ' }).recoveryMethods).toEqual(['email', 'sms', 'call']);
  expect(loadConfig({ ...ORG, SELF_SERVICE_UNLOCK: 'sms,email' }).unlockMethods).toEqual(['email', 'sms']);
  expect(loadConfig({ ...ORG, SELF_SERVICE_UNLOCK: 'off' }).unlockMethods).toEqual([]);
});

it.each([
  [{ RECOVERY_METHODS: 'email,carrier-pigeon' }, 'RECOVERY_METHODS'],
  [{ RECOVERY_METHODS: ' , ' }, 'RECOVERY_METHODS'],
  [{ SELF_SERVICE_UNLOCK: 'call' }, 'SELF_SERVICE_UNLOCK'],
])('refuses %j, naming the variable', (environment, variable) => {
  expect(configErrorFor({ ...ORG, ...environment })).toContain(variable);
});

it('refuses phone methods and unlock on an Identity Engine org, named or found by auto', () => {
  const idx = { OKTA_ORG_URL: 'https://acme.okta.example', OKTA_ENGINE: 'idx', OKTA_CLIENT_ID: '0oaclient' };
  expect(configErrorFor({ ...idx, RECOVERY_METHODS: 'email,sms' })).toContain('RECOVERY_METHODS: sms and call are available with the Classic Engine only');
  expect(configErrorFor({ ...idx, SELF_SERVICE_UNLOCK: 'email' })).toContain('SELF_SERVICE_UNLOCK');
  const auto = loadConfig({ OKTA_ORG_URL: 'https://acme.okta.example', OKTA_CLIENT_ID: '0oaclient', RECOVERY_METHODS: 'email,call' });
  expect(() => withEngine(auto, 'idx')).toThrow(/RECOVERY_METHODS/);
  expect(withEngine(auto, 'classic').recoveryMethods).toEqual(['email', 'call']);
});

describe('demo mode (no OKTA_ORG_URL) shows every path unless told otherwise (issue 12)', () => {
  it('offers email, SMS and call, and unlock by email and SMS, when the variables are unset', () => {
    const config = loadConfig({});
    expect(config.recoveryMethods).toEqual(['email', 'sms', 'call']);
    expect(config.unlockMethods).toEqual(['email', 'sms']);
    expect(withEngine(config, 'classic').recoveryMethods).toEqual(['email', 'sms', 'call']);
  });

  it('keeps explicit values', () => {
    const config = loadConfig({ RECOVERY_METHODS: 'email', SELF_SERVICE_UNLOCK: 'off' });
    expect(config.recoveryMethods).toEqual(['email']);
    expect(config.unlockMethods).toEqual([]);
  });

  it('keeps email only and no unlock for an Identity Engine demo, where the others are Classic only', () => {
    const config = loadConfig({ OKTA_ENGINE: 'idx' });
    expect(config.recoveryMethods).toEqual(['email']);
    expect(config.unlockMethods).toEqual([]);
  });
});
