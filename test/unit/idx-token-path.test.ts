/**
 * Identity Engine service delivery (idx contract §3.3, path C) against Okta mocked at the boundary
 * (nock) with the project's own bodies (test/fixtures/okta-idx): the Users API hands out the
 * recovery token (service-emails.ts), and our link's POST starts IDX at interact with it
 * (engine.ts verifyLink). Asserts what reached "Okta" and what each answer became.
 */
import { Writable } from 'node:stream';
import { ManualClock } from '../../src/clock.js';
import { createLogger } from '../../src/logger.js';
import type { Mailer } from '../../src/mail/mailer.js';
import { createOktaClient, type OktaCallObservation } from '../../src/okta/client.js';
import { createIdxEngine, type IdxDelivery } from '../../src/okta/idx/engine.js';
import { createIdxRecoveryTokens } from '../../src/okta/idx/service-emails.js';
import type { EngineResult, RecoveryEngine } from '../../src/recovery/engine.js';
import { idxFixture as idx } from '../helpers/fixtures.js';
import { OKTA_ORG, OktaMock } from '../helpers/okta-nock.js';

const P = {
  interact: '/oauth2/v1/interact',
  introspect: '/idp/idx/introspect',
  answer: '/idp/idx/challenge/answer',
  user: '/api/v1/users/pat%40example.com',
  reset: '/api/v1/users/00u1patfixture000001/lifecycle/reset_password?sendEmail=false',
} as const;
const API_TOKEN = 'ssws-fixture-token-0123456789';
const TOKEN = 'XE6wE17zmphl3KqAPFxO';
const CONTEXT = { requestId: 'req-path-c', clientIp: '203.0.113.9', userAgent: 'Firefox/130', acceptLanguage: 'fr' };
const okta = new OktaMock();
const logs: string[] = [];
const observed: OktaCallObservation[] = [];
/** What the engine handed the mailer: the start's only effect with service delivery. */
const enqueued: Array<{ username: string }> = [];
const mailer = { sendRecoveryLink: async (input: { username: string }) => void enqueued.push(input) } as unknown as Mailer;

function client() {
  return createOktaClient({ orgUrl: OKTA_ORG, timeoutMs: 2000, apiToken: API_TOKEN, observe: (call) => observed.push(call) });
}

function engine(delivery: IdxDelivery = { by: 'service', mailer }): RecoveryEngine {
  const sink = new Writable({ write: (chunk, _encoding, callback) => (logs.push(String(chunk)), callback()) });
  const settings = { orgUrl: OKTA_ORG, clientId: '0oa1recoveryfixture', clientSecret: undefined, authServerPath: 'oauth2', redirectUri: 'https://id.acme.example/reset-password/callback' };
  return createIdxEngine({ okta: client(), clock: new ManualClock(Date.parse('2030-01-01T00:00:00Z')), logger: createLogger({ level: 'info', destination: sink }), settings, delivery });
}

beforeEach(() => {
  okta.reset();
  logs.length = 0;
  observed.length = 0;
  enqueued.length = 0;
});

const refusalOf = (result: EngineResult) => (result.kind === 'refused' ? result.outcome.kind : result.kind);
/** nock hands over bodies of a content type it does not know (application/ion+json) as text. */
const sent = (call: { body: unknown } | undefined): unknown => (typeof call?.body === 'string' ? JSON.parse(call.body) : call?.body);

describe('start', () => {
  it('only enqueues our email: no Okta call is made while the user waits', async () => {
    const result = await engine().start({ username: 'pat@example.com' }, CONTEXT);
    expect(result).toEqual({ kind: 'email-sent' });
    expect(enqueued).toEqual([{ username: 'pat@example.com' }]);
    // nock refuses every request no mock answers; none was even tried.
    expect(observed).toHaveLength(0);
  });
});

describe('the recovery token (Users API, after the response)', () => {
  it('looks the login up, asks reset_password without an email, and grants the token with the profile for our email', async () => {
    okta.reply(P.user, idx('users-user.json'), {}, 'GET');
    okta.reply(P.reset, idx('users-reset-password-url.json'));
    const grant = await createIdxRecoveryTokens(client()).grant({ username: 'pat@example.com' }, CONTEXT);
    okta.assertAllUsed();
    expect(grant).toEqual({
      kind: 'granted',
      token: TOKEN,
      user: { login: 'pat', email: 'pat.lee@example.com', firstName: 'Pat', locale: 'fr_FR', timeZone: 'Europe/Paris' },
    });
    for (const call of okta.calls) {
      expect(call.headers.authorization).toBe(`SSWS ${API_TOKEN}`);
      // The end user's context travels with the admin calls too, for Okta's System Log.
      expect(call.headers['x-forwarded-for']).toBe('203.0.113.9');
    }
    // The start's admission paid for the first call; the metrics and logs name endpoints by template.
    expect(observed.map(({ endpoint, prepaid }) => ({ endpoint, prepaid }))).toEqual([
      { endpoint: 'api/v1/users/{login}', prepaid: true },
      { endpoint: 'api/v1/users/{id}/lifecycle/reset_password', prepaid: false },
    ]);
  });

  it.each([
    ['an unknown login (404 E0000007)', () => okta.reply(P.user, idx('users-not-found.json'), {}, 'GET'), 'E0000007'],
    [
      'a user who may not recover (403 E0000034)',
      () => okta.reply(P.user, idx('users-user.json', (body) => Object.assign(body, { status: 'SUSPENDED' })), {}, 'GET').reply(P.reset, idx('users-reset-password-suspended.json')),
      'E0000034',
    ],
  ])('withholds the email for %s, keeping Okta’s code for the log', async (_case, arrange, errorCode) => {
    arrange();
    const grant = await createIdxRecoveryTokens(client()).grant({ username: 'pat@example.com' }, CONTEXT);
    okta.assertAllUsed();
    expect(grant).toMatchObject({ kind: 'withheld', reason: 'okta-refused', facts: { oktaErrorCode: errorCode } });
  });

  it('withholds the email when the URL carries no token', async () => {
    okta.reply(P.user, idx('users-user.json'), {}, 'GET');
    okta.reply(P.reset, idx('users-reset-password-url.json', (body) => Object.assign(body, { resetPasswordUrl: `${OKTA_ORG}/signin/reset-password/` })));
    expect(await createIdxRecoveryTokens(client()).grant({ username: 'pat@example.com' }, CONTEXT)).toMatchObject({ kind: 'withheld', reason: 'no-recovery-token' });
  });

  it('withholds the email when Okta is down', async () => {
    okta.reply(P.user, { status: 503, body: {} }, {}, 'GET');
    expect(await createIdxRecoveryTokens(client()).grant({ username: 'pat@example.com' }, CONTEXT)).toMatchObject({ kind: 'withheld', reason: 'okta-unavailable' });
  });
});

