/**
 * Okta's own SDK believes the emulator (docs/idx-emulator.md, contract §0): okta-auth-js's
 * `idx.recoverPassword` runs in Node, over real HTTP, from the username to the tokens: email
 * authenticator → the code read from the emulator's outbox → the security question → the new
 * password → the interaction code exchanged with PKCE, id_token signature and nonce checked by
 * the SDK itself. Then the new password signs in.
 */
import { OktaAuth } from '@okta/okta-auth-js';
import { BUILT_IN_CLIENT_ID, startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';

const SDK_CLIENT = { clientId: '0oa1sdkclientemulat', redirectUris: ['http://localhost:8080/login/callback'] };

let okta: RunningEmulator;

beforeEach(async () => {
  // The system clock: the SDK checks the tokens' iat/exp against its own.
  okta = await startEmulator({ publicUrl: 'http://localhost:3000', pipeline: 'idx', idx: { clients: [SDK_CLIENT] } });
});
afterEach(async () => {
  await okta.close();
});

/**
 * The SDK keeps its transaction (PKCE verifier, state, interaction handle) in storage; in Node it
 * needs a provider (the built-in memory one warns). One Map per client, as one browser would have.
 */
function memoryStorage(): { getItem(k: string): string | null; setItem(k: string, v: string): void; removeItem(k: string): void } {
  const items = new Map<string, string>();
  return {
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, v),
    removeItem: (k) => void items.delete(k),
  };
}

function sdk(issuer = okta.url, client = { clientId: SDK_CLIENT.clientId, redirectUri: SDK_CLIENT.redirectUris[0] }): OktaAuth {
  const storageProvider = memoryStorage();
  const section = { storageProvider };
  const options = {
    storageManager: { token: section, transaction: section, 'shared-transaction': section, 'original-uri': section, cache: section },
    issuer,
    ...client,
    scopes: ['openid', 'email', 'profile'],
    // The emulator listens on plain http on loopback.
    testing: { disableHttpsCheck: true },
  };
  // `testing` is a supported option missing from the SDK's types.
  return new OktaAuth(options as ConstructorParameters<typeof OktaAuth>[0]);
}

/** The code as the user reads it: from the newest IDX email to `login` in the emulator's outbox. */
function codeFromOutbox(login: string): string {
  const mail = [...okta.outbox].reverse().find((m) => m.to === login && m.pipeline === 'idx');
  const code = mail?.otp;
  if (!code) throw new Error(`no IDX email for ${login}`);
  // The email shows the code the outbox field reports.
  expect(mail.text).toContain(code);
  return code;
}

