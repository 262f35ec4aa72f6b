/**
 * Okta's own SDK believes the Classic side of the emulator (../shared/okta-authn-contract.md §0):
 * okta-auth-js's authn transactions drive the public recovery over real HTTP in Node —
 * forgotPassword (factorType EMAIL) → the link's token from the outbox → verifyRecoveryToken →
 * answer → resetPassword → SUCCESS — with the emulator running as an upgraded IDX org, whose
 * Classic API keeps working (docs/idx-emulator.md).
 */
import { OktaAuth } from '@okta/okta-auth-js';
import { startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';

let okta: RunningEmulator;

beforeEach(async () => {
  okta = await startEmulator({ publicUrl: 'http://localhost:3000', pipeline: 'idx' });
});
afterEach(async () => {
  await okta.close();
});

function sdk(): OktaAuth {
  const options = { issuer: okta.url, testing: { disableHttpsCheck: true } };
  // `testing` is a supported option missing from the SDK's types.
  return new OktaAuth(options as ConstructorParameters<typeof OktaAuth>[0]);
}

/** The recovery token as the user's click delivers it: the last path segment of the emailed link. */
function tokenFromOutbox(login: string): string {
  const mail = [...okta.outbox].reverse().find((m) => m.to === login && m.pipeline === 'v1');
  if (!mail?.link) throw new Error(`no Classic recovery email for ${login}`);
  return new URL(mail.link).pathname.split('/').pop() ?? '';
}

it('runs forgotPassword → verifyRecoveryToken → answer → resetPassword to SUCCESS', async () => {
  const auth = sdk();
  const started = await auth.forgotPassword({ username: 'alice@example.com', factorType: 'EMAIL' });
  expect(started.status).toBe('RECOVERY_CHALLENGE');
  expect(started.factorType).toBe('EMAIL');

  const recovery = await auth.verifyRecoveryToken({ recoveryToken: tokenFromOutbox('alice@example.com') });
  expect(recovery.status).toBe('RECOVERY');
  expect(recovery.user?.recovery_question?.question).toBe('What is the food you least liked as a child?');

  const reset = await recovery.answer!({ answer: 'Brussels sprouts' });
  expect(reset.status).toBe('PASSWORD_RESET');
  expect(reset.policy?.complexity?.minLength).toBe(8);

  const done = await reset.resetPassword!({ newPassword: 'Quartz-Lamp-77' });
  expect(done.status).toBe('SUCCESS');
  expect(done.sessionToken).toBeTruthy();

  // The SDK's primary authentication now works with the new password only.
  expect((await auth.signInWithCredentials({ username: 'alice@example.com', password: 'Quartz-Lamp-77' })).status).toBe('SUCCESS');
  await expect(auth.signInWithCredentials({ username: 'alice@example.com', password: 'Wonderland-2024' })).rejects.toMatchObject({
    errorCode: 'E0000004',
  });
});

it('surfaces Okta errors the way the SDK models them: a wrong answer, then a policy failure', async () => {
  const auth = sdk();
  await auth.forgotPassword({ username: 'alice@example.com', factorType: 'EMAIL' });
  const recovery = await auth.verifyRecoveryToken({ recoveryToken: tokenFromOutbox('alice@example.com') });
  await expect(recovery.answer!({ answer: 'Broccoli' })).rejects.toMatchObject({ errorCode: 'E0000087' });
  const reset = await recovery.answer!({ answer: 'brussels sprouts' });
  await expect(reset.resetPassword!({ newPassword: 'weak' })).rejects.toMatchObject({
    errorCode: 'E0000080',
    errorCauses: [{ errorSummary: expect.stringContaining('at least 8 characters') }],
  });
});
