/**
 * The IDX engine (src/okta/idx/) against Okta mocked at the boundary (nock), answering with the
 * project's own IDX bodies (test/fixtures/okta-idx, written from the IDX contract: each file's
 * note names its section). Asserts what reached "Okta" (paths, bodies, headers) and what the
 * engine made of each answer, for both entry policies, every refusal and both 429 kinds.
 */
import { Writable } from 'node:stream';
import { ManualClock } from '../../src/clock.js';
import { createLogger } from '../../src/logger.js';
import { createOktaClient } from '../../src/okta/client.js';
import { createIdxEngine } from '../../src/okta/idx/engine.js';
import { createMemoryHandoffStore, createStartHandoff, type StartHandoff } from '../../src/okta/idx/start-handoff.js';
import type { EngineResult, EngineSession, RecoveryEngine } from '../../src/recovery/engine.js';
import { idxFixture as idx } from '../helpers/fixtures.js';
import { OKTA_ORG, OktaMock } from '../helpers/okta-nock.js';

const P = {
  interact: '/oauth2/v1/interact',
  introspect: '/idp/idx/introspect',
  recover: '/idp/idx/recover',
  identify: '/idp/idx/identify',
  challenge: '/idp/idx/challenge',
  answer: '/idp/idx/challenge/answer',
  resend: '/idp/idx/challenge/resend',
  cancel: '/idp/idx/cancel',
} as const;
const CONTEXT = { requestId: 'req-idx-1', clientIp: '203.0.113.9', userAgent: 'Firefox/130', acceptLanguage: 'fr' };
const okta = new OktaMock();
const logs: string[] = [];
let engine: RecoveryEngine;

const clock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));

function build(clientSecret?: string, handoff?: StartHandoff): RecoveryEngine {
  const sink = new Writable({ write: (chunk, _encoding, callback) => (logs.push(String(chunk)), callback()) });
  const client = createOktaClient({ orgUrl: OKTA_ORG, timeoutMs: 2000 });
  const settings = { orgUrl: OKTA_ORG, clientId: '0oa1recoveryfixture', clientSecret, authServerPath: 'oauth2', redirectUri: 'https://id.acme.example/reset-password/callback' };
  return createIdxEngine({ okta: client, clock, logger: createLogger({ level: 'info', destination: sink }), settings, handoff });
}

/** The handoff as deps.ts builds it without Redis; no wait for other instances (there are none). */
function memoryHandoff(): StartHandoff {
  const logger = createLogger({ level: 'silent' });
  return createStartHandoff({ store: createMemoryHandoffStore({ maxEntries: 100, now: () => clock.now() }), logger, ttlMs: 10 * 60_000, concurrency: 4, otherInstanceWaitMs: 0 });
}
beforeEach(() => {
  okta.reset();
  logs.length = 0;
  engine = build();
});

function pathA(): void {
  okta.reply(P.interact, idx('interact.json'));
  okta.reply(P.introspect, idx('introspect-identify-with-recover.json'));
  okta.reply(P.recover, idx('recover-identify-recovery.json'));
  okta.reply(P.identify, idx('identify-recovery-verification-data.json'));
  okta.reply(P.challenge, idx('challenge-email.json'));
}

async function started(): Promise<EngineSession> {
  pathA();
  const result = await engine.start({ username: 'pat@example.com' }, CONTEXT);
  if (result.kind !== 'code-sent') throw new Error(`expected code-sent, got ${result.kind}`);
  okta.reset();
  return result.session;
}

/** nock hands over bodies of a content type it does not know (application/ion+json) as text. */
const sent = (call: { body: unknown } | undefined): unknown => (typeof call?.body === 'string' ? JSON.parse(call.body) : call?.body);
const refusalOf = (result: EngineResult) => (result.kind === 'refused' ? result.outcome : result.kind);

