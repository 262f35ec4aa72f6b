/**
 * The new password and the OAuth ends of the flow (contract §1, §5, §11.1, §11.11, §11.12): the
 * Classic emulator's policy check folded into passwordRequirementsNotMet, the success form per
 * client type, the token exchange (single-use code, 60 s, PKCE S256, client secret) and interact's
 * refusals.
 */
import { randomBytes } from 'node:crypto';
import { closeAll } from './helpers.js';
import type { Reply, TestEmulator } from './helpers.js';
import {
  CLIENT_ID,
  afterCode,
  begin,
  formOf,
  idxEmulator,
  interactFields,
  messageKeys,
  postForm,
  submit,
} from './idx-helpers.js';

afterEach(closeAll);

async function tryPassword(e: TestEmulator, login: string, passcode: string): Promise<Reply> {
  const { reply } = await afterCode(e, login);
  return submit(e, formOf(reply.body, 'reset-authenticator'), { credentials: { passcode } });
}

describe('reset-authenticator', () => {
  it.each([
    ['too weak', 'bob@example.com', 'weak'],
    ['the username inside', 'bob@example.com', 'Bob-Builder-99'],
    ['the current password', 'bob@example.com', 'Builder-2024'],
    ['one of the last 4', 'alice@example.com', 'Wonderland-2023'],
    ['changed less than an hour ago (frank, minAgeMinutes 60)', 'frank@example.com', 'Harbour-Light-42'],
  ])('%s → 400 password.passwordRequirementsNotMet on the field, the password unchanged', async (_why, login, passcode) => {
    const e = await idxEmulator({ idx: { securityQuestion: false } });
    const changedBefore = e.getUser(login)?.passwordChanged;
    const res = await tryPassword(e, login, passcode);
    expect(res.status).toBe(400);
    expect(messageKeys(res.body)).toEqual(['password.passwordRequirementsNotMet']);
    const field = formOf(res.body, 'reset-authenticator').value[0].form.value[0];
    expect(field.messages.value[0].message).toMatch(/^Password requirements were not met\. /);
    expect(field.messages.value[0].i18n.params[0]).toMatch(/^Password requirements: at least 8 characters/);
    expect(e.getUser(login)?.passwordChanged).toBe(changedBefore);
  });

  it('frank can reset once his password is an hour old (the emulator clock moves)', async () => {
    const e = await idxEmulator({ idx: { securityQuestion: false } });
    e.clock.advance(60 * 60_000);
    expect((await tryPassword(e, 'frank@example.com', 'Harbour-Light-42')).status).toBe(200);
  });

  it('success ends the user\'s other transactions (nobody else\'s) and answers with successWithInteractionCode for a public client', async () => {
    const e = await idxEmulator();
    const other = await afterCode(e, 'bob@example.com');
    const someoneElses = await afterCode(e, 'frank@example.com');
    const res = await tryPassword(e, 'bob@example.com', 'Harbour-Light-42');
    expect(res.body.successWithInteractionCode.value.map((f: { name: string }) => f.name)).toEqual([
      'grant_type',
      'interaction_code',
      'client_id',
      'code_verifier',
    ]);
    expect(res.body.successWithInteractionCode.href).toBe(`${e.url}/oauth2/v1/token`);
    expect((await submit(e, other.reply.body.cancel)).status).toBe(401);
    expect((await submit(e, someoneElses.reply.body.cancel)).status).toBe(200);
  });
});

/** A finished recovery and the session (PKCE verifier) that began it. */
async function finished(e: TestEmulator, issuerPath = '/oauth2/v1', extra: Record<string, string> = {}) {
  const { session, first } = await begin(e, extra, issuerPath);
  const recovered = await submit(e, first.body.currentAuthenticator.value.recover);
  const choice = await submit(e, formOf(recovered.body, 'identify-recovery'), { identifier: 'bob@example.com' });
  const data = formOf(choice.body, 'authenticator-verification-data');
  const challenge = await submit(e, data, { authenticator: { id: data.value[0].form.value[0].value, methodType: 'email' } });
  const reset = await submit(e, formOf(challenge.body, 'challenge-authenticator'), { credentials: { passcode: e.idx.lastOtp('bob@example.com') } });
  const done = await submit(e, formOf(reset.body, 'reset-authenticator'), { credentials: { passcode: 'Harbour-Light-42' } });
  const form = done.body.successWithInteractionCode;
  const code = form.value.find((f: { name: string }) => f.name === 'interaction_code').value as string;
  return { session, form, code };
}

