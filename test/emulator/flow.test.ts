/**
 * The recovery flow through Okta's API: public EMAIL, trusted variant, SMS/CALL, unlock, state
 * enforcement, cancel, malformed input (contract §1–§6).
 */
import { closeAll, emulator, passwordResetState, recoveryState, tokenFromEmail, trusted, trustedToken } from './helpers.js';

afterEach(closeAll);

const EMAIL_CHALLENGE = { status: 'RECOVERY_CHALLENGE', factorResult: 'WAITING', factorType: 'EMAIL', recoveryType: 'PASSWORD' };

describe('public EMAIL recovery (§1.2)', () => {
  it('answers the bare challenge, e-mails a link on our domain, and the whole flow resets the password', async () => {
    const e = await emulator();
    const res = await e.post('/recovery/password', { username: 'alice@example.com', factorType: 'EMAIL' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(EMAIL_CHALLENGE);
    const token = await tokenFromEmail(e, 'alice@example.com');

    const rec = await e.post('/recovery/token', { recoveryToken: token });
    expect(rec.status).toBe(200);
    expect(rec.body.status).toBe('RECOVERY');
    expect(rec.body._embedded.user.recovery_question.question).toBe('What is the food you least liked as a child?');
    expect(rec.body._links.next.href).toBe(`${e.url}/api/v1/authn/recovery/answer`);

    const answered = await e.post('/recovery/answer', { stateToken: rec.body.stateToken, answer: '  bRuSsElS SPROUTS ' });
    expect(answered.status).toBe(200);
    expect(answered.body.status).toBe('PASSWORD_RESET');
    expect(answered.body._embedded.policy).toEqual({
      complexity: { minLength: 8, minLowerCase: 1, minUpperCase: 1, minNumber: 1, minSymbol: 0, excludeUsername: true, excludeAttributes: [] },
      age: { minAgeMinutes: 0, historyCount: 4 },
    });
    expect(answered.body._links.next).toEqual({
      name: 'resetPassword',
      href: `${e.url}/api/v1/authn/credentials/reset_password`,
      hints: { allow: ['POST'] },
    });

    const done = await e.post('/credentials/reset_password', { stateToken: answered.body.stateToken, newPassword: 'Quartz-Lamp-77' });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('SUCCESS');
    expect(done.body.sessionToken).toEqual(expect.any(String));
    expect(done.body._embedded.user.profile.login).toBe('alice@example.com');
    expect(e.getUser('alice@example.com')?.lastRevokeSessions).toBe(false);

    expect((await e.post('', { username: 'alice@example.com', password: 'Quartz-Lamp-77' })).body.status).toBe('SUCCESS');
    const old = await e.post('', { username: 'alice@example.com', password: 'Wonderland-2024' });
    expect([old.status, old.body.errorCode]).toEqual([401, 'E0000004']);
    // The state token is consumed by SUCCESS (§4.4).
    const again = await e.post('', { stateToken: answered.body.stateToken });
    expect([again.status, again.body.errorCode]).toEqual([401, 'E0000011']);
  });

  it('goes straight to PASSWORD_RESET when the user has no question (§2.4)', async () => {
    const e = await emulator();
    const res = await e.post('/recovery/token', { recoveryToken: await tokenFromEmail(e, 'bob@example.com') });
    expect(res.body.status).toBe('PASSWORD_RESET');
    expect(res.body._links.next.name).toBe('resetPassword');
  });

  it('goes straight to PASSWORD_RESET when the policy does not require the question', async () => {
    const e = await emulator({ policy: { requireRecoveryQuestion: false } });
    const res = await e.post('/recovery/token', { recoveryToken: await tokenFromEmail(e, 'alice@example.com') });
    expect(res.body.status).toBe('PASSWORD_RESET');
  });

  it('records revokeSessions on the user', async () => {
    const e = await emulator();
    const pr = await passwordResetState(e);
    await e.post('/credentials/reset_password', { stateToken: pr.body.stateToken, newPassword: 'Quartz-Lamp-77', revokeSessions: true });
    expect(e.sessionsRevoked('alice@example.com')).toBe(1);
    expect(e.getUser('alice@example.com')?.lastRevokeSessions).toBe(true);
  });
});

describe('silent behaviour (§1.3)', () => {
  it.each([
    ['unknown', 'nobody@example.com', []],
    ['LOCKED_OUT', 'carol@example.com', ['ForgotPasswordDenied']],
    ['SUSPENDED', 'dave@example.com', []],
    ['DEPROVISIONED', 'erin@example.com', []],
    ['password younger than minAgeMinutes', 'frank@example.com', ['ForgotPasswordDenied']],
  ])('%s user: the same 200 body, and the denied e-mail or none', async (_label, login, templates) => {
    const e = await emulator();
    const res = await e.post('/recovery/password', { username: login, factorType: 'EMAIL' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(EMAIL_CHALLENGE);
    expect(e.outbox.map((m) => m.template)).toEqual(templates);
    expect(e.outbox.every((m) => m.link === undefined && !m.text.includes('/reset-password/'))).toBe(true);
  });

  it('the min-age user gets the real e-mail once the password is old enough', async () => {
    const e = await emulator();
    e.clock.advance(61 * 60_000);
    await e.post('/recovery/password', { username: 'frank@example.com', factorType: 'EMAIL' });
    expect(e.outbox.map((m) => m.template)).toEqual(['ForgotPassword']);
  });
});

describe('trusted variant (§1.5)', () => {
  it('returns a recoveryToken with its expiry, sends nothing, and the token works', async () => {
    const e = await emulator();
    const res = await e.post('/recovery/password', { username: 'alice@example.com' }, trusted);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('RECOVERY');
    expect(res.body.recoveryType).toBe('PASSWORD');
    expect(res.body.expiresAt).toBe(new Date(e.clock.now() + 60 * 60_000).toISOString());
    expect(res.body).not.toHaveProperty('stateToken');
    expect(res.body._links.next.name).toBe('recovery');
    expect(e.outbox).toHaveLength(0);
    expect((await e.post('/recovery/token', { recoveryToken: res.body.recoveryToken })).body.status).toBe('RECOVERY');
  });

  it('refuses a wrong API token with 401 E0000011', async () => {
    const e = await emulator();
    const res = await e.post('/recovery/password', { username: 'alice@example.com' }, { authorization: 'SSWS wrong' });
    expect([res.status, res.body.errorCode]).toEqual([401, 'E0000011']);
  });

  it('refuses any API token when none is configured', async () => {
    const e = await emulator({ apiToken: undefined });
    const res = await e.post('/recovery/password', { username: 'alice@example.com' }, trusted);
    expect([res.status, res.body.errorCode]).toEqual([401, 'E0000011']);
  });

  it('without a token and without factorType is 400 E0000001', async () => {
    const e = await emulator();
    const res = await e.post('/recovery/password', { username: 'alice@example.com' });
    expect([res.status, res.body.errorCode]).toEqual([400, 'E0000001']);
    expect(res.body.errorSummary).toBe('Api validation failed: factorType');
  });

  it('leaks an unknown user to the trusted app as 403 E0000095', async () => {
    const e = await emulator();
    const res = await e.post('/recovery/password', { username: 'nobody@example.com' }, trusted);
    expect([res.status, res.body.errorCode, res.body.errorSummary]).toEqual([403, 'E0000095', 'Recovery not allowed for unknown user.']);
  });
});

describe('unlock (§5)', () => {
  it('e-mails the unlock link to a locked user; token + answer end in SUCCESS UNLOCK and unlock the user', async () => {
    const e = await emulator();
    const res = await e.post('/recovery/unlock', { username: 'carol@example.com', factorType: 'EMAIL' });
    expect(res.body).toEqual({ ...EMAIL_CHALLENGE, recoveryType: 'UNLOCK' });
    const mail = e.outbox[0];
    expect(mail?.template).toBe('SelfServiceUnlock');
    expect(mail?.link).toMatch(/^https:\/\/account\.example\.test\/unlock-account\/[A-Za-z0-9]{20}$/);
    const rec = await e.post('/recovery/token', { recoveryToken: mail?.link?.split('/').pop() });
    expect([rec.body.status, rec.body.recoveryType]).toEqual(['RECOVERY', 'UNLOCK']);
    const done = await e.post('/recovery/answer', { stateToken: rec.body.stateToken, answer: 'REX' });
    expect([done.body.status, done.body.recoveryType]).toEqual(['SUCCESS', 'UNLOCK']);
    expect(e.getUser('carol@example.com')?.status).toBe('ACTIVE');
    expect((await e.post('', { username: 'carol@example.com', password: 'Christmas-2024' })).body.status).toBe('SUCCESS');
  });

  it('tells an unlocked user their account is not locked, without a link', async () => {
    const e = await emulator();
    await e.post('/recovery/unlock', { username: 'alice@example.com', factorType: 'EMAIL' });
    expect(e.outbox.map((m) => [m.template, m.link])).toEqual([['SelfServiceUnlockOnUnlockedAccount', undefined]]);
  });
});

describe('SMS and CALL factors (§1.4, §5)', () => {
  it('verifies the passcode: wrong → 403 E0000068 (token stays valid), right → RECOVERY', async () => {
    const e = await emulator();
    const ch = await e.post('/recovery/password', { username: 'alice@example.com', factorType: 'SMS' });
    expect(ch.body.factorType).toBe('sms');
    const wrong = await e.post('/recovery/factors/sms/verify', { stateToken: ch.body.stateToken, passCode: '000000x' });
    expect([wrong.status, wrong.body.errorCode]).toEqual([403, 'E0000068']);
    expect(wrong.body.errorCauses).toEqual([{ errorSummary: "Your token doesn't match our records. Please try again." }]);
    const ok = await e.post('/recovery/factors/SMS/verify', { stateToken: ch.body.stateToken, passCode: e.lastSmsPasscode('alice@example.com') });
    expect(ok.body.status).toBe('RECOVERY');
    expect(ok.body.stateToken).toBe(ch.body.stateToken);
  });

  it('resend issues a new passcode, but not twice within 30 s (E0000109)', async () => {
    const e = await emulator();
    const ch = await e.post('/recovery/password', { username: 'alice@example.com', factorType: 'SMS' });
    const early = await e.post('/recovery/factors/sms/resend', { stateToken: ch.body.stateToken });
    expect([early.status, early.body.errorCode]).toEqual([429, 'E0000109']);
    e.clock.advance(30_000);
    const resent = await e.post('/recovery/factors/sms/resend', { stateToken: ch.body.stateToken });
    expect(resent.body.status).toBe('RECOVERY_CHALLENGE');
    const code = e.lastSmsPasscode('alice@example.com');
    expect(code).toMatch(/^\d{6}$/);
    const ok = await e.post('/recovery/factors/sms/verify', { stateToken: ch.body.stateToken, passCode: code });
    expect(ok.body.status).toBe('RECOVERY');
  });

  it('an unknown user gets the same challenge, which never verifies', async () => {
    const e = await emulator();
    const ch = await e.post('/recovery/password', { username: 'nobody@example.com', factorType: 'CALL' });
    expect([ch.status, ch.body.status, ch.body.factorType]).toEqual([200, 'RECOVERY_CHALLENGE', 'CALL']);
    const res = await e.post('/recovery/factors/call/verify', { stateToken: ch.body.stateToken, passCode: '123456' });
    expect(res.body.errorCode).toBe('E0000068');
  });
});

describe('state enforcement, state and cancel (§6)', () => {
  it('refuses an operation in the wrong state with 403 E0000079 and its cause', async () => {
    const e = await emulator();
    const rec = await recoveryState(e);
    const res = await e.post('/credentials/reset_password', { stateToken: rec.body.stateToken, newPassword: 'Quartz-Lamp-77' });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      errorCode: 'E0000079',
      errorCauses: [{ errorSummary: 'This operation is not allowed in the current authentication state.' }],
    });
  });

  it('POST /authn {stateToken} returns the current state', async () => {
    const e = await emulator();
    const pr = await passwordResetState(e);
    const res = await e.post('', { stateToken: pr.body.stateToken });
    expect(res.body.status).toBe('PASSWORD_RESET');
    expect(res.body._links.next.name).toBe('resetPassword');
  });

  it('cancel answers {"_embedded": {}} and kills the stateToken', async () => {
    const e = await emulator();
    const rec = await recoveryState(e);
    const res = await e.post('/cancel', { stateToken: rec.body.stateToken });
    expect([res.status, res.body]).toEqual([200, { _embedded: {} }]);
    const after = await e.post('/recovery/answer', { stateToken: rec.body.stateToken, answer: 'Brussels sprouts' });
    expect([after.status, after.body.errorCode]).toEqual([401, 'E0000011']);
  });

  it('cancel echoes the relayState of a transaction that has one', async () => {
    const e = await emulator();
    const rec = await recoveryState(e, 'alice@example.com', { relayState: '/back' });
    expect(rec.body.relayState).toBe('/back');
    expect((await e.post('/cancel', { stateToken: rec.body.stateToken })).body).toEqual({ relayState: '/back' });
  });
});

describe('malformed input (§6)', () => {
  it.each([
    ['/recovery/password', '{"username": '],
    ['/recovery/token', '[1,2]'],
    ['/recovery/answer', '"text"'],
  ])('%s with %s → 400 E0000003', async (path, raw) => {
    const e = await emulator();
    const res = await e.post(path, raw);
    expect([res.status, res.body.errorCode, res.body.errorSummary]).toEqual([400, 'E0000003', 'The request body was not well-formed.']);
  });

  it.each([
    ['/recovery/password', { factorType: 'EMAIL' }, 'username'],
    ['/recovery/password', { username: 'alice@example.com', factorType: 'PIGEON' }, 'factorType'],
    ['/recovery/token', {}, 'recoveryToken'],
    ['/recovery/answer', { stateToken: 'x' }, 'answer'],
    ['/credentials/reset_password', { stateToken: 'x', newPassword: 5 }, 'newPassword'],
    ['/credentials/reset_password', { stateToken: 'x', newPassword: 'y', revokeSessions: 'yes' }, 'revokeSessions'],
    ['/cancel', {}, 'stateToken'],
    ['', {}, 'username'],
  ])('%s with %j → 400 E0000001 naming %s', async (path, body, field) => {
    const e = await emulator();
    const res = await e.post(path, body);
    expect([res.status, res.body.errorCode, res.body.errorSummary]).toEqual([400, 'E0000001', `Api validation failed: ${field}`]);
    expect(res.body.errorCauses[0].errorSummary).toMatch(new RegExp(`^${field}: `));
  });

  it('an empty body is missing fields, not a crash', async () => {
    const e = await emulator();
    const res = await fetch(`${e.url}/api/v1/authn/recovery/token`, { method: 'POST' });
    expect([res.status, ((await res.json()) as { errorCode: string }).errorCode]).toEqual([400, 'E0000001']);
  });

  it('unknown paths are 404 E0000007 and wrong methods 405 E0000022', async () => {
    const e = await emulator();
    const missing = await e.post('/recovery/nope', {});
    expect([missing.status, missing.body.errorCode]).toEqual([404, 'E0000007']);
    const get = await fetch(`${e.url}/api/v1/authn/recovery/password`);
    expect([get.status, ((await get.json()) as { errorCode: string }).errorCode]).toEqual([405, 'E0000022']);
  });

  it('gives every error a fresh errorId', async () => {
    const e = await emulator();
    const a = await e.post('/recovery/token', { recoveryToken: 'nope' });
    const b = await e.post('/recovery/token', { recoveryToken: 'nope' });
    expect(a.body.errorId).toMatch(/^oae[\w-]{22}$/);
    expect(a.body.errorId === b.body.errorId).toBe(false);
    expect(a.headers.get('x-okta-request-id') === b.headers.get('x-okta-request-id')).toBe(false);
  });
});

it('issueRecoveryToken on the handle gives a token the API accepts', async () => {
  const e = await emulator();
  const res = await e.post('/recovery/token', { recoveryToken: e.issueRecoveryToken('alice@example.com') });
  expect(res.body.status).toBe('RECOVERY');
  expect(await trustedToken(e, 'bob@example.com')).toMatch(/^[A-Za-z0-9]{20}$/);
});
