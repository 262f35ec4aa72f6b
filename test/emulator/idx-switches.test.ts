/**
 * The org's terminal and negative switches (contract §11.16), the control endpoints of the IDX
 * org, and what the request log keeps of IDX calls (§11.17): headers the service must forward,
 * and no secret.
 */
import { closeAll } from './helpers.js';
import {
  begin,
  formOf,
  idxEmulator,
  idxPost,
  messageKeys,
  remediations,
  submit,
  toEmailChallenge,
  toEmailChoice,
  toNewPassword,
} from './idx-helpers.js';

afterEach(closeAll);

describe('switches', () => {
  it('SSPR not allowed: /recover is 403 oie.selfservice.reset.password.not.allowed [F-12c]', async () => {
    const e = await idxEmulator({ idx: { ssprAllowed: false } });
    const { first } = await begin(e);
    const res = await submit(e, first.body.currentAuthenticator.value.recover);
    expect(res.status).toBe(403);
    expect(messageKeys(res.body)).toEqual(['oie.selfservice.reset.password.not.allowed']);
  });

  it('a user not assigned to the app is refused at identify with 403 [F-12e]; others are not', async () => {
    const e = await idxEmulator({ idx: { unassignedUsers: ['bob@example.com'] } });
    const bob = await toEmailChoice(e, 'bob@example.com');
    expect(bob.reply.status).toBe(403);
    expect(messageKeys(bob.reply.body)).toEqual(['idx.error.user.not.assigned.to.app']);
    expect((await toEmailChoice(e, 'alice@example.com')).reply.status).toBe(200);
  });

  it('an AD/LDAP reset failure leaves the password alone [F-08d]', async () => {
    const e = await idxEmulator({ idx: { resetFailure: 'ldap' } });
    const { reply } = await toNewPassword(e);
    const res = await submit(e, formOf(reply.body, 'reset-authenticator'), { credentials: { passcode: 'Quartz-Lamp-77' } });
    expect(res.status).toBe(400);
    expect(messageKeys(res.body)).toEqual(['app.ldap.password.reset.failed']);
    expect((await e.post('', { username: 'alice@example.com', password: 'Quartz-Lamp-77' })).status).toBe(401);
  });

  it('post-update auth failure: the password changed, the answer is terminal [F-12d]', async () => {
    const e = await idxEmulator({ idx: { resetFailure: 'post-update-auth-failure' } });
    const { reply } = await toNewPassword(e);
    const res = await submit(e, formOf(reply.body, 'reset-authenticator'), { credentials: { passcode: 'Quartz-Lamp-77' } });
    expect(res.status).toBe(200);
    expect(res.body.intent).toBe('CREDENTIAL_RECOVERY');
    expect(res.body.remediation).toBeUndefined();
    expect(messageKeys(res.body)).toEqual(['api.users.auth.error.POST_PASSWORD_UPDATE_AUTH_FAILURE']);
    expect((await e.post('', { username: 'alice@example.com', password: 'Quartz-Lamp-77' })).status).toBe(200);
  });

  it('CAPTCHA for SSPR: identify-recovery asks for a token and refuses to go on without one [F-04e]', async () => {
    const e = await idxEmulator({ idx: { captcha: true } });
    const { first } = await begin(e);
    const form = await submit(e, first.body.currentAuthenticator.value.recover);
    expect(form.body.captcha.value.type).toBe('HCAPTCHA');
    const without = await submit(e, formOf(form.body, 'identify-recovery'), { identifier: 'bob@example.com' });
    expect(without.status).toBe(400);
    const withToken = await submit(e, formOf(form.body, 'identify-recovery'), {
      identifier: 'bob@example.com',
      captchaVerify: { captchaId: form.body.captcha.value.id, captchaToken: 'P1_token' },
    });
    expect(remediations(withToken.body)[0]).toBe('authenticator-verification-data');
  });

  it('select-only: after identify only select-authenticator-authenticate, as 2021 orgs (§10.4)', async () => {
    const e = await idxEmulator({ idx: { verificationStep: 'select-only' } });
    const { reply } = await toEmailChoice(e, 'bob@example.com');
    expect(remediations(reply.body)).toEqual(['select-authenticator-authenticate']);
    const option = formOf(reply.body, 'select-authenticator-authenticate').value[0].options[0].value.form.value;
    // AUTHJS sends only the id (§4.1).
    const challenge = await submit(e, formOf(reply.body, 'select-authenticator-authenticate'), { authenticator: { id: option[0].value } });
    expect(remediations(challenge.body)[0]).toBe('challenge-authenticator');
  });

  it('long stateHandles: ~2,400 characters, the longest recorded (§2.2), work end to end', async () => {
    const e = await idxEmulator({ idx: { longStateHandles: true } });
    const { reply } = await toEmailChallenge(e, 'bob@example.com');
    expect(reply.body.stateHandle).toHaveLength(2423);
    expect(reply.body.stateHandle).toMatch(/^02\.id\.[\w-]{40}~c\./);
    const next = await submit(e, formOf(reply.body, 'challenge-authenticator'), { credentials: { passcode: e.idx.lastOtp('bob@example.com') } });
    expect(next.status).toBe(200);
  });
});

