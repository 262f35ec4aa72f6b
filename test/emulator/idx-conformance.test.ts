/**
 * IDX conformance: every recording in ../shared/okta-idx-fixtures (when present beside the
 * repository; CI requires it, see helpers/shared-fixtures.ts) has a scenario that drives the
 * emulator into the same situation over real HTTP and sends the same request. Compared: the HTTP
 * status, the kind of body (ION, OAuth error, Classic error, tokens), the global and field message
 * i18n keys with their class, the remediation names and their field names (nested), the
 * successWithInteractionCode fields, and the fixture's top-level keys (ours may add `authentication`
 * and the like). Ids, handles, hosts and texts are not compared. Each difference the emulator keeps
 * on purpose is in EXCEPTIONS with its reason, and an exception that stops being needed fails.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { EmulatorOptions } from '../../src/emulator/index.js';
import { describeWithShared } from '../helpers/shared-fixtures.js';
import type { Reply, TestEmulator } from './helpers.js';
import { closeAll } from './helpers.js';
import {
  CLIENT_ID,
  afterCode,
  begin,
  formOf,
  idxEmulator,
  idxPost,
  interactFields,
  postForm,
  submit,
  toEmailChallenge,
  toEmailChoice,
  toNewPassword,
} from './idx-helpers.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- ION bodies are open JSON */

interface Recorded {
  status: number | undefined;
  body: any;
}

/** Guardian's files are wrapped `{code, response}` (fixtures README); the others are bare bodies. */
function load(dir: string, file: string): Recorded {
  const data = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  if (typeof data.code === 'number' && data.response) return { status: data.code, body: data.response };
  return { status: undefined, body: data };
}

/** The comparable shape of a body: what the conformance promises, never ids, handles or texts. */
interface Shape {
  kind: 'ion' | 'oauth-error' | 'classic-error' | 'tokens' | 'interact';
  remediations: string[];
  fields: string[];
  messages: string[];
  success: string[];
}

const fieldNames = (fields: any[] | undefined): string =>
  (fields ?? [])
    .map((f) => {
      if (f.form) return `${f.name}{${fieldNames(f.form.value)}}`;
      if (Array.isArray(f.options) && typeof f.options[0]?.value === 'object') {
        return `${f.name}[${f.options.map((o: any) => `${o.label}:${fieldNames(o.value.form.value)}`).join('|')}]`;
      }
      return f.name;
    })
    .join(',');

function fieldMessages(fields: any[] | undefined, out: string[]): string[] {
  for (const f of fields ?? []) {
    for (const m of f.messages?.value ?? []) out.push(`${f.name}: ${m.class} ${m.i18n?.key}`);
    fieldMessages(f.form?.value, out);
  }
  return out;
}

function shapeOf(body: any): Shape {
  const kind: Shape['kind'] = body?.version
    ? 'ion'
    : body?.error
      ? 'oauth-error'
      : body?.errorCode
        ? 'classic-error'
        : body?.interaction_handle
          ? 'interact'
          : 'tokens';
  const forms: any[] = body?.remediation?.value ?? [];
  const messages: string[] = (body?.messages?.value ?? []).map((m: any) => `${m.class} ${m.i18n?.key}`);
  for (const r of forms) fieldMessages(r.value, messages);
  if (kind === 'oauth-error') messages.push(body.error);
  if (kind === 'classic-error') messages.push(body.errorCode);
  return {
    kind,
    remediations: forms.map((r) => r.name),
    fields: forms.map((r) => `${r.name}: ${fieldNames(r.value)}`),
    messages,
    success: (body?.successWithInteractionCode?.value ?? []).map((f: any) => f.name),
  };
}

interface Scenario {
  options?: Partial<EmulatorOptions>;
  /** The status Okta answers with: the recording's, or the README/contract's where the file has none. */
  status: number;
  run(e: TestEmulator): Promise<Reply>;
}

interface Exception {
  /** Not a response an Okta API client receives: no scenario, only this reason. */
  notServed?: true;
  /** Our value where it differs from the recording on purpose (checked to still differ). */
  ours?: Partial<Omit<Shape, 'kind'>>;
  /** Top-level keys only the recording has. */
  fixtureOnlyKeys?: string[];
  reason: string;
}