/** The Classic primary authentication the emulator keeps serving: proves which password works. */
async function signsIn(login: string, password: string): Promise<boolean> {
  const res = await fetch(`${okta.url}/api/v1/authn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ username: login, password }),
  });
  return res.status === 200;
}

it('completes idx.recoverPassword with the code, the security question and a new password (org AS, one-page policy)', async () => {
  const auth = sdk();
  let tx = await auth.idx.recoverPassword({ username: 'alice@example.com' });
  // v8 "step mode": the flow's recover action runs first, then each step is named (AUTHJS remediate.ts).
  expect(tx.status).toBe('PENDING');
  expect(tx.nextStep?.name).toBe('identify-recovery');
  tx = await auth.idx.proceed({ step: 'identify-recovery', username: 'alice@example.com' });
  expect(tx.nextStep?.name).toBe('authenticator-verification-data');
  expect(okta.outbox).toHaveLength(0);

  tx = await auth.idx.proceed({ step: 'authenticator-verification-data', methodType: 'email' });
  expect(tx.nextStep?.name).toBe('challenge-authenticator');
  // v8's generic step names the authenticator through the form's relatesTo (AUTHJS GenericRemediator).
  expect(tx.nextStep?.relatesTo?.value?.key).toBe('okta_email');

  tx = await auth.idx.proceed({ step: 'challenge-authenticator', verificationCode: codeFromOutbox('alice@example.com') });
  expect(tx.nextStep?.name).toBe('challenge-authenticator');
  expect(tx.nextStep?.relatesTo?.value?.key).toBe('security_question');
  expect(tx.nextStep?.relatesTo?.value?.contextualData?.enrolledQuestion?.questionKey).toBe('disliked_food');

  tx = await auth.idx.proceed({ step: 'challenge-authenticator', answer: 'Brussels sprouts' });
  expect(tx.nextStep?.name).toBe('reset-authenticator');
  const password = tx.nextStep?.relatesTo?.value as { settings?: { complexity?: { minLength?: number } } } | undefined;
  expect(password?.settings?.complexity?.minLength).toBe(8);

  tx = await auth.idx.proceed({ step: 'reset-authenticator', password: 'Quartz-Lamp-77', revokeSessions: true });
  expect(tx.status).toBe('SUCCESS');
  // The SDK exchanged the interaction code (PKCE) and checked the id_token (signature, nonce, audience).
  expect(tx.tokens?.idToken?.claims.sub).toBe('00u1alice0000000001');
  expect(tx.tokens?.idToken?.claims.aud).toBe(SDK_CLIENT.clientId);
  expect(okta.requests.some((r) => r.method === 'GET' && r.path === '/oauth2/v1/keys')).toBe(true);

  expect(await signsIn('alice@example.com', 'Quartz-Lamp-77')).toBe(true);
  expect(await signsIn('alice@example.com', 'Wonderland-2024')).toBe(false);
  expect(okta.getUser('alice@example.com')?.lastRevokeSessions).toBe(true);
  // Every IDX call carried the SDK's identification (contract §8.4).
  const idxCalls = okta.requests.filter((r) => r.path.startsWith('/idp/idx/'));
  expect(idxCalls.length).toBeGreaterThanOrEqual(6);
  for (const call of idxCalls) expect(call.headers['x-okta-user-agent-extended']).toMatch(/^okta-auth-js\//);
});

it('completes it with the built-in client (as src/emulator/README.md tells), a custom authorization server and an identifier-first policy, showing a wrong code', async () => {
  okta.idx.configure({ entry: 'identifier-first' });
  const auth = sdk(`${okta.url}/oauth2/default`, {
    clientId: BUILT_IN_CLIENT_ID,
    redirectUri: 'http://localhost:3000/reset-password/callback',
  });
  // Identifier-first (contract §3.2): the SDK identifies, then runs the password's recover action.
  let tx = await auth.idx.recoverPassword({ step: 'identify', username: 'bob@example.com' });
  expect(tx.status).toBe('PENDING');
  expect(tx.nextStep?.name).toBe('challenge-authenticator');
  expect(tx.nextStep?.relatesTo?.value?.key).toBe('okta_password');
  // No step named: the flow's `currentAuthenticatorEnrollment-recover` action runs (AUTHJS PR #1032).
  tx = await auth.idx.proceed();
  expect(tx.nextStep?.name).toBe('authenticator-verification-data');
  tx = await auth.idx.proceed({ step: tx.nextStep?.name, methodType: 'email' });
  expect(tx.nextStep?.name).toBe('challenge-authenticator');

  const code = codeFromOutbox('bob@example.com');
  const wrong = code === '000000' ? '111111' : '000000';
  tx = await auth.idx.proceed({ step: 'challenge-authenticator', verificationCode: wrong });
  expect(tx.messages?.map((m) => m.i18n?.key)).toContain('api.authn.error.PASSCODE_INVALID');

  tx = await auth.idx.proceed({ step: 'challenge-authenticator', verificationCode: code });
  expect(tx.nextStep?.name).toBe('reset-authenticator');
  tx = await auth.idx.proceed({ step: 'reset-authenticator', password: 'Harbour-Light-42' });
  expect(tx.status).toBe('SUCCESS');
  expect(tx.tokens?.idToken?.claims.iss).toBe(`${okta.url}/oauth2/default`);
  expect(tx.tokens?.idToken?.claims.aud).toBe(BUILT_IN_CLIENT_ID);
  expect(await signsIn('bob@example.com', 'Harbour-Light-42')).toBe(true);
});
