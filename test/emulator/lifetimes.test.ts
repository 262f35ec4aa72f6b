/**
 * Lifetimes, single use and lockout (contract §2.3, §3.3, §9), with time moved by a ManualClock.
 */
import { closeAll, emulator, passwordResetState, recoveryState, tokenFromEmail, trustedToken } from './helpers.js';

afterEach(closeAll);

describe('recovery token (§2.3, §9)', () => {
  it('lives 60 minutes by default, then answers 403 E0000105', async () => {
    const e = await emulator();
    const early = await tokenFromEmail(e, 'alice@example.com');
    const late = await tokenFromEmail(e, 'alice@example.com');
    e.clock.advance(60 * 60_000 - 1);
    expect((await e.post('/recovery/token', { recoveryToken: early })).status).toBe(200);
    e.clock.advance(1);
    const expired = await e.post('/recovery/token', { recoveryToken: late });
    expect([expired.status, expired.body.errorCode]).toEqual([403, 'E0000105']);
    expect(expired.body.errorSummary).toBe(
      'You have accessed an account recovery link that has expired or been previously used.',
    );
  });

  it('honours a configured lifetime', async () => {
    const e = await emulator({ recoveryTokenLifetimeMs: 10 * 60_000 });
    const token = await trustedToken(e, 'alice@example.com');
    e.clock.advance(10 * 60_000);
    expect((await e.post('/recovery/token', { recoveryToken: token })).body.errorCode).toBe('E0000105');
  });

  it('is single use', async () => {
    const e = await emulator();
    const token = await tokenFromEmail(e, 'alice@example.com');
    expect((await e.post('/recovery/token', { recoveryToken: token })).status).toBe(200);
    const again = await e.post('/recovery/token', { recoveryToken: token });
    expect([again.status, again.body.errorCode]).toEqual([403, 'E0000105']);
  });

  it('a token never issued is 401 E0000011 by default, or 403 E0000105 when configured', async () => {
    const a = await emulator();
    const res = await a.post('/recovery/token', { recoveryToken: 'NeverIssuedToken0000' });
    expect([res.status, res.body.errorCode]).toEqual([401, 'E0000011']);
    const b = await emulator({ neverIssuedTokenError: 'E0000105' });
    const res2 = await b.post('/recovery/token', { recoveryToken: 'NeverIssuedToken0000' });
    expect([res2.status, res2.body.errorCode]).toEqual([403, 'E0000105']);
  });

  it('dies, with every other older token, when the password changes', async () => {
    const e = await emulator();
    const older = await tokenFromEmail(e, 'alice@example.com');
    const pr = await passwordResetState(e);
    expect((await e.post('/credentials/reset_password', { stateToken: pr.body.stateToken, newPassword: 'Quartz-Lamp-77' })).status).toBe(200);
    const res = await e.post('/recovery/token', { recoveryToken: older });
    expect([res.status, res.body.errorCode]).toEqual([403, 'E0000105']);
    // A token issued after the change works.
    expect((await e.post('/recovery/token', { recoveryToken: await tokenFromEmail(e, 'alice@example.com') })).status).toBe(200);
  });

  it("ends the user's other transactions when the password changes, and nobody else's", async () => {
    const e = await emulator();
    const alicesOther = await recoveryState(e, 'alice@example.com');
    const bobs = await e.post('/recovery/token', { recoveryToken: await trustedToken(e, 'bob@example.com') });
    expect(bobs.status).toBe(200);
    const bobsToken = await tokenFromEmail(e, 'bob@example.com');
    const pr = await passwordResetState(e);
    expect((await e.post('/credentials/reset_password', { stateToken: pr.body.stateToken, newPassword: 'Quartz-Lamp-77' })).status).toBe(200);
    const dead = await e.post('', { stateToken: alicesOther.body.stateToken });
    expect([dead.status, dead.body.errorCode]).toEqual([401, 'E0000011']);
    expect((await e.post('', { stateToken: bobs.body.stateToken })).status).toBe(200);
    expect((await e.post('/recovery/token', { recoveryToken: bobsToken })).status).toBe(200);
  });
});

describe('stateToken sliding expiry (§9)', () => {
  it('each successful call extends expiresAt; idle past the lifetime → 401 E0000011', async () => {
    const e = await emulator();
    const rec = await recoveryState(e);
    expect(rec.body.expiresAt).toBe(new Date(e.clock.now() + 5 * 60_000).toISOString());
    e.clock.advance(4 * 60_000);
    const state = await e.post('', { stateToken: rec.body.stateToken });
    expect(state.body.expiresAt).toBe(new Date(e.clock.now() + 5 * 60_000).toISOString());
    e.clock.advance(4 * 60_000); // 8 minutes after issue, but 4 after the last call
    const answered = await e.post('/recovery/answer', { stateToken: rec.body.stateToken, answer: 'Brussels sprouts' });
    expect(answered.body.status).toBe('PASSWORD_RESET');
    e.clock.advance(5 * 60_000);
    const dead = await e.post('/credentials/reset_password', { stateToken: rec.body.stateToken, newPassword: 'Quartz-Lamp-77' });
    expect([dead.status, dead.body.errorCode]).toEqual([401, 'E0000011']);
  });

  it('honours a configured lifetime', async () => {
    const e = await emulator({ stateTokenLifetimeMs: 30_000 });
    const rec = await recoveryState(e);
    e.clock.advance(30_000);
    expect((await e.post('', { stateToken: rec.body.stateToken })).body.errorCode).toBe('E0000011');
  });
});

describe('wrong answers and lockout (§3.3, modelled)', () => {
  it('keeps the state token after a wrong answer; the 5th wrong answer locks the user (E0000069), then E0000011', async () => {
    const e = await emulator();
    const rec = await recoveryState(e);
    const token = rec.body.stateToken as string;
    for (let i = 1; i <= 4; i++) {
      const res = await e.post('/recovery/answer', { stateToken: token, answer: `guess ${i}` });
      expect([res.status, res.body.errorCode]).toEqual([403, 'E0000087']);
      expect(e.wrongAnswerCount('alice@example.com')).toBe(i);
    }
    const locked = await e.post('/recovery/answer', { stateToken: token, answer: 'guess 5' });
    expect([locked.status, locked.body.errorCode, locked.body.errorSummary]).toEqual([403, 'E0000069', 'User Locked']);
    expect(e.getUser('alice@example.com')?.status).toBe('LOCKED_OUT');
    const after = await e.post('/recovery/answer', { stateToken: token, answer: 'Brussels sprouts' });
    expect([after.status, after.body.errorCode]).toEqual([401, 'E0000011']);
    expect((await e.post('', { username: 'alice@example.com', password: 'Wonderland-2024' })).body.status).toBe('LOCKED_OUT');
  });

  it('a right answer resets the count; the limit is configurable', async () => {
    const e = await emulator({ policy: { maxWrongAnswers: 2 } });
    const rec = await recoveryState(e);
    await e.post('/recovery/answer', { stateToken: rec.body.stateToken, answer: 'nope' });
    expect((await e.post('/recovery/answer', { stateToken: rec.body.stateToken, answer: 'brussels sprouts' })).status).toBe(200);
    expect(e.wrongAnswerCount('alice@example.com')).toBe(0);
    const rec2 = await recoveryState(e);
    await e.post('/recovery/answer', { stateToken: rec2.body.stateToken, answer: 'nope' });
    const locked = await e.post('/recovery/answer', { stateToken: rec2.body.stateToken, answer: 'nope' });
    expect(locked.body.errorCode).toBe('E0000069');
  });
});