// ---- scenario building blocks (each drives the emulator to one recorded situation) ----

const SDK = { clientId: '0oaconfidentialclient', clientSecret: 'emulator-test-secret-0123456789', redirectUris: ['https://app.example.test/callback'] };

const introspect = async (e: TestEmulator): Promise<Reply> => (await begin(e)).first;

const recoverPathA = async (e: TestEmulator): Promise<Reply> => submit(e, (await introspect(e)).body.currentAuthenticator.value.recover);

/** Identifier-first (§3.2): identify, the password challenge with `recover`. */
async function identifiedFirst(e: TestEmulator, login = 'alice@example.com'): Promise<Reply> {
  const first = await introspect(e);
  return submit(e, formOf(first.body, 'identify'), { identifier: login });
}

async function recoverPathB(e: TestEmulator): Promise<Reply> {
  const challenge = await identifiedFirst(e);
  return submit(e, challenge.body.currentAuthenticatorEnrollment.value.recover);
}

async function challengePathB(e: TestEmulator): Promise<Reply> {
  const recovered = await recoverPathB(e);
  const form = recovered.body.remediation.value[0];
  const option = form.value[0].options?.[0]?.value.form.value ?? form.value[0].form.value;
  const id = option.find((f: any) => f.name === 'id').value;
  return submit(e, form, { authenticator: { id, methodType: 'email' } });
}

async function wrongCode(e: TestEmulator): Promise<Reply> {
  const { reply } = await toEmailChallenge(e, 'bob@example.com');
  const wrong = e.idx.lastOtp('bob@example.com') === '000000' ? '111111' : '000000';
  return submit(e, formOf(reply.body, 'challenge-authenticator'), { credentials: { passcode: wrong } });
}

async function newPassword(e: TestEmulator, password: string, login = 'bob@example.com'): Promise<Reply> {
  const { reply } = await afterCode(e, login);
  return submit(e, formOf(reply.body, 'reset-authenticator'), { credentials: { passcode: password } });
}

/** The whole recovery for a confidential client registered through options (§5.3 client_secret field). */
async function confidentialSuccess(e: TestEmulator): Promise<Reply> {
  const session = { verifier: randomBytes(32).toString('base64url'), state: 'conformance-state' };
  const fields = interactFields(session, { client_id: SDK.clientId, client_secret: SDK.clientSecret, redirect_uri: SDK.redirectUris[0] as string });
  const interacted = await postForm(`${e.url}/oauth2/default/v1/interact`, fields);
  const first = await idxPost(e, '/idp/idx/introspect', { interactionHandle: interacted.body.interaction_handle });
  const identifyRecovery = await submit(e, first.body.currentAuthenticator.value.recover);
  const choice = await submit(e, formOf(identifyRecovery.body, 'identify-recovery'), { identifier: 'bob@example.com' });
  const form = formOf(choice.body, 'authenticator-verification-data');
  const challenge = await submit(e, form, { authenticator: { id: form.value[0].form.value[0].value, methodType: 'email' } });
  const reset = await submit(e, formOf(challenge.body, 'challenge-authenticator'), { credentials: { passcode: e.idx.lastOtp('bob@example.com') } });
  return submit(e, formOf(reset.body, 'reset-authenticator'), { credentials: { passcode: 'Harbour-Light-42' } });
}

/** A finished public-client recovery and the session that began it, for the token exchange. */
async function publicSuccess(e: TestEmulator): Promise<{ verifier: string; body: any }> {
  const { session, reply } = await afterCode(e, 'bob@example.com');
  const done = await submit(e, formOf(reply.body, 'reset-authenticator'), { credentials: { passcode: 'Harbour-Light-42' } });
  return { verifier: session.verifier, body: done.body };
}

async function exchange(e: TestEmulator, verifierOf: (real: string) => string): Promise<Reply> {
  const { verifier, body } = await publicSuccess(e);
  const code = body.successWithInteractionCode.value.find((f: any) => f.name === 'interaction_code').value;
  return postForm(body.successWithInteractionCode.href, {
    grant_type: 'interaction_code',
    interaction_code: code,
    client_id: CLIENT_ID,
    code_verifier: verifierOf(verifier),
  });
}