describe('verifyLink: interact with the recovery token', () => {
  it('sends the token with PKCE S256 and a fresh state, then follows Okta to the new password and resets it', async () => {
    okta.reply(P.interact, idx('interact.json'));
    okta.reply(P.introspect, idx('answer-code-reset-authenticator.json'));
    const recovery = engine();
    const result = await recovery.verifyLink(TOKEN, CONTEXT);
    okta.assertAllUsed();
    const form = new URLSearchParams(okta.callsTo(P.interact)[0]?.body as unknown as string);
    expect(form.get('recovery_token')).toBe(TOKEN);
    expect(form.get('code_challenge_method')).toBe('S256');
    expect(form.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(form.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sent(okta.callsTo(P.introspect)[0])).toEqual({ interactionHandle: 'ihFixture-0123456789abcdefghij' });
    if (result.kind !== 'choose-password') throw new Error(`expected choose-password, got ${refusalOf(result)}`);
    expect(result.policy.minLength).toBe(10);
    // The interact state names the transaction (for counting wrong answers), never the token.
    expect(result.key).toBe(form.get('state'));
    expect(JSON.stringify(result.session)).not.toContain(TOKEN);

    okta.reset();
    okta.reply(P.answer, idx('reset-success.json'));
    const changed = await recovery.reset(result.session, { newPassword: 'Fixture-Pass-1234', revokeSessions: true }, CONTEXT);
    expect(changed.kind).toBe('password-changed');
    expect(sent(okta.callsTo(P.answer)[0])).toEqual({ credentials: { passcode: 'Fixture-Pass-1234', revokeSessions: true }, stateHandle: '02.id.recoveryFixtureHandle0000000000000001' });
  });

  it('asks the security question when Okta’s policy puts it first, and answers it', async () => {
    okta.reply(P.interact, idx('interact.json'));
    okta.reply(P.introspect, idx('answer-code-security-question.json'));
    const recovery = engine();
    const result = await recovery.verifyLink(TOKEN, CONTEXT);
    if (result.kind !== 'ask-question') throw new Error(`expected ask-question, got ${refusalOf(result)}`);
    expect(result.question).toBe('What is the food you least liked as a child?');

    okta.reset();
    okta.reply(P.answer, idx('answer-code-reset-authenticator.json'));
    expect((await recovery.answer(result.session, 'Brussels sprouts', CONTEXT)).kind).toBe('choose-password');
    expect(sent(okta.callsTo(P.answer)[0])).toMatchObject({ credentials: { questionKey: 'disliked_food', answer: 'Brussels sprouts' } });
  });

  it('a token Okta never issued is a dead link, and nothing more is asked', async () => {
    okta.reply(P.interact, idx('interact-recovery-token-invalid.json'));
    expect(refusalOf(await engine().verifyLink(TOKEN, CONTEXT))).toBe('link-dead');
    okta.assertAllUsed();
    expect(okta.callsTo(P.introspect)).toHaveLength(0);
  });

  it.each(['idx.invalid.forgot.password.token', 'idx.invalid.reset.password.token'])('a spent or expired token (%s) is a dead link', async (key) => {
    okta.reply(P.interact, idx('interact.json'));
    okta.reply(
      P.introspect,
      idx('introspect-recovery-token-dead.json', (body) => {
        ((body.messages as { value: Array<{ i18n: { key: string } }> }).value[0] as { i18n: { key: string } }).i18n.key = key;
      }),
    );
    expect(refusalOf(await engine().verifyLink(TOKEN, CONTEXT))).toBe('link-dead');
  });

  it('a refusal of our own app (not of the token) is an outage the operator hears about', async () => {
    okta.reply(P.interact, idx('interact-unauthorized-client.json'));
    expect(refusalOf(await engine().verifyLink(TOKEN, CONTEXT))).toBe('upstream-unavailable');
    expect(logs.join('')).toContain('"event":"okta.idx.interact-refused"');
    expect(logs.join('')).not.toContain(TOKEN);
  });

  it('Okta’s rate limit at interact is a retryable rate limit', async () => {
    okta.reply(P.interact, idx('too-many-requests.json'), { 'x-rate-limit-reset': String(Math.ceil(Date.now() / 1000) + 30) });
    expect(refusalOf(await engine().verifyLink(TOKEN, CONTEXT))).toBe('rate-limited');
  });

  it('with Okta delivering codes, no link of ours carries a token: dead, without asking Okta', async () => {
    expect(refusalOf(await engine({ by: 'okta' }).verifyLink(TOKEN, CONTEXT))).toBe('link-dead');
    expect(observed).toHaveLength(0);
  });
});