describe('control endpoints', () => {
  it('GET/POST /__emulator/idx/settings read and patch the toggles; unknown keys are refused', async () => {
    const e = await idxEmulator();
    const read = (await (await fetch(`${e.url}/__emulator/idx/settings`)).json()) as Record<string, unknown>;
    expect(read).toMatchObject({ userEnumerationPrevention: false, otpFormat: 'numeric', rateLimits: { perStateHandle: 10 } });
    const patch = await fetch(`${e.url}/__emulator/idx/settings`, {
      method: 'POST',
      body: JSON.stringify({ otpFormat: 'alphanumeric', rateLimits: { perUser: 50 } }),
    });
    expect(await patch.json()).toMatchObject({ otpFormat: 'alphanumeric', rateLimits: { perUser: 50, perStateHandle: 10 } });
    const typo = await fetch(`${e.url}/__emulator/idx/settings`, { method: 'POST', body: JSON.stringify({ otpFromat: 'numeric' }) });
    expect(typo.status).toBe(400);
    expect(e.idx.settings().otpFormat).toBe('alphanumeric');
  });

  it('GET /__emulator/idx/otp/{login} and the outbox show the code and the magic link', async () => {
    const e = await idxEmulator();
    await toEmailChallenge(e, 'bob@example.com');
    const { otp } = (await (await fetch(`${e.url}/__emulator/idx/otp/bob@example.com`)).json()) as { otp: string };
    expect(otp).toBe(e.idx.lastOtp('bob@example.com'));
    const outbox = (await (await fetch(`${e.url}/__emulator/outbox`)).json()) as Array<Record<string, unknown>>;
    expect(outbox.at(-1)).toMatchObject({ otp, pipeline: 'idx', magicLink: expect.stringContaining(`otp=${otp}`) });
  });
});

describe('the request log', () => {
  it('records IDX and OAuth calls with the forwarded headers and without secrets', async () => {
    const e = await idxEmulator();
    const headers = { 'x-forwarded-for': '203.0.113.7', 'x-device-token': 'device-0123', 'accept-language': 'fr-CH', 'x-okta-user-agent-extended': 'recovery/1.0' };
    const { first } = await begin(e);
    const recovered = await idxPost(e, first.body.currentAuthenticator.value.recover.href, { stateHandle: first.body.stateHandle }, headers);
    await idxPost(e, formOf(recovered.body, 'identify-recovery').href, { stateHandle: first.body.stateHandle, identifier: 'bob@example.com' }, headers);
    const recover = e.requests.find((r) => r.path === '/idp/idx/recover');
    expect(recover?.headers).toMatchObject(headers);
    expect(recover?.xForwardedFor).toBe('203.0.113.7');
    expect(recover?.acceptLanguage).toBe('fr-CH');
    expect(recover?.body).toEqual({ stateHandle: '[REDACTED]' });
    const interact = e.requests.find((r) => r.path === '/oauth2/v1/interact');
    expect(interact?.body).toMatchObject({ client_id: '0oa1recoveryemulator', code_challenge_method: 'S256' });
    const identify = e.requests.find((r) => r.path === '/idp/idx/identify');
    expect(identify?.body).toEqual({ stateHandle: '[REDACTED]', identifier: 'bob@example.com' });
    const log = JSON.stringify(e.requests);
    expect(log).not.toContain(first.body.stateHandle);
  });
});
