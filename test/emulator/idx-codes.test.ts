/**
 * The email code (contract §4.2, §4.5, §6.4, §11.9): 6 digits (or the org's alphanumeric format),
 * single use, 5 minutes, and 5 wrong answers in 5 minutes per user → 429 until the window passes.
 */
import { closeAll } from './helpers.js';
import type { Reply, TestEmulator } from './helpers.js';
import { afterCode, formOf, idxEmulator, messageKeys, remediations, submit, toEmailChallenge } from './idx-helpers.js';

afterEach(closeAll);

const codeForm = (reply: Reply): unknown => formOf(reply.body, 'challenge-authenticator');
const answer = (e: TestEmulator, reply: Reply, passcode: unknown): Promise<Reply> =>
  submit(e, codeForm(reply), { credentials: { passcode } });

/** A code that is not bob's current one. */
const wrongFor = (e: TestEmulator): string => (e.idx.lastOtp('bob@example.com') === '000000' ? '111111' : '000000');

it('is 6 digits by default, and a wrong one is 401 with PASSCODE_INVALID on the field, the form unchanged', async () => {
  const e = await idxEmulator();
  const { reply } = await toEmailChallenge(e, 'bob@example.com');
  expect(e.idx.lastOtp('bob@example.com')).toMatch(/^\d{6}$/);
  const wrong = await answer(e, reply, wrongFor(e));
  expect(wrong.status).toBe(401);
  expect(messageKeys(wrong.body)).toEqual(['api.authn.error.PASSCODE_INVALID']);
  const field = formOf(wrong.body, 'challenge-authenticator').value[0].form.value[0];
  expect(field.name).toBe('passcode');
  expect(field.messages.value[0].class).toBe('ERROR');
  // Still usable: the right code goes through afterwards.
  expect((await answer(e, reply, e.idx.lastOtp('bob@example.com'))).status).toBe(200);
});

it('is single use: once accepted, the state has moved on and the code answers nothing', async () => {
  const e = await idxEmulator();
  const { reply } = await toEmailChallenge(e, 'bob@example.com');
  const code = e.idx.lastOtp('bob@example.com');
  expect((await answer(e, reply, code)).status).toBe(200);
  // The same form again: reset-authenticator now reads it as a (too short) password, not a code.
  const replay = await answer(e, reply, code);
  expect(replay.status).toBe(400);
  expect(remediations(replay.body)).toEqual(['reset-authenticator']);
});

it('dies after its 5-minute lifetime, with the same answer as a wrong code', async () => {
  const e = await idxEmulator();
  const { reply } = await toEmailChallenge(e, 'bob@example.com');
  e.clock.advance(5 * 60_000);
  const late = await answer(e, reply, e.idx.lastOtp('bob@example.com'));
  expect(late.status).toBe(401);
  expect(messageKeys(late.body)).toEqual(['api.authn.error.PASSCODE_INVALID']);
});

it('the 5th wrong code within 5 minutes is 429 tooManyRequests, even the right one is refused then, until the window passes', async () => {
  const e = await idxEmulator();
  const { reply } = await toEmailChallenge(e, 'bob@example.com');
  for (let i = 1; i <= 4; i++) expect((await answer(e, reply, wrongFor(e))).status).toBe(401);
  const fifth = await answer(e, reply, wrongFor(e));
  expect(fifth.status).toBe(429);
  expect(messageKeys(fifth.body)).toEqual(['tooManyRequests']);
  expect(fifth.body.version).toBe('1.0.0');
  expect((await answer(e, reply, e.idx.lastOtp('bob@example.com'))).status).toBe(429);
  // The count is the user's, not the transaction's (§6.4 "scope User"): a new transaction is capped too.
  const { reply: again } = await toEmailChallenge(e, 'bob@example.com');
  expect((await answer(e, again, e.idx.lastOtp('bob@example.com'))).status).toBe(429);
  e.clock.advance(5 * 60_000);
  // The transaction's idle window (10 min) outlives the cap; its code (5 min) does not, so resend.
  const resent = await submit(e, again.body.currentAuthenticatorEnrollment.value.resend);
  expect((await answer(e, resent, e.idx.lastOtp('bob@example.com'))).status).toBe(200);
});

it('follows the org format: 10 alphanumeric characters, announced on the field (§4.2)', async () => {
  const e = await idxEmulator({ idx: { otpFormat: 'alphanumeric' } });
  const { reply } = await toEmailChallenge(e, 'bob@example.com');
  const code = e.idx.lastOtp('bob@example.com') ?? '';
  expect(code).toMatch(/^[A-Z0-9]{10}$/);
  expect(formOf(reply.body, 'challenge-authenticator').value[0].form.value[0]).toMatchObject({
    minLength: 10,
    maxLength: 10,
    format: 'alphanumeric',
  });
  // Typed in lower case with blanks around, as SIW Gen3 trims (§4.2).
  expect((await answer(e, reply, ` ${code.toLowerCase()} `)).status).toBe(200);
});

it('the security answer is checked too: wrong → 401 on the field; the 5th wrong locks the user out', async () => {
  const e = await idxEmulator();
  const { reply } = await afterCode(e, 'alice@example.com');
  const form = formOf(reply.body, 'challenge-authenticator');
  const wrong = await submit(e, form, { credentials: { questionKey: 'disliked_food', answer: 'Broccoli' } });
  expect(wrong.status).toBe(401);
  expect(messageKeys(wrong.body)).toEqual(['authfactor.challenge.question_factor.answer_invalid']);
  for (let i = 2; i <= 4; i++) await submit(e, form, { credentials: { questionKey: 'disliked_food', answer: 'Broccoli' } });
  const fifth = await submit(e, form, { credentials: { questionKey: 'disliked_food', answer: 'Broccoli' } });
  expect(fifth.status).toBe(403);
  expect(messageKeys(fifth.body)).toEqual(['authfactor.challenge.suspended_factor']);
  expect(e.getUser('alice@example.com')?.status).toBe('LOCKED_OUT');
  const after = await submit(e, form, { credentials: { questionKey: 'disliked_food', answer: 'Brussels sprouts' } });
  expect(after.status).toBe(401);
  expect(messageKeys(after.body)).toEqual(['idx.session.expired']);
});