describe('POST /v1/token (interaction_code)', () => {
  it('exchanges the code once, with PKCE, for signed tokens; a second use is invalid_grant', async () => {
    const e = await idxEmulator();
    const { session, form, code } = await finished(e);
    const fields = { grant_type: 'interaction_code', interaction_code: code, client_id: CLIENT_ID, code_verifier: session.verifier };
    const tokens = await postForm(form.href, fields);
    expect(tokens.status).toBe(200);
    expect(tokens.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid email' });
    const [, payload] = (tokens.body.id_token as string).split('.');
    expect(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString())).toMatchObject({ iss: e.url, aud: CLIENT_ID, sub: '00u1bob000000000002' });
    const keys = await (await fetch(`${e.url}/oauth2/v1/keys`)).json();
    expect(keys.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    const again = await postForm(form.href, fields);
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('refuses a wrong verifier with "PKCE verification failed." [F-10b]', async () => {
    const e = await idxEmulator();
    const { form, code } = await finished(e);
    const res = await postForm(form.href, { grant_type: 'interaction_code', interaction_code: code, client_id: CLIENT_ID, code_verifier: randomBytes(32).toString('base64url') });
    expect(res).toMatchObject({ status: 400, body: { error: 'invalid_grant', error_description: 'PKCE verification failed.' } });
  });

  it('refuses a code older than 60 s', async () => {
    const e = await idxEmulator();
    const { session, form, code } = await finished(e);
    e.clock.advance(60_000);
    const res = await postForm(form.href, { grant_type: 'interaction_code', interaction_code: code, client_id: CLIENT_ID, code_verifier: session.verifier });
    expect(res).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('a custom authorization server issues for its own issuer', async () => {
    const e = await idxEmulator();
    const { session, form, code } = await finished(e, '/oauth2/default/v1');
    expect(form.href).toBe(`${e.url}/oauth2/default/v1/token`);
    const tokens = await postForm(form.href, { grant_type: 'interaction_code', interaction_code: code, client_id: CLIENT_ID, code_verifier: session.verifier });
    const [, payload] = (tokens.body.id_token as string).split('.');
    expect(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()).iss).toBe(`${e.url}/oauth2/default`);
  });

  it('a confidential client must authenticate at interact and at token (post or basic); its success form asks for the secret', async () => {
    const e = await idxEmulator({ idx: { clientSecret: 'built-in-secret-0123456789' } });
    const noSecret = await postForm(`${e.url}/oauth2/v1/interact`, interactFields({ verifier: randomBytes(32).toString('base64url'), state: 's' }));
    expect(noSecret).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const { session, form, code } = await finished(e, '/oauth2/v1', { client_secret: 'built-in-secret-0123456789' });
    expect(form.value.map((f: { name: string }) => f.name)).toContain('client_secret');
    const fields = { grant_type: 'interaction_code', interaction_code: code, client_id: CLIENT_ID, code_verifier: session.verifier };
    expect((await postForm(form.href, { ...fields, client_secret: 'wrong' })).status).toBe(401);
    const basic = `Basic ${Buffer.from(`${CLIENT_ID}:built-in-secret-0123456789`).toString('base64')}`;
    expect((await postForm(form.href, fields, { authorization: basic })).status).toBe(200);
  });

  it('a lenient org lets a confidential client omit its secret at interact, as Guardian does (§10.8)', async () => {
    const e = await idxEmulator({ idx: { clientSecret: 'built-in-secret-0123456789', requireClientSecretAtInteract: false } });
    const res = await postForm(`${e.url}/oauth2/v1/interact`, interactFields({ verifier: randomBytes(32).toString('base64url'), state: 's' }));
    expect(res.status).toBe(200);
  });
});

describe('POST /v1/interact refusals', () => {
  const pkce = { verifier: randomBytes(32).toString('base64url'), state: 'state-1' };
  it.each([
    ['an unknown client', { client_id: '0oaunknown' }, 401, 'invalid_client'],
    ['an unregistered redirect URI', { redirect_uri: 'https://evil.example/callback' }, 400, 'invalid_request'],
    ['no PKCE challenge', { code_challenge: '' }, 400, 'invalid_request'],
    ['a plain PKCE method', { code_challenge_method: 'plain' }, 400, 'invalid_request'],
    ['no state', { state: '' }, 400, 'invalid_request'],
    ['no scope', { scope: '' }, 400, 'invalid_scope'],
    ['a recovery token never issued', { recovery_token: 'neverIssued000000000' }, 400, 'invalid_request'],
  ])('%s', async (_what, change, status, error) => {
    const e = await idxEmulator();
    const res = await postForm(`${e.url}/oauth2/v1/interact`, { ...interactFields(pkce), ...change });
    expect(res).toMatchObject({ status, body: { error } });
  });
});
