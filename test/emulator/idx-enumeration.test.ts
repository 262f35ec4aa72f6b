/**
 * Unknown users and user enumeration prevention (contract §6.3, §11.6). On: an unknown,
 * suspended or deprovisioned user gets responses that differ from a real user's only in the values
 * the user typed and in random handles; no email; every code fails. Off: `idx.unknown.user`.
 */
import { closeAll } from './helpers.js';
import type { Reply, TestEmulator } from './helpers.js';
import { begin, formOf, idxEmulator, messageKeys, submit, toEmailChallenge, toEmailChoice } from './idx-helpers.js';

afterEach(closeAll);

/** A body with the per-transaction values blanked: handles, times, hosts, the typed name, the interact state. */
function skeleton(reply: Reply, typed: string): string {
  return JSON.stringify(reply.body)
    .replace(/"(stateHandle|expiresAt|code_challenge|state)":"[^"]*"/g, '"$1":"…"')
    .replace(/"value":"02\.id\.[^"]*"/g, '"value":"…"')
    .replaceAll(typed, '<typed>');
}

const UNKNOWN = ['nobody@example.com', 'dave@example.com', 'erin@example.com'];

describe('with enumeration prevention on', () => {
  it.each(UNKNOWN)('%s looks like alice up to the code: same status, same body shape, no email', async (login) => {
    const e = await idxEmulator({ idx: { userEnumerationPrevention: true } });
    const known = await toEmailChallenge(e, 'alice@example.com');
    const other = await toEmailChallenge(e, login);
    expect(other.reply.status).toBe(known.reply.status);
    expect(skeleton(other.reply, login)).toBe(skeleton(known.reply, 'alice@example.com'));
    expect(e.outbox.map((m) => m.to)).toEqual(['alice@example.com']);
    expect(e.idx.lastOtp(login)).toBeUndefined();
  });

  it('every code fails for an unknown user, with the real user\'s answer; resend sends nothing', async () => {
    const e = await idxEmulator({ idx: { userEnumerationPrevention: true } });
    const alice = await toEmailChallenge(e, 'alice@example.com');
    const { reply } = await toEmailChallenge(e, 'nobody@example.com');
    const aliceCode = e.idx.lastOtp('alice@example.com');
    const guess = await submit(e, formOf(reply.body, 'challenge-authenticator'), { credentials: { passcode: aliceCode } });
    expect(guess.status).toBe(401);
    expect(messageKeys(guess.body)).toEqual(['api.authn.error.PASSCODE_INVALID']);
    const aliceWrong = await submit(e, formOf(alice.reply.body, 'challenge-authenticator'), { credentials: { passcode: 'nope12' } });
    expect(skeleton(guess, 'nobody@example.com')).toBe(skeleton(aliceWrong, 'alice@example.com'));
    expect((await submit(e, reply.body.currentAuthenticatorEnrollment.value.resend)).status).toBe(200);
    expect(e.outbox.map((m) => m.to)).toEqual(['alice@example.com']);
  });

  it('identifier-first: an unknown user is shown a made-up id and masked name where a real user has theirs (§3.2)', async () => {
    const e = await idxEmulator({ idx: { userEnumerationPrevention: true, entry: 'identifier-first' } });
    /** Also blanks the per-user values a decoy must have but cannot share: ids and the masked email. */
    const blanked = (reply: Reply, typed: string): string =>
      skeleton(reply, typed)
        .replace(/"(00u|eae|lae)[\w]+"/g, '"<id>"')
        .replace(/"\w\*\*\*\w?@[^"]+"/g, '"<masked>"');
    const walk = async (login: string): Promise<Reply[]> => {
      const { first } = await begin(e);
      const challenge = await submit(e, formOf(first.body, 'identify'), { identifier: login });
      const recovered = await submit(e, challenge.body.currentAuthenticatorEnrollment.value.recover);
      const form = formOf(recovered.body, 'authenticator-verification-data');
      const sent = await submit(e, form, { authenticator: { id: form.value[0].form.value[0].value, methodType: 'email' } });
      return [challenge, recovered, sent];
    };
    const real = await walk('alice@example.com');
    const decoy = await walk('nobody@example.com');
    expect(decoy.map((r) => r.status)).toEqual(real.map((r) => r.status));
    for (const [i, reply] of decoy.entries()) {
      expect(blanked(reply, 'nobody@example.com')).toBe(blanked(real[i] as Reply, 'alice@example.com'));
    }
    expect(decoy[0]?.body.user.value.id).toMatch(/^00u/);
    expect(decoy[1]?.body.currentAuthenticatorEnrollment.value.profile.email).toBe('n***y@example.com');
    expect(e.outbox.map((m) => m.to)).toEqual(['alice@example.com']);
  });

  it('an unknown user is capped at 5 wrong codes like anyone (429)', async () => {
    const e = await idxEmulator({ idx: { userEnumerationPrevention: true } });
    const { reply } = await toEmailChallenge(e, 'nobody@example.com');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await submit(e, formOf(reply.body, 'challenge-authenticator'), { credentials: { passcode: '123456' } })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
  });
});

describe('with enumeration prevention off (Okta\'s default)', () => {
  it.each(UNKNOWN)('%s gets identify-recovery back with INFO idx.unknown.user and no email', async (login) => {
    const e = await idxEmulator();
    const { reply } = await toEmailChoice(e, login);
    expect(reply.status).toBe(400);
    expect(reply.body.messages.value).toEqual([
      { message: `There is no account with the Username ${login}.`, i18n: { key: 'idx.unknown.user', params: [] }, class: 'INFO' },
    ]);
    expect(formOf(reply.body, 'identify-recovery')).toBeDefined();
    expect(e.outbox).toHaveLength(0);
  });

  it('can be switched at run time (control endpoint and handle share one setting)', async () => {
    const e = await idxEmulator();
    const res = await fetch(`${e.url}/__emulator/idx/settings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userEnumerationPrevention: true }),
    });
    expect(res.status).toBe(200);
    expect(e.idx.settings().userEnumerationPrevention).toBe(true);
    expect((await toEmailChoice(e, 'nobody@example.com')).reply.status).toBe(200);
  });
});

it('the identifier is required', async () => {
  const e: TestEmulator = await idxEmulator();
  const { reply } = await toEmailChoice(e, '   ');
  expect(reply.status).toBe(400);
  expect(messageKeys(reply.body)).toEqual(['model.validation.field.blank']);
});