describe('start', () => {
  it('one-step policy: interact with PKCE S256 and an unguessable state, then introspect → recover → identify → challenge the email', async () => {
    pathA();
    const result = await engine.start({ username: 'pat@example.com' }, CONTEXT);
    okta.assertAllUsed();
    expect(result).toMatchObject({ kind: 'code-sent', code: { format: 'digits' }, user: { login: 'pat@example.com' }, expiresAt: Date.parse('2030-01-01T00:10:00.000Z') });

    const interact = new URLSearchParams(okta.callsTo(P.interact)[0]?.body as unknown as string);
    expect(Object.fromEntries(interact)).toEqual({
      client_id: '0oa1recoveryfixture',
      scope: 'openid',
      redirect_uri: 'https://id.acme.example/reset-password/callback',
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(result.kind === 'code-sent' && result.key).toBe(interact.get('state'));
    expect(sent(okta.callsTo(P.introspect)[0])).toEqual({ interactionHandle: 'ihFixture-0123456789abcdefghij' });
    expect(sent(okta.callsTo(P.recover)[0])).toEqual({ stateHandle: '02.id.recoveryFixtureHandle0000000000000001' });
    expect(sent(okta.callsTo(P.identify)[0])).toEqual({ identifier: 'pat@example.com', stateHandle: '02.id.recoveryFixtureHandle0000000000000001' });
    expect(sent(okta.callsTo(P.challenge)[0])).toEqual({ authenticator: { id: 'aut1emailfixture', methodType: 'email' }, stateHandle: '02.id.recoveryFixtureHandle0000000000000001' });
    const headers = okta.callsTo(P.challenge)[0]?.headers ?? {};
    expect(headers['content-type']).toBe('application/ion+json; okta-version=1.0.0');
    expect([headers['x-forwarded-for'], headers['accept-language'], headers['user-agent']]).toEqual(['203.0.113.9', 'fr', 'Firefox/130']);
  });

  it('identifier-first policy: identify, select the password to reach recover, then the email (older select-only shape)', async () => {
    okta.reply(P.interact, idx('interact.json'));
    okta.reply(P.introspect, idx('introspect-identifier-first.json'));
    okta.reply(P.identify, idx('identify-password-challenge-with-recover.json'));
    okta.reply(P.recover, idx('recover-select-email-only.json'));
    okta.reply(P.challenge, idx('challenge-email.json'));
    const result = await engine.start({ username: 'pat@example.com' }, CONTEXT);
    okta.assertAllUsed();
    expect(result.kind).toBe('code-sent');
    expect(sent(okta.callsTo(P.challenge)[0])).toMatchObject({ authenticator: { id: 'aut1emailfixture', methodType: 'email' } });
  });

  it("an option's form Okta sent malformed is no choice: try again later, never a crash", async () => {
    // An option's value is not in the checked ION shape, so the engine reads it warily.
    okta.reply(P.interact, idx('interact.json'));
    okta.reply(P.introspect, idx('introspect-identifier-first.json'));
    okta.reply(P.identify, idx('identify-password-challenge-with-recover.json'));
    okta.reply(P.recover, idx('recover-select-email-only.json', (body) => {
      const select = (body.remediation as { value: { value: { options?: { value: unknown }[] }[] }[] }).value[0];
      const option = select?.value[0]?.options?.[0];
      if (option) option.value = { form: { value: 'aut1emailfixture' } };
    }));
    expect(refusalOf(await engine.start({ username: 'pat@example.com' }, CONTEXT))).toEqual({ kind: 'upstream-unavailable' });
    expect(okta.callsTo(P.challenge)).toHaveLength(0);
  });

  it('a confidential client sends its secret at interact', async () => {
    engine = build('client-secret-fixture');
    pathA();
    await engine.start({ username: 'pat@example.com' }, CONTEXT);
    expect(new URLSearchParams(okta.callsTo(P.interact)[0]?.body as unknown as string).get('client_secret')).toBe('client-secret-fixture');
  });

  it.each([
    ['an unknown user (idx.unknown.user)', P.identify, 'identify-recovery-unknown-user.json'],
    ['self-service reset not allowed', P.recover, 'recover-not-allowed.json'],
  ])('folds %s into the same code-sent, with one introspect standing in for the challenge', async (_name, at, file) => {
    okta.reply(P.interact, idx('interact.json'));
    okta.reply(P.introspect, idx('introspect-identify-with-recover.json'));
    if (at === P.identify) okta.reply(P.recover, idx('recover-identify-recovery.json'));
    okta.reply(at, idx(file));
    okta.reply(P.introspect, idx('session-expired.json'));
    const result = await engine.start({ username: 'nobody@example.com' }, CONTEXT);
    okta.assertAllUsed();
    expect(result).toMatchObject({ kind: 'code-sent', code: { format: 'digits' } });
    // Every later code is wrong, after one Okta call like a real one.
    okta.reply(P.answer, idx('session-expired.json'));
    if (result.kind !== 'code-sent') throw new Error('no session');
    expect(refusalOf(await engine.verifyCode(result.session, '123456', CONTEXT))).toEqual({ kind: 'wrong-code' });
    okta.assertAllUsed();
  });

  it.each([
    ["IDX's tooManyRequests (ION body)", () => okta.reply(P.identify, idx('too-many-requests.json'), { 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 20) }), { kind: 'rate-limited', retryAfterSeconds: expect.any(Number) }],
    ["the org's E0000047", () => okta.reply(P.identify, idx('org-rate-limit-E0000047.json')), { kind: 'rate-limited', retryAfterSeconds: expect.any(Number) }],
    ['a 5xx', () => okta.reply(P.identify, { status: 502, body: {} }), { kind: 'upstream-unavailable' }],
    ['a refused connection', () => okta.failConnection(P.identify), { kind: 'upstream-unavailable' }],
    ['a 200 that is not ION', () => okta.reply(P.identify, { status: 200, body: { stateHandle: 'x' } }), { kind: 'upstream-unavailable' }],
    // Malformed deep inside a form the engine would not read: still no answer to act on.
    ['an ION answer with a nameless field', () => okta.reply(P.identify, idx('identify-recovery-verification-data.json', (body) => {
      const form = (body.remediation as { value: { value: { name?: unknown }[] }[] }).value[0];
      if (form?.value[0]) form.value[0].name = 7;
    })), { kind: 'upstream-unavailable' }],
    ['an ION answer with an href that is not text', () => okta.reply(P.identify, idx('identify-recovery-verification-data.json', (body) => {
      (body.cancel as { href: unknown }).href = ['https://acme.okta.example/idp/idx/cancel'];
    })), { kind: 'upstream-unavailable' }],
  ])('maps %s at identify to the outcome we already present', async (_name, arrange, expected) => {
    okta.reply(P.interact, idx('interact.json'));
    okta.reply(P.introspect, idx('introspect-identify-with-recover.json'));
    okta.reply(P.recover, idx('recover-identify-recovery.json'));
    arrange();
    expect(refusalOf(await engine.start({ username: 'pat@example.com' }, CONTEXT))).toEqual(expected);
  });

  it('an interact refusal is unavailable to the user and an error naming the OAuth error for the operator', async () => {
    okta.reply(P.interact, idx('interact-unauthorized-client.json'));
    expect(refusalOf(await engine.start({ username: 'pat@example.com' }, CONTEXT))).toEqual({ kind: 'upstream-unavailable' });
    const line = logs.map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => entry.event === 'okta.idx.interact-refused');
    expect(line).toMatchObject({ oauthError: 'unauthorized_client', level: 50 });
  });

  it('never posts to an href outside the org URL', async () => {
    okta.reply(P.interact, idx('interact.json'));
    okta.reply(P.introspect, idx('introspect-identify-with-recover.json', (body) => {
      const current = body.currentAuthenticator as { value: { recover: { href: string } } };
      current.value.recover.href = 'https://evil.example/idp/idx/recover';
    }));
    expect(refusalOf(await engine.start({ username: 'pat@example.com' }, CONTEXT))).toEqual({ kind: 'upstream-unavailable' });
    expect(okta.callsTo(P.recover)).toHaveLength(0);
  });

  it('sends a form field Okta names __proto__ as a member of the body, and nothing a field name only inherits', async () => {
    okta.reply(P.interact, idx('interact.json'));
    okta.reply(P.introspect, idx('introspect-identify-with-recover.json'));
    okta.reply(P.recover, idx('recover-identify-recovery.json', (body) => {
      const forms = (body.remediation as { value: { name: string; value: Record<string, unknown>[] }[] }).value;
      forms.find((form) => form.name === 'identify-recovery')?.value.push({ name: '__proto__', value: { kept: true }, mutable: false }, { name: 'toString' });
    }));
    okta.reply(P.identify, idx('identify-recovery-verification-data.json'));
    okta.reply(P.challenge, idx('challenge-email.json'));
    expect((await engine.start({ username: 'pat@example.com' }, CONTEXT)).kind).toBe('code-sent');
    const body = sent(okta.callsTo(P.identify)[0]) as Record<string, unknown>;
    expect(Object.hasOwn(body, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(body, '__proto__')?.value).toEqual({ kept: true });
    expect(Object.hasOwn(body, 'toString')).toBe(false);
    expect(body.identifier).toBe('pat@example.com');
  });

  it("takes the code's rules from the form: 10 letters and digits", async () => {
    okta.reply(P.interact, idx('interact.json'));
    okta.reply(P.introspect, idx('introspect-identify-with-recover.json'));
    okta.reply(P.recover, idx('recover-identify-recovery.json'));
    okta.reply(P.identify, idx('identify-recovery-verification-data.json'));
    okta.reply(P.challenge, idx('challenge-email-alphanumeric.json'));
    expect(await engine.start({ username: 'pat@example.com' }, CONTEXT)).toMatchObject({ code: { format: 'alphanumeric', minLength: 10, maxLength: 10 } });
  });
});

describe('after the email', () => {
  it('a wrong code is wrong-code; an expired transaction is flow-expired', async () => {
    const session = await started();
    okta.reply(P.answer, idx('answer-code-invalid.json'));
    expect(refusalOf(await engine.verifyCode(session, '000000', CONTEXT))).toEqual({ kind: 'wrong-code' });
    expect(sent(okta.callsTo(P.answer)[0])).toEqual({ credentials: { passcode: '000000' }, stateHandle: '02.id.recoveryFixtureHandle0000000000000001' });
    okta.reply(P.answer, idx('session-expired.json'));
    expect(refusalOf(await engine.verifyCode(session, '000000', CONTEXT))).toEqual({ kind: 'flow-expired' });
  });

  it('the right code leads to the new password, with the checklist from the password authenticator', async () => {
    const session = await started();
    okta.reply(P.answer, idx('answer-code-reset-authenticator.json'));
    const result = await engine.verifyCode(session, '123456', CONTEXT);
    expect(result).toMatchObject({
      kind: 'choose-password',
      policy: { minLength: 10, minUpperCase: 1, excludeUsername: true, excludeFirstName: true, historyCount: 4 },
      user: { login: 'pat@example.com', firstName: 'Pat', lastName: 'Doe' },
    });
    if (result.kind !== 'choose-password') throw new Error('no session');
    okta.reply(P.answer, idx('reset-password-requirements.json'));
    expect(refusalOf(await engine.reset(result.session, { newPassword: 'Short-1a', revokeSessions: true }, CONTEXT))).toEqual({
      kind: 'password-rejected',
      unmet: [],
      refusals: ['requirements'],
      oktaCauses: [expect.stringContaining('Password requirements were not met')],
    });
    okta.reply(P.answer, idx('reset-success.json'));
    expect(await engine.reset(result.session, { newPassword: 'Long-enough-Pass-1', revokeSessions: true }, CONTEXT)).toEqual({
      kind: 'password-changed',
      user: { login: 'pat@example.com', firstName: 'Pat', locale: 'fr_FR', timeZone: 'Europe/Paris' },
    });
    expect(sent(okta.callsTo(P.answer).at(-1))).toEqual({ credentials: { passcode: 'Long-enough-Pass-1', revokeSessions: true }, stateHandle: '02.id.recoveryFixtureHandle0000000000000001' });
    // No token exchange: the password is changed, tokens are not ours to want (§5.4).
    expect(okta.callsTo('/oauth2/v1/token')).toHaveLength(0);
  });

  it('the security question: asked with its key, a wrong answer is wrong-answer', async () => {
    const session = await started();
    okta.reply(P.answer, idx('answer-code-security-question.json'));
    const asked = await engine.verifyCode(session, '123456', CONTEXT);
    expect(asked).toMatchObject({ kind: 'ask-question', question: 'What is the food you least liked as a child?' });
    if (asked.kind !== 'ask-question') throw new Error('no session');
    okta.reply(P.answer, idx('answer-question-invalid.json'));
    expect(refusalOf(await engine.answer(asked.session, 'spinach', CONTEXT))).toEqual({ kind: 'wrong-answer' });
    expect(sent(okta.callsTo(P.answer).at(-1))).toEqual({ credentials: { questionKey: 'disliked_food', answer: 'spinach' }, stateHandle: '02.id.recoveryFixtureHandle0000000000000001' });
  });

  it.each([
    ['a built-in question Okta worded in the request\'s language: by its key, in Okta\'s English', 'disliked_food', 'Quel est le plat que vous aimiez le moins ?', 'What is the food you least liked as a child?'],
    ['a question the user wrote: as typed', 'custom', 'Who was my first teacher?', 'Who was my first teacher?'],
  ])('the question, %s', async (_name, questionKey, question, expected) => {
    const session = await started();
    okta.reply(
      P.answer,
      idx('answer-code-security-question.json', (body) => {
        const text = JSON.stringify(body).replace('"questionKey":"disliked_food","question":"What is the food you least liked as a child?"', JSON.stringify({ questionKey, question }).slice(1, -1));
        Object.assign(body, JSON.parse(text));
      }),
    );
    expect(await engine.verifyCode(session, '123456', CONTEXT)).toMatchObject({ kind: 'ask-question', question: expected });
  });

  it('resend posts to the resend href; cancel to the cancel href; a magic link must name our state', async () => {
    const session = await started();
    okta.reply(P.resend, idx('challenge-email.json'));
    expect((await engine.resendCode(session, CONTEXT)).kind).toBe('code-sent');
    okta.reply(P.cancel, idx('introspect-identify-with-recover.json'));
    await engine.cancel(session, CONTEXT);
    okta.assertAllUsed();
    expect(engine.ownsCodeLink(session, 'someone-elses-state-000000000000000000000')).toBe(false);
  });
});

describe('a start answered before Okta (a handoff, as deps.ts gives every Okta-delivery IDX engine)', () => {
  let handoff: StartHandoff;
  beforeEach(() => {
    handoff = memoryHandoff();
    engine = build(undefined, handoff);
  });

  it('answers with only its state and start time, walks after, and the code step continues in the session Okta challenged', async () => {
    pathA();
    const result = await engine.start({ username: 'pat@example.com' }, CONTEXT);
    expect(result).toMatchObject({ kind: 'code-sent', code: { format: 'alphanumeric', minLength: 4, maxLength: 10 } });
    if (result.kind !== 'code-sent') throw new Error('no session');
    expect(Object.keys(result.session).sort()).toEqual(['p', 's']);
    await handoff.idle();
    expect(okta.calls.map((call) => call.path)).toEqual([P.interact, P.introspect, P.recover, P.identify, P.challenge]);
    okta.reply(P.answer, idx('answer-code-reset-authenticator.json'));
    expect(await engine.verifyCode(result.session, '123456', CONTEXT)).toMatchObject({ kind: 'choose-password' });
    expect(sent(okta.callsTo(P.answer)[0])).toEqual({ credentials: { passcode: '123456' }, stateHandle: '02.id.recoveryFixtureHandle0000000000000001' });
    // The next start names the org's code format, now that Okta has shown it.
    pathA();
    expect(await engine.start({ username: 'pat@example.com' }, CONTEXT)).toMatchObject({ code: { format: 'digits' } });
    await handoff.idle();
  });

  it('a walk Okta refused ends the flow at the code step with the reason; a result lost ends it once the walk cannot still be running', async () => {
    okta.reply(P.interact, idx('too-many-requests.json'), { 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 20) });
    const refused = await engine.start({ username: 'pat@example.com' }, CONTEXT);
    if (refused.kind !== 'code-sent') throw new Error('the start must answer like any other');
    await handoff.idle();
    expect(await engine.verifyCode(refused.session, '123456', CONTEXT)).toMatchObject({ kind: 'refused', outcome: { kind: 'rate-limited' }, endsFlow: true });
    expect(okta.callsTo(P.answer)).toHaveLength(0);

    pathA();
    const lost = await engine.start({ username: 'pat@example.com' }, CONTEXT);
    if (lost.kind !== 'code-sent') throw new Error('no session');
    await handoff.idle();
    await handoff.forget(String(lost.session.s));
    expect(refusalOf(await engine.verifyCode(lost.session, '123456', CONTEXT))).toEqual({ kind: 'upstream-unavailable' });
    clock.advance(3 * 60_000);
    expect(refusalOf(await engine.verifyCode(lost.session, '123456', CONTEXT))).toEqual({ kind: 'flow-expired' });
    expect(okta.callsTo(P.answer)).toHaveLength(0);
  });
});