const interactWith = (extra: Record<string, string>) => async (e: TestEmulator): Promise<Reply> =>
  postForm(`${e.url}/oauth2/v1/interact`, interactFields({ verifier: randomBytes(32).toString('base64url'), state: 's' }, extra));

const SCENARIOS: Record<string, Scenario> = {
  '01-interact-success.json': { status: 200, run: interactWith({}) },
  '01b-interact-error-unauthorized-client.json': {
    status: 400,
    options: { idx: { clients: [{ ...SDK, clientSecret: undefined, grantTypes: ['refresh_token', 'implicit', 'authorization_code'] }] } },
    run: interactWith({ client_id: SDK.clientId, redirect_uri: SDK.redirectUris[0] as string }),
  },
  '01c-interact-error-feature-not-enabled.json': { status: 400, options: { idx: { interactionCodeEnabled: false } }, run: interactWith({}) },
  '01d-interact-error-recovery-token-invalid.json': { status: 400, run: interactWith({ recovery_token: 'VBQ0gwBp5LyJJFdbmWCM' }) },
  '02-introspect-identify-with-password-and-recover-action.json': { status: 200, run: introspect },
  '02b-introspect-identify-identifier-first.json': { status: 200, options: { idx: { entry: 'identifier-first' } }, run: introspect },
  '03-recover-response-identify-recovery.json': { status: 200, run: recoverPathA },
  '04-identify-recovery-response-email-verification-data.json': {
    status: 200,
    run: async (e) => (await toEmailChoice(e, 'alice@example.com')).reply,
  },
  '04b-identify-recovery-response-select-authenticator-email.json': {
    status: 200,
    options: { idx: { verificationStep: 'select-only' } },
    run: async (e) => (await toEmailChoice(e, 'alice@example.com')).reply,
  },
  // Status not recorded; JAVA tests answer identify validation errors with 400 (contract §6.1).
  '04c-identify-recovery-unknown-user-info.json': { status: 400, run: async (e) => (await toEmailChoice(e, 'mary@unknown.example')).reply },
  '04d-identify-unknown-user-warning.json': {
    status: 400,
    run: async (e) => submit(e, formOf((await introspect(e)).body, 'identify'), { identifier: 'mary@unknown.example', credentials: { passcode: 'x' } }),
  },
  '04e-identify-recovery-with-hcaptcha.json': { status: 200, options: { idx: { captcha: true } }, run: recoverPathA },
  '05-identify-response-challenge-password-with-recover.json': {
    status: 200,
    options: { idx: { entry: 'identifier-first' } },
    run: (e) => identifiedFirst(e),
  },
  '05b-recover-response-select-authenticator-email.json': {
    status: 200,
    options: { idx: { entry: 'identifier-first', verificationStep: 'select-only' } },
    run: recoverPathB,
  },
  '05c-recover-response-authenticator-verification-data-email.json': { status: 200, options: { idx: { entry: 'identifier-first' } }, run: recoverPathB },
  '06-challenge-email-response-recovery.json': { status: 200, run: async (e) => (await toEmailChallenge(e, 'alice@example.com')).reply },
  '06b-challenge-email-response-identified-user.json': {
    status: 200,
    options: { idx: { entry: 'identifier-first', verificationStep: 'select-only' } },
    run: challengePathB,
  },
  '06c-challenge-email-response-magic-link-flag.json': {
    status: 200,
    options: { idx: { entry: 'identifier-first', useEmailMagicLink: false } },
    run: challengePathB,
  },
  // Status not recorded with the file; JAVA and SIW Gen3 use 401 (contract §6.1, §10.5).
  '07-challenge-answer-invalid-email-otp.json': { status: 401, run: wrongCode },
  '07b-too-many-requests-idx.json': {
    status: 429,
    run: async (e) => {
      let last = await wrongCode(e);
      const form = formOf(last.body, 'challenge-authenticator');
      for (let i = 0; i < 4; i++) last = await submit(e, form, { credentials: { passcode: 'not-the-code' } });
      return last;
    },
  },
  '07c-api-rate-limit-exceeded-E0000047.json': {
    status: 429,
    run: async (e) => {
      const { first } = await begin(e);
      e.forceRateLimit(30);
      return submit(e, first.body.currentAuthenticator.value.recover);
    },
  },
  '08-challenge-answer-email-otp-response-reset-authenticator.json': { status: 200, run: async (e) => (await afterCode(e, 'bob@example.com')).reply },
  '08b-reset-authenticator-with-revoke-sessions.json': { status: 200, run: async (e) => (await toNewPassword(e)).reply },
  // Status not recorded: form validation is 400 (contract §5.2, §6.1).
  '08c-reset-authenticator-error-password-requirements.json': { status: 400, run: (e) => newPassword(e, 'weak') },
  '08d-reset-authenticator-error-ldap-reset-failed.json': {
    status: 400,
    options: { idx: { resetFailure: 'ldap' } },
    run: (e) => newPassword(e, 'Harbour-Light-42'),
  },
  '09-success-with-interaction-code-confidential-client.json': { status: 200, options: { idx: { clients: [SDK] } }, run: confidentialSuccess },
  '09b-success-with-interaction-code-public-client.json': { status: 200, run: (e) => newPassword(e, 'Harbour-Light-42') },
  '10-token-response.json': { status: 200, run: (e) => exchange(e, (v) => v) },
  '10b-token-error-pkce.json': { status: 400, run: (e) => exchange(e, () => randomBytes(32).toString('base64url')) },
  '11-security-question-challenge-during-recovery.json': { status: 200, run: async (e) => (await afterCode(e, 'alice@example.com')).reply },
  // Status not recorded: 401 by analogy with the code (contract §7, §12).
  '11b-security-question-answer-invalid.json': {
    status: 401,
    run: async (e) => {
      const { reply } = await afterCode(e, 'alice@example.com');
      return submit(e, formOf(reply.body, 'challenge-authenticator'), { credentials: { questionKey: 'disliked_food', answer: 'Broccoli' } });
    },
  },
  '11c-security-question-custom-question.json': {
    status: 200,
    // carol's question is not one of Okta's built-in ones: questionKey "custom".
    run: async (e) => (await afterCode(e, 'carol@example.com')).reply,
  },
  '12-session-expired-minimal.json': {
    status: 401,
    run: async (e) => {
      const first = await introspect(e);
      e.clock.advance(e.idx.settings().stateHandleLifetimeMs + 1);
      return submit(e, first.body.currentAuthenticator.value.recover);
    },
  },
  '12b-session-expired-with-statehandle.json': {
    status: 401,
    run: (e) => idxPost(e, '/idp/idx/introspect', { stateHandle: '02.id.neverIssuedHandle000000000000000000000' }),
  },
  '12c-recover-not-allowed.json': {
    status: 403,
    options: { idx: { entry: 'identifier-first', ssprAllowed: false } },
    run: recoverPathB,
  },
  '12d-post-password-update-auth-failure.json': {
    status: 200,
    options: { idx: { resetFailure: 'post-update-auth-failure' } },
    run: (e) => newPassword(e, 'Harbour-Light-42'),
  },
  // Status not recorded: "access denied / policy forbids" is 403 (contract §6.1).
  '12e-user-not-assigned.json': {
    status: 403,
    options: { idx: { unassignedUsers: ['bob@example.com'] } },
    run: async (e) => submit(e, formOf((await introspect(e)).body, 'identify'), { identifier: 'bob@example.com', credentials: { passcode: 'x' } }),
  },
  '13-cancel-response-restarts-identify.json': {
    status: 200,
    options: { idx: { entry: 'identifier-first' } },
    run: async (e) => {
      const challenge = await identifiedFirst(e);
      return submit(e, challenge.body.cancel);
    },
  },
  '14b-terminal-invalid-forgot-password-token.json': {
    status: 200,
    run: async (e) => {
      const token = e.issueRecoveryToken('bob@example.com');
      expect((await interactWith({ recovery_token: token })(e)).status).toBe(200);
      // The token was spent by the first interact: the second transaction ends on the terminal.
      const second = await interactWith({ recovery_token: token })(e);
      return idxPost(e, '/idp/idx/introspect', { interactionHandle: second.body.interaction_handle });
    },
  },
};

