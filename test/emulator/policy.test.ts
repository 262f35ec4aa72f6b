/**
 * The password policy at `/credentials/reset_password` (contract §3.2, §4.3): every rule, through
 * HTTP, with a policy that has only that rule, so the cause names exactly what was configured.
 */
import type { PolicyOverrides } from '../../src/emulator/index.js';
import { closeAll, emulator, passwordResetState, trustedToken } from './helpers.js';

afterEach(closeAll);

const NONE = {
  complexity: { minLength: 0, minLowerCase: 0, minUpperCase: 0, minNumber: 0, minSymbol: 0, excludeUsername: false, excludeAttributes: [] },
  age: { minAgeMinutes: 0, historyCount: 0 },
} satisfies PolicyOverrides;

function only(rule: PolicyOverrides): PolicyOverrides {
  return {
    complexity: { ...NONE.complexity, ...rule.complexity },
    age: { ...NONE.age, ...rule.age },
  };
}

async function tryPassword(policy: PolicyOverrides, newPassword: string) {
  const e = await emulator({ policy });
  const pr = await passwordResetState(e);
  return e.post('/credentials/reset_password', { stateToken: pr.body.stateToken, newPassword });
}

describe.each([
  ['minLength', only({ complexity: { minLength: 12 } }), 'Short-pw-1', 'Long-enough-pw-1', 'at least 12 characters'],
  ['minLowerCase', only({ complexity: { minLowerCase: 1 } }), 'UPPER-123', 'Lower-123', 'a lowercase letter'],
  ['minLowerCase > 1', only({ complexity: { minLowerCase: 3 } }), 'ABc-dE', 'ABcdef', 'at least 3 lowercase letters'],
  ['minUpperCase', only({ complexity: { minUpperCase: 1 } }), 'lower-123', 'Upper-123', 'an uppercase letter'],
  ['minNumber', only({ complexity: { minNumber: 1 } }), 'No-Digits', 'Digits-1', 'a number'],
  ['minSymbol', only({ complexity: { minSymbol: 1 } }), 'NoSymbol1', 'Symbol#1', 'a symbol'],
  ['excludeUsername', only({ complexity: { excludeUsername: true } }), 'my-ALICE-pw', 'my-other-pw', 'no parts of your username'],
  ['excludeAttributes firstName', only({ complexity: { excludeAttributes: ['firstName'] } }), 'alice-is-me', 'someone-else', 'does not include your first name'],
  ['excludeAttributes lastName', only({ complexity: { excludeAttributes: ['lastName'] } }), 'x-Anderson-y', 'someone-else', 'does not include your last name'],
])('%s', (_rule, policy, bad, good, phrase) => {
  it(`rejects "${bad}" with 403 E0000080 whose cause names the rule`, async () => {
    const res = await tryPassword(policy, bad);
    expect(res.status).toBe(403);
    expect(res.body.errorCode).toBe('E0000080');
    expect(res.body.errorSummary).toBe('The password does not meet the complexity requirements of the current password policy.');
    expect(res.body.errorCauses).toEqual([{ errorSummary: `Password requirements were not met. Password requirements: ${phrase}.` }]);
  });

  it(`accepts "${good}"`, async () => {
    expect((await tryPassword(policy, good)).body.status).toBe('SUCCESS');
  });
});

it('spells out the whole policy exactly as Okta does (SIW PASSWORD_RESET_error)', async () => {
  const policy = {
    complexity: { minLength: 8, minLowerCase: 1, minUpperCase: 1, minNumber: 1, minSymbol: 1, excludeUsername: true, excludeAttributes: ['firstName', 'lastName'] },
    age: { minAgeMinutes: 0, historyCount: 0 },
  } satisfies PolicyOverrides;
  const res = await tryPassword(policy, 'weak');
  expect(res.body.errorCauses).toEqual([
    {
      errorSummary:
        'Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number, a symbol, no parts of your username, does not include your first name, does not include your last name.',
    },
  ]);
});

describe('history (§4.3)', () => {
  it('refuses the current password', async () => {
    const res = await tryPassword({}, 'Wonderland-2024');
    expect([res.status, res.body.errorCode]).toEqual([403, 'E0000080']);
    expect(res.body.errorCauses).toEqual([{ errorSummary: 'Password cannot be your current password' }]);
  });

  it('refuses a password within historyCount, and accepts one beyond it', async () => {
    const tooRecent = await tryPassword({ age: { historyCount: 2 } }, 'Wonderland-2022');
    expect(tooRecent.body.errorCauses).toEqual([{ errorSummary: 'Password has been used too recently' }]);
    expect((await tryPassword({ age: { historyCount: 1 } }, 'Wonderland-2022')).body.status).toBe('SUCCESS');
  });

  it('remembers the password it just replaced', async () => {
    const e = await emulator();
    const first = await passwordResetState(e);
    await e.post('/credentials/reset_password', { stateToken: first.body.stateToken, newPassword: 'Quartz-Lamp-77' });
    const second = await passwordResetState(e);
    const res = await e.post('/credentials/reset_password', { stateToken: second.body.stateToken, newPassword: 'Wonderland-2024' });
    expect(res.body.errorCauses).toEqual([{ errorSummary: 'Password has been used too recently' }]);
    // A failed attempt leaves the state token usable (the user retries with another password).
    const ok = await e.post('/credentials/reset_password', { stateToken: second.body.stateToken, newPassword: 'Quartz-Lamp-78' });
    expect(ok.body.status).toBe('SUCCESS');
  });
});

it('enforces the minimum password age with the age requirement in the cause', async () => {
  const e = await emulator();
  // frank's password was changed "now"; his policy sets minAgeMinutes 60 (demo seed).
  const rec = await e.post('/recovery/token', { recoveryToken: await trustedToken(e, 'frank@example.com') });
  const pr = await e.post('/recovery/answer', { stateToken: rec.body.stateToken, answer: 'green' });
  expect(pr.body._embedded.policy.age).toEqual({ minAgeMinutes: 60, historyCount: 4 });
  const res = await e.post('/credentials/reset_password', { stateToken: pr.body.stateToken, newPassword: 'Quartz-Lamp-77' });
  expect([res.status, res.body.errorCode]).toEqual([403, 'E0000080']);
  expect(res.body.errorCauses[0].errorSummary).toMatch(/At least 1 hour\(s\) must have elapsed since you last changed your password\.$/);
});

it('publishes the configured policy in PASSWORD_RESET', async () => {
  const e = await emulator({ policy: { complexity: { minSymbol: 2, excludeAttributes: ['lastName'] }, age: { minAgeMinutes: 30 } } });
  const pr = await passwordResetState(e);
  expect(pr.body._embedded.policy).toEqual({
    complexity: { minLength: 8, minLowerCase: 1, minUpperCase: 1, minNumber: 1, minSymbol: 2, excludeUsername: true, excludeAttributes: ['lastName'] },
    age: { minAgeMinutes: 30, historyCount: 4 },
  });
});
