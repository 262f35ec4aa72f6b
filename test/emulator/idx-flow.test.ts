/**
 * The IDX recovery over real HTTP, step by step (contract §0–§5): the happy paths of each demo
 * user, both entry policies and the recovery-token path, the email's code and magic link, resume by
 * either handle, resend, poll, cancel, and the engine discovery document.
 */
import { demoUsers } from '../../src/emulator/index.js';
import { latestLinkPath } from '../helpers/emulated.js';
import { closeAll, emulator, PUBLIC_URL, trusted } from './helpers.js';
import type { TestEmulator } from './helpers.js';
import {
  ION,
  afterCode,
  begin,
  formOf,
  idxEmulator,
  idxPost,
  remediations,
  submit,
  toEmailChallenge,
  toEmailChoice,
  toNewPassword,
} from './idx-helpers.js';

afterEach(closeAll);

async function signsIn(e: TestEmulator, login: string, password: string): Promise<boolean> {
  return (await e.post('', { username: login, password })).status === 200;
}

describe('GET /.well-known/okta-organization', () => {
  it.each([
    [undefined, 'v1'],
    ['v1', 'v1'],
    ['idx', 'idx'],
  ] as const)('pipeline option %s → "%s"', async (pipeline, expected) => {
    const e = await emulator(pipeline ? { pipeline } : {});
    const res = await fetch(`${e.url}/.well-known/okta-organization`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { pipeline: string; _links: { organization: { href: string } } };
    expect(body.pipeline).toBe(expected);
    expect(body._links.organization.href).toBe(e.url);
  });
});

describe('the whole recovery', () => {
  it('alice: code, security question, new password; the password changes when reset-authenticator succeeds', async () => {
    const e = await idxEmulator();
    const { reply } = await toNewPassword(e, 'alice@example.com', '  brussels SPROUTS ');
    expect(reply.body.currentAuthenticator.value.settings.complexity.minLength).toBe(8);
    const done = await submit(e, formOf(reply.body, 'reset-authenticator'), { credentials: { passcode: 'Quartz-Lamp-77', revokeSessions: true } });
    expect(done.status).toBe(200);
    expect(done.body.successWithInteractionCode.name).toBe('issue');
    expect(done.body.remediation).toBeUndefined();
    // §5.4: changed now, before (and without) any token exchange.
    expect(await signsIn(e, 'alice@example.com', 'Quartz-Lamp-77')).toBe(true);
    expect(await signsIn(e, 'alice@example.com', 'Wonderland-2024')).toBe(false);
    expect(e.getUser('alice@example.com')).toMatchObject({ sessionsRevoked: 1, lastRevokeSessions: true });
  });

  it('bob (no question) goes from the code straight to the new password', async () => {
    const e = await idxEmulator();
    const { reply } = await afterCode(e, 'bob@example.com');
    expect(remediations(reply.body)).toEqual(['reset-authenticator']);
    expect(reply.body.user.value).toMatchObject({ id: '00u1bob000000000002', identifier: 'bob@example.com' });
  });

  it('alice goes straight to the password too when the org turns the question off', async () => {
    const e = await idxEmulator({ idx: { securityQuestion: false } });
    expect(remediations((await afterCode(e, 'alice@example.com')).reply.body)).toEqual(['reset-authenticator']);
  });

  it('names a built-in question by the key Okta gives its exact shipped text, and an almost-same text custom', async () => {
    // Okta ships "What is the name of your first stuffed animal?" (recovery/security-questions.ts);
    // the emulator once said "What was …", which no page would have recognised as built in.
    const keyOf = async (question: string): Promise<unknown> => {
      const users = demoUsers().map((seed) => (seed.login === 'alice@example.com' ? { ...seed, recoveryQuestion: { question, answer: 'Teddy' } } : seed));
      const e = await idxEmulator({ users });
      const { reply } = await afterCode(e, 'alice@example.com');
      return formOf(reply.body, 'challenge-authenticator').value[0].form.value[0].value;
    };
    expect(await keyOf('What is the name of your first stuffed animal?')).toBe('name_of_first_plush_toy');
    expect(await keyOf('What is the toy/stuffed animal you liked the most as a kid?')).toBe('favorite_toy');
    expect(await keyOf('What was the name of your first stuffed animal?')).toBe('custom');
  });

  it('carol (locked out) recovers, answers her custom question, and the reset unlocks her', async () => {
    const e = await idxEmulator();
    const { reply } = await afterCode(e, 'carol@example.com');
    const form = formOf(reply.body, 'challenge-authenticator');
    expect(form.value[0].form.value[0]).toMatchObject({ name: 'questionKey', value: 'custom', mutable: false });
    const reset = await submit(e, form, { credentials: { questionKey: 'custom', answer: 'rex' } });
    await submit(e, formOf(reset.body, 'reset-authenticator'), { credentials: { passcode: 'Harbour-Light-42' } });
    expect(e.getUser('carol@example.com')?.status).toBe('ACTIVE');
  });

  it('identifier-first (path B): identify → password challenge → recover → email, the user shown with a masked email', async () => {
    const e = await idxEmulator({ idx: { entry: 'identifier-first' } });
    const { first } = await begin(e);
    expect(formOf(first.body, 'identify').value.map((f: { name: string }) => f.name)).toEqual(['identifier', 'rememberMe', 'stateHandle']);
    expect(first.body.currentAuthenticator).toBeUndefined();
    const challenge = await submit(e, formOf(first.body, 'identify'), { identifier: 'alice@example.com' });
    expect(challenge.body.currentAuthenticatorEnrollment.value.key).toBe('okta_password');
    const recovered = await submit(e, challenge.body.currentAuthenticatorEnrollment.value.recover);
    expect(remediations(recovered.body)).toEqual(['authenticator-verification-data', 'select-authenticator-authenticate']);
    expect(recovered.body.currentAuthenticatorEnrollment.value.profile.email).toBe('a***e@example.com');
  });

  it('path A hides who the user is until the code is proved: no ids, no profile (§3.1, §6.3)', async () => {
    const e = await idxEmulator();
    const { reply: choice } = await toEmailChoice(e, 'alice@example.com');
    expect(choice.body.user.value).toEqual({ identifier: 'alice@example.com' });
    expect(choice.body.authenticatorEnrollments.value[0].id).toBeUndefined();
    const { reply: challenge } = await toEmailChallenge(e, 'alice@example.com');
    expect(challenge.body.currentAuthenticatorEnrollment.value.profile).toBeUndefined();
  });

  it('path C: interact with a recovery token lands on the new password; the token is single use', async () => {
    const e = await idxEmulator();
    const token = e.issueRecoveryToken('bob@example.com');
    const { first } = await begin(e, { recovery_token: token });
    expect(remediations(first.body)).toEqual(['reset-authenticator']);
    const done = await submit(e, formOf(first.body, 'reset-authenticator'), { credentials: { passcode: 'Harbour-Light-42' } });
    expect(done.body.successWithInteractionCode).toBeDefined();
    const again = await begin(e, { recovery_token: token });
    expect(again.first.body.messages.value[0].i18n.key).toBe('idx.invalid.forgot.password.token');
  });

  it('path C asks the security question first when the org and the user have one (§7), then the new password', async () => {
    const e = await idxEmulator();
    const { first } = await begin(e, { recovery_token: e.issueRecoveryToken('alice@example.com') });
    expect(remediations(first.body)).toEqual(['challenge-authenticator', 'select-authenticator-authenticate']);
    expect(first.body.currentAuthenticatorEnrollment.value.contextualData.enrolledQuestion.question).toBe('What is the food you least liked as a child?');
    const answered = await submit(e, formOf(first.body, 'challenge-authenticator'), { credentials: { questionKey: 'disliked_food', answer: 'Brussels sprouts' } });
    expect(remediations(answered.body)).toEqual(['reset-authenticator']);
  });

  it('path C spends the token at interact (docs/idx-emulator.md, exceptions): a second interact meets the terminal before any password', async () => {
    const e = await idxEmulator();
    const token = e.issueRecoveryToken('bob@example.com');
    const { first } = await begin(e, { recovery_token: token });
    expect(remediations(first.body)).toEqual(['reset-authenticator']);
    const again = await begin(e, { recovery_token: token });
    expect(again.first.body.messages.value[0].i18n.key).toBe('idx.invalid.forgot.password.token');
    expect(again.first.body.remediation).toBeUndefined();
  });

  it('path C: a token whose user is suspended (as after the token was issued) meets the terminal, not the password form', async () => {
    const e = await idxEmulator();
    // The control side door issues tokens for any user; dave is suspended in the demo seed.
    const { first } = await begin(e, { recovery_token: e.issueRecoveryToken('dave@example.com') });
    expect(first.body.messages.value[0].i18n.key).toBe('idx.invalid.forgot.password.token');
  });
});

describe('POST /api/v1/users/{id}/lifecycle/reset_password (the token for path C, §3.3)', () => {
  const reset = (e: TestEmulator, id: string, query: string, headers: Record<string, string> = trusted) =>
    fetch(`${e.url}/api/v1/users/${id}/lifecycle/reset_password${query}`, { method: 'POST', headers });

  it('sendEmail=false: a resetPasswordUrl whose token starts an IDX recovery at the new password; no email', async () => {
    const e = await idxEmulator();
    const res = await reset(e, '00u1bob000000000002', '?sendEmail=false');
    expect(res.status).toBe(200);
    const { resetPasswordUrl } = (await res.json()) as { resetPasswordUrl: string };
    expect(resetPasswordUrl).toMatch(new RegExp(`^${e.url}/signin/reset-password/\\w{20}$`));
    expect(e.outbox).toHaveLength(0);
    const { first } = await begin(e, { recovery_token: resetPasswordUrl.split('/').pop() as string });
    expect(remediations(first.body)).toEqual(['reset-authenticator']);
    expect(first.body.user.value.id).toBe('00u1bob000000000002');
  });

  it('GET /api/v1/users/{login or id} answers the user and profile our email needs, with the API token only', async () => {
    const e = await idxEmulator();
    const get = (id: string, headers: Record<string, string> = trusted) => fetch(`${e.url}/api/v1/users/${encodeURIComponent(id)}`, { headers });
    const byLogin = await get('alice@example.com');
    expect(byLogin.status).toBe(200);
    const user = (await byLogin.json()) as { id: string; status: string; profile: Record<string, string> };
    expect(user).toMatchObject({ id: expect.stringMatching(/^00u/), status: 'ACTIVE', profile: { login: 'alice@example.com', email: 'alice@example.com', firstName: 'Alice' } });
    expect((await get(user.id)).status).toBe(200);
    expect((await get('nobody@example.com')).status).toBe(404);
    expect((await get('alice@example.com', {})).status).toBe(401);
  });

  it('sends the Forgot Password email by default; refuses without the API token, for unknown and suspended users', async () => {
    const e = await idxEmulator();
    expect((await reset(e, 'bob@example.com', '')).status).toBe(200);
    expect(e.outbox.at(-1)).toMatchObject({ to: 'bob@example.com', pipeline: 'v1' });
    expect((await reset(e, 'bob@example.com', '?sendEmail=false', {})).status).toBe(401);
    expect((await reset(e, '00uNobody', '?sendEmail=false')).status).toBe(404);
    expect((await reset(e, 'dave@example.com', '?sendEmail=false')).status).toBe(403);
  });
});

describe('the email', () => {
  it('carries the code and the magic link to the EVE callback with the interact state, nothing else is sent', async () => {
    const e = await idxEmulator();
    const { session } = await toEmailChoice(e, 'alice@example.com');
    expect(e.outbox).toHaveLength(0);
    await toEmailChallenge(e, 'bob@example.com');
    const { session: aliceSession } = await toEmailChallenge(e, 'alice@example.com');
    expect(session.state).not.toBe(aliceSession.state);
    const mail = e.outbox.at(-1);
    expect(mail).toMatchObject({ to: 'alice@example.com', template: 'ForgotPassword', pipeline: 'idx', state: aliceSession.state });
    expect(mail?.otp).toMatch(/^\d{6}$/);
    expect(mail?.magicLink).toBe(`${PUBLIC_URL}/reset-password/verify-email?otp=${mail?.otp}&state=${aliceSession.state}`);
    expect(mail?.link).toBe(mail?.magicLink);
    expect(mail?.text).toContain(mail?.otp);
    expect(mail?.html).toContain('href="https://account.example.test/reset-password/verify-email?otp&#x3D;');
    expect(e.idx.lastOtp('ALICE@example.com')).toBe(mail?.otp);
    // The shared test helper reads IDX links as it reads Classic ones.
    expect(latestLinkPath(e, 'alice@example.com')).toBe('/reset-password/verify-email');
  });

  it('the code in the magic link completes the challenge like a typed one (§4.6)', async () => {
    const e = await idxEmulator();
    const { reply } = await toEmailChallenge(e, 'bob@example.com');
    const otp = new URL(e.outbox.at(-1)?.magicLink ?? '').searchParams.get('otp');
    const next = await submit(e, formOf(reply.body, 'challenge-authenticator'), { credentials: { passcode: otp } });
    expect(remediations(next.body)).toEqual(['reset-authenticator']);
  });

  it('resend sends a new code; the previous one no longer works', async () => {
    const e = await idxEmulator();
    const { reply } = await toEmailChallenge(e, 'bob@example.com');
    const oldCode = e.idx.lastOtp('bob@example.com');
    const resent = await submit(e, reply.body.currentAuthenticatorEnrollment.value.resend);
    expect(resent.status).toBe(200);
    expect(remediations(resent.body)).toEqual(remediations(reply.body));
    expect(e.outbox).toHaveLength(2);
    const newCode = e.idx.lastOtp('bob@example.com');
    const form = formOf(resent.body, 'challenge-authenticator');
    if (oldCode !== newCode) expect((await submit(e, form, { credentials: { passcode: oldCode } })).status).toBe(401);
    expect((await submit(e, form, { credentials: { passcode: newCode } })).status).toBe(200);
  });
});

describe('resuming and polling', () => {
  it('introspect returns the current state by interaction handle, stateHandle or stateToken, with sliding expiry', async () => {
    const e = await idxEmulator();
    const { session, reply } = await toEmailChallenge(e, 'bob@example.com');
    const handle = reply.body.stateHandle as string;
    const byState = await idxPost(e, '/idp/idx/introspect', { stateHandle: handle });
    const byToken = await idxPost(e, '/idp/idx/introspect', { stateToken: handle }, { 'content-type': 'application/json' });
    expect(remediations(byState.body)).toEqual(['challenge-authenticator', 'select-authenticator-authenticate']);
    expect(remediations(byToken.body)).toEqual(remediations(byState.body));
    // AUTHJS resumes with the interaction handle: it must give the current state, not the first (§2.1).
    const byInteraction = await idxPost(e, '/idp/idx/introspect', { interactionHandle: session.interactionHandle });
    expect(remediations(byInteraction.body)).toEqual(remediations(byState.body));
    expect(byState.headers.get('content-type')).toBe(ION);
    e.clock.advance(60_000);
    const later = await idxPost(e, '/idp/idx/introspect', { stateHandle: handle });
    expect(Date.parse(later.body.expiresAt)).toBe(Date.parse(byState.body.expiresAt) + 60_000);
    expect(session.state).toBe(later.body.authentication.value.request.state);
  });

  it('poll shows the challenge until the code is accepted elsewhere, then the next step', async () => {
    const e = await idxEmulator();
    const { reply } = await toEmailChallenge(e, 'bob@example.com');
    const pollForm = reply.body.currentAuthenticatorEnrollment.value.poll;
    expect(pollForm.refresh).toBe(4000);
    expect(remediations((await submit(e, pollForm)).body)[0]).toBe('challenge-authenticator');
    await submit(e, formOf(reply.body, 'challenge-authenticator'), { credentials: { passcode: e.idx.lastOtp('bob@example.com') } });
    expect(remediations((await submit(e, pollForm)).body)).toEqual(['reset-authenticator']);
  });

  it('an idle transaction expires: every endpoint answers 401 idx.session.expired', async () => {
    const e = await idxEmulator();
    const { reply } = await toEmailChallenge(e, 'bob@example.com');
    e.clock.advance(10 * 60_000);
    for (const form of [formOf(reply.body, 'challenge-authenticator'), reply.body.cancel, reply.body.currentAuthenticatorEnrollment.value.poll]) {
      const res = await submit(e, form, { credentials: { passcode: '123456' } });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ version: '1.0.0', messages: { type: 'array', value: [expect.objectContaining({ i18n: { key: 'idx.session.expired' } })] } });
    }
  });

  it('cancel ends the transaction and starts a fresh identify on a new handle', async () => {
    const e = await idxEmulator();
    const { reply } = await toEmailChallenge(e, 'bob@example.com');
    const fresh = await submit(e, reply.body.cancel);
    expect(remediations(fresh.body)).toEqual(['identify']);
    expect(fresh.body.stateHandle).not.toBe(reply.body.stateHandle);
    expect((await idxPost(e, '/idp/idx/introspect', { stateHandle: reply.body.stateHandle })).status).toBe(401);
    expect((await idxPost(e, '/idp/idx/introspect', { stateHandle: fresh.body.stateHandle })).status).toBe(200);
  });

  it('a step the state does not offer is refused with 403 and the current form', async () => {
    const e = await idxEmulator();
    const { first } = await begin(e);
    const res = await idxPost(e, '/idp/idx/challenge/answer', { stateHandle: first.body.stateHandle, credentials: { passcode: '123456' } });
    expect(res.status).toBe(403);
    expect(res.body.messages.value[0].i18n.key).toBe('security.access_denied');
    expect(remediations(res.body)).toEqual(['identify']);
  });
});