const SIGN_UP_OFF = 'the emulated org has self-service registration off, so no `select-enroll-profile` (sign-up link) is offered; SIW captures come from an org with it on (contract §9.1: "sign-up link, ignore")';
const EMAIL_ONLY = 'the emulated users are enrolled in email (and the question) only, so the switch form lists only what they have; the recording comes from a user with more authenticators';

const EXCEPTIONS: Record<string, Exception> = {
  '02-introspect-identify-with-password-and-recover-action.json': {
    ours: { remediations: ['identify'], fields: ['identify: identifier,credentials{passcode},rememberMe,stateHandle'] },
    reason: SIGN_UP_OFF,
  },
  '04d-identify-unknown-user-warning.json': {
    ours: { remediations: ['identify'], fields: ['identify: identifier,credentials{passcode},rememberMe,stateHandle'] },
    fixtureOnlyKeys: ['authenticatorChallenge', 'user'],
    reason: `${SIGN_UP_OFF}; no Okta Verify (launch-authenticator, authenticatorChallenge) and no self-service unlock form; \`user\` echoes the typed name only in that org's login form`,
  },
  '04e-identify-recovery-with-hcaptcha.json': {
    ours: { remediations: ['identify-recovery'], fields: ['identify-recovery: identifier,captchaVerify{captchaId,captchaToken},stateHandle'] },
    fixtureOnlyKeys: ['step'],
    reason: `${SIGN_UP_OFF}; \`step\` is a hand-assembled 2020 playground artefact (fixtures README: "shape of the captcha parts only")`,
  },
  '06-challenge-email-response-recovery.json': {
    ours: {
      fields: [
        'challenge-authenticator: credentials{passcode},stateHandle',
        'select-authenticator-authenticate: authenticator[Email:id,methodType],stateHandle',
      ],
    },
    reason: EMAIL_ONLY,
  },
  '06b-challenge-email-response-identified-user.json': {
    ours: {
      remediations: ['challenge-authenticator', 'select-authenticator-authenticate'],
      fields: [
        'challenge-authenticator: credentials{passcode},stateHandle',
        'select-authenticator-authenticate: authenticator[Email:id,methodType],stateHandle',
      ],
    },
    reason: 'the 2021 capture has no switch form after the challenge; the 2022+ captures [F-06, F-06c] offer it and the emulator follows them',
  },
  '07-challenge-answer-invalid-email-otp.json': {
    ours: {
      remediations: ['challenge-authenticator', 'select-authenticator-authenticate'],
      fields: [
        'challenge-authenticator: credentials{passcode},stateHandle',
        'select-authenticator-authenticate: authenticator[Email:id,methodType],stateHandle',
      ],
    },
    reason: 'recorded in a 2FA sign-in (okta-idx-dotnet 06-2fa), whose email challenge has no switch form; in recovery the emulator keeps the form of its own challenge [F-06]',
  },
  '08-challenge-answer-email-otp-response-reset-authenticator.json': {
    ours: { fields: ['reset-authenticator: credentials{passcode,revokeSessions},stateHandle'] },
    reason: 'a 2022 capture from before revokeSessions (2023, [F-08b], contract §5.1); the emulator offers it as current orgs do',
  },
  '08d-reset-authenticator-error-ldap-reset-failed.json': {
    ours: {
      remediations: ['reset-authenticator'],
      fields: ['reset-authenticator: credentials{passcode,revokeSessions},stateHandle'],
    },
    reason: 'the SIW mock returns the failure inside a generic `challenge-authenticator` served with HTTP 200; the emulator keeps the `reset-authenticator` form the user was on and answers 400 like any other refused password (contract §5.2, §6.1)',
  },
  '11-security-question-challenge-during-recovery.json': {
    ours: {
      remediations: ['challenge-authenticator', 'select-authenticator-authenticate'],
      fields: [
        'challenge-authenticator: credentials{questionKey,answer},stateHandle',
        'select-authenticator-authenticate: authenticator[Security Question:id,methodType],stateHandle',
      ],
    },
    reason: 'the 2021 capture has no switch form; the 2022 one [F-11c] offers the question in `select-authenticator-authenticate` and the emulator follows it',
  },
  '11b-security-question-answer-invalid.json': {
    ours: {
      fields: [
        'challenge-authenticator: credentials{questionKey,answer},stateHandle',
        'select-authenticator-authenticate: authenticator[Security Question:id,methodType],stateHandle',
      ],
    },
    reason: `${EMAIL_ONLY} (the Swift capture is an MFA sign-in offering email, password and question)`,
  },
  '12b-session-expired-with-statehandle.json': {
    fixtureOnlyKeys: ['expiresAt', 'intent', 'stateHandle'],
    reason: 'the older (2020) shape; current Okta answers an unknown or expired handle with only version and messages [F-12] (contract §6.2)',
  },
  '12c-recover-not-allowed.json': {
    ours: { fields: ['challenge-authenticator: credentials{passcode},stateHandle'], remediations: ['challenge-authenticator'] },
    reason: `${EMAIL_ONLY}; the 2020 playground page also offers WebAuthn and phone`,
  },
  '12e-user-not-assigned.json': {
    ours: { remediations: ['identify'], fields: ['identify: identifier,credentials{passcode},rememberMe,stateHandle'] },
    reason: SIGN_UP_OFF,
  },
  '14-terminal-return-otp-only-recovery.json': {
    notServed: true,
    reason: "what Okta's own hosted page shows when a magic link lands on Okta (fixtures README: \"Not a response your service receives\"); the emulator's links go to the app's EVE callback",
  },
};

afterEach(closeAll);

describeWithShared('okta-idx-fixtures', 'IDX conformance with ../shared/okta-idx-fixtures', (dir) => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

  it('has a scenario (or a reason why none) for every recording, and nothing for recordings that are gone', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
    expect(files.filter((f) => !(f in SCENARIOS) && !EXCEPTIONS[f]?.notServed)).toEqual([]);
    expect(Object.keys(SCENARIOS).filter((f) => !files.includes(f))).toEqual([]);
    expect(Object.keys(EXCEPTIONS).filter((f) => !files.includes(f))).toEqual([]);
  });

  const served = Object.keys(SCENARIOS).filter((f) => files.includes(f));
  it.each(served)('%s', async (file) => {
    const recorded = load(dir, file);
    const scenario = SCENARIOS[file] as Scenario;
    const ex: Exception = EXCEPTIONS[file] ?? { reason: '' };
    const e = await idxEmulator(scenario.options);
    const reply = await scenario.run(e);

    if (recorded.status !== undefined) expect(scenario.status).toBe(recorded.status);
    expect(reply.status).toBe(scenario.status);

    const theirs = shapeOf(recorded.body);
    const ours = shapeOf(reply.body);
    expect(ours.kind).toBe(theirs.kind);
    for (const aspect of ['remediations', 'fields', 'messages', 'success'] as const) {
      const override = ex.ours?.[aspect];
      if (override) {
        // The exception must still be needed, and say exactly what we send instead.
        expect(theirs[aspect]).not.toEqual(override);
        expect(ours[aspect]).toEqual(override);
      } else {
        expect(ours[aspect]).toEqual(theirs[aspect]);
      }
    }

    // Every top-level key of the recording is ours too (ours may add, e.g. `authentication`).
    const theirKeys = Object.keys(recorded.body).filter((k) => !(ex.fixtureOnlyKeys ?? []).includes(k));
    expect(Object.keys(reply.body).filter((k) => theirKeys.includes(k)).sort()).toEqual(theirKeys.sort());
    for (const k of ex.fixtureOnlyKeys ?? []) expect(reply.body).not.toHaveProperty(k);

    if (ours.kind === 'ion') {
      expect(reply.headers.get('content-type')).toBe('application/ion+json; okta-version=1.0.0');
      // §11.3: every href on the emulator's own origin.
      const hrefs = JSON.stringify(reply.body).match(/"href":"[^"]+"/g) ?? [];
      for (const href of hrefs) expect(href.startsWith(`"href":"${e.url}/`)).toBe(true);
    }
    expect(reply.headers.get('x-rate-limit-reset')).toMatch(/^\d+$/);
  });
});
