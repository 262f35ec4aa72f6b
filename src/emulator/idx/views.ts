/**
 * The body of each IDX state (contract §0 state machine; shapes of the newest recordings, cited
 * per step). One function per remediation the transaction waits for; `stateBody` picks it.
 */
import type { UserRecord } from '../store.js';
import {
  EMAIL_AUTHENTICATOR_ID,
  QUESTION_AUTHENTICATOR_ID,
  emailAuthenticator,
  emailEnrollment,
  passwordAuthenticator,
  passwordEnrollment,
  passwordWithSettings,
  questionAuthenticator,
  questionEnrollment,
  userValue,
} from './authenticators.js';
import type { Field, Json } from './ion.js';
import { IDX_VERSION, arr, form, message, obj, objectField } from './ion.js';
import type { IdxSettings } from './settings.js';
import type { IdxMessage, IdxStep, IdxTransaction } from './transactions.js';

export interface View {
  origin: string;
  txn: IdxTransaction;
  /** The real user behind the transaction; undefined before identify and for decoys. */
  user: UserRecord | undefined;
  settings: IdxSettings;
}

/** The issuer URI of the interact's authorization server (§1.1): the org itself, or /oauth2/{id}. */
export const issuerOf = (origin: string, txn: IdxTransaction): string =>
  txn.authServerId === null ? origin : `${origin}/oauth2/${txn.authServerId}`;

const tokenEndpointOf = (origin: string, txn: IdxTransaction): string =>
  txn.authServerId === null ? `${origin}/oauth2/v1/token` : `${origin}/oauth2/${txn.authServerId}/v1/token`;

const VERIFIED_STEPS: ReadonlySet<IdxStep> = new Set(['security-question', 'reset-password', 'success']);

/** Whether ids and profile may show: after the email was proved, or when identified first (§3.2). */
const revealed = (v: View): boolean => v.txn.identified || VERIFIED_STEPS.has(v.txn.step);

function head(v: View, intent = 'LOGIN'): Json {
  return {
    version: IDX_VERSION,
    stateHandle: v.txn.stateHandle,
    expiresAt: new Date(v.txn.expiresAtMs).toISOString(),
    intent,
  };
}

/** `cancel`, `app` (on every non-terminal response, §11.4) and `authentication` (newer captures). */
function tail(v: View): Json {
  const { origin, txn } = v;
  return {
    cancel: form(origin, txn.stateHandle, { name: 'cancel', path: '/idp/idx/cancel' }),
    app: obj({ name: 'oidc_client', label: txn.client.label, id: txn.client.clientId }),
    authentication: obj({
      protocol: 'OAUTH2.0',
      issuer: { id: txn.authServerId ?? 'org', name: txn.authServerId ?? 'org', uri: issuerOf(origin, txn) },
      request: {
        max_age: -1,
        scope: txn.scope,
        response_type: 'code',
        redirect_uri: txn.redirectUri,
        state: txn.state,
        code_challenge_method: 'S256',
        code_challenge: txn.codeChallenge,
        response_mode: 'query',
      },
    }),
  };
}

const remediation = (...forms: Json[]): Json => ({ remediation: arr(forms) });

/** [F-02] path A (identifier + password, `recover` on the password) or [F-02b] identifier-first. */
function identifyBody(v: View): Json {
  const { origin, txn } = v;
  const fields: Field[] = [{ name: 'identifier', label: 'Username', required: true }];
  const onePage = v.settings.entry === 'password-recover';
  if (onePage) fields.push(objectField('credentials', [{ name: 'passcode', label: 'Password', secret: true }]));
  fields.push({ name: 'rememberMe', type: 'boolean', label: 'Remember this device' });
  return {
    ...head(v),
    ...remediation(form(origin, txn.stateHandle, { name: 'identify', path: '/idp/idx/identify', fields })),
    ...(onePage
      ? {
          currentAuthenticator: obj({
            recover: form(origin, txn.stateHandle, { name: 'recover', path: '/idp/idx/recover' }),
            ...passwordAuthenticator(),
          }),
        }
      : {}),
    ...tail(v),
  };
}

/** [F-05] identifier-first: the password challenge, with `recover` on the enrollment. */
function passwordChallengeBody(v: View): Json {
  const { origin, txn, user } = v;
  const credentials = objectField('credentials', [{ name: 'passcode', label: 'Password', secret: true }]);
  return {
    ...head(v),
    ...remediation(
      form(origin, txn.stateHandle, {
        name: 'challenge-authenticator',
        path: '/idp/idx/challenge/answer',
        relatesTo: ['$.currentAuthenticatorEnrollment'],
        fields: [credentials],
      }),
    ),
    currentAuthenticatorEnrollment: obj({
      recover: form(origin, txn.stateHandle, { name: 'recover', path: '/idp/idx/recover' }),
      ...(user ? passwordEnrollment(user) : passwordAuthenticator()),
    }),
    authenticators: arr([passwordAuthenticator(), emailAuthenticator()]),
    authenticatorEnrollments: arr([user ? passwordEnrollment(user) : passwordAuthenticator(), emailEnrollment(user, true)]),
    recoveryAuthenticator: obj(passwordAuthenticator()),
    user: obj(userValue(user, txn.identifier, true)),
    ...tail(v),
  };
}

/** The org's hCaptcha widget (§1.4 bot protection) [F-04e]; the emulator accepts any token. */
export const CAPTCHA = { id: 'capEmulatorHcaptcha1', name: 'hCaptcha', siteKey: '10000000-ffff-ffff-ffff-000000000001', type: 'HCAPTCHA' };

/** [F-03] the recovery identify form; with CAPTCHA for SSPR, its `captchaVerify` field [F-04e]. */
function identifyRecoveryBody(v: View): Json {
  const { origin, txn } = v;
  const fields: Field[] = [{ name: 'identifier', label: 'Username', required: true }];
  if (v.settings.captcha) {
    fields.push({
      name: 'captchaVerify',
      form: {
        value: [
          { name: 'captchaId', required: true, value: CAPTCHA.id, visible: false, mutable: false },
          { name: 'captchaToken', required: true, visible: false, hint: 'captcha' },
        ],
      },
      relatesTo: '$.captcha',
    });
  }
  return {
    ...head(v),
    ...remediation(form(origin, txn.stateHandle, { name: 'identify-recovery', path: '/idp/idx/identify', fields })),
    ...(v.settings.captcha ? { captcha: obj(CAPTCHA) } : {}),
    ...tail(v),
  };
}

/** `select-authenticator-authenticate` with one option (§4.1: id = the authenticator id, not the enrollment's). */
const selectEmail = (v: View): Json => selectOne(v, 'Email', EMAIL_AUTHENTICATOR_ID, 'email');

function selectOne(v: View, label: string, id: string, methodType: string): Json {
  const option = {
    label,
    value: {
      form: {
        value: [
          { name: 'id', required: true, value: id, mutable: false },
          { name: 'methodType', required: false, value: methodType, mutable: false },
        ],
      },
    },
    relatesTo: '$.authenticatorEnrollments.value[0]',
  };
  return form(v.origin, v.txn.stateHandle, {
    name: 'select-authenticator-authenticate',
    path: '/idp/idx/challenge',
    fields: [{ name: 'authenticator', type: 'object', options: [option] }],
  });
}

const recoveryParts = (v: View): Json => ({
  authenticators: arr([emailAuthenticator()]),
  authenticatorEnrollments: arr([emailEnrollment(v.user, revealed(v))]),
  recoveryAuthenticator: obj(passwordAuthenticator()),
  user: obj(userValue(v.user, v.txn.identifier, revealed(v))),
});

/** [F-04] / [F-05c] (2022+) or [F-04b] / [F-05b] (`select-only`, 2021): the email, not yet sent. */
function selectEmailBody(v: View): Json {
  const { origin, txn } = v;
  const resend = form(origin, txn.stateHandle, { name: 'resend', path: '/idp/idx/challenge/resend' });
  if (v.settings.verificationStep === 'select-only') {
    return { ...head(v), ...remediation(selectEmail(v)), ...recoveryParts(v), ...tail(v) };
  }
  const verificationData = form(origin, txn.stateHandle, {
    name: 'authenticator-verification-data',
    path: '/idp/idx/challenge',
    relatesTo: ['$.currentAuthenticatorEnrollment'],
    fields: [
      {
        name: 'authenticator',
        label: 'Email',
        form: {
          value: [
            { name: 'id', required: true, value: EMAIL_AUTHENTICATOR_ID, mutable: false },
            { name: 'methodType', type: 'string', required: true, options: [{ label: 'Email', value: 'email' }] },
          ],
        },
      },
    ],
  });
  return {
    ...head(v),
    ...remediation(verificationData, selectEmail(v)),
    currentAuthenticatorEnrollment: obj({ resend, ...emailEnrollment(v.user, revealed(v)) }),
    ...recoveryParts(v),
    ...tail(v),
  };
}

/** §4.2: the passcode field follows the org's code format (2026: `format: alphanumeric`). */
function passcodeField(settings: IdxSettings): Field {
  return settings.otpFormat === 'alphanumeric'
    ? { name: 'passcode', label: 'Enter code', minLength: 10, maxLength: 10, format: 'alphanumeric' }
    : { name: 'passcode', label: 'Enter code' };
}

/** [F-06] / [F-06b] / [F-06c]: the email was sent; resend and poll (refresh 4000, §4.4). */
function emailChallengeBody(v: View): Json {
  const { origin, txn } = v;
  return {
    ...head(v),
    ...remediation(
      form(origin, txn.stateHandle, {
        name: 'challenge-authenticator',
        path: '/idp/idx/challenge/answer',
        relatesTo: ['$.currentAuthenticatorEnrollment'],
        fields: [objectField('credentials', [passcodeField(v.settings)])],
      }),
      selectEmail(v),
    ),
    currentAuthenticatorEnrollment: obj({
      resend: form(origin, txn.stateHandle, { name: 'resend', path: '/idp/idx/challenge/resend' }),
      poll: form(origin, txn.stateHandle, { name: 'poll', path: '/idp/idx/challenge/poll', refresh: 4000 }),
      ...emailEnrollment(v.user, revealed(v)),
      contextualData: { useEmailMagicLink: v.settings.useEmailMagicLink },
    }),
    ...recoveryParts(v),
    ...tail(v),
  };
}

/** [F-11c] (2022; [F-11] of 2021 lacks the select form): the security question after the code (§7). */
function securityQuestionBody(v: View): Json {
  const { origin, txn } = v;
  const user = v.user as UserRecord;
  const enrollment = questionEnrollment(user);
  const enrolled = (enrollment['contextualData'] as { enrolledQuestion: { questionKey: string; question: string } })
    .enrolledQuestion;
  const credentials = objectField('credentials', [
    { name: 'questionKey', label: enrolled.question, required: true, value: enrolled.questionKey, visible: false, mutable: false },
    { name: 'answer', label: 'Answer', required: true, secret: true },
  ]);
  return {
    ...head(v),
    ...remediation(
      form(origin, txn.stateHandle, {
        name: 'challenge-authenticator',
        path: '/idp/idx/challenge/answer',
        relatesTo: ['$.currentAuthenticatorEnrollment'],
        fields: [credentials],
      }),
      selectOne(v, 'Security Question', QUESTION_AUTHENTICATOR_ID, 'security_question'),
    ),
    currentAuthenticatorEnrollment: obj(enrollment),
    authenticators: arr([questionAuthenticator()]),
    authenticatorEnrollments: arr([enrollment]),
    recoveryAuthenticator: obj(passwordAuthenticator()),
    user: obj(userValue(user, txn.identifier, true)),
    ...tail(v),
  };
}

/** [F-08b]: the new password, with the policy and `revokeSessions` (§5.1). */
function resetBody(v: View): Json {
  const { origin, txn, user } = v;
  const credentials = objectField('credentials', [
    { name: 'passcode', label: 'New password', secret: true },
    { name: 'revokeSessions', type: 'boolean', label: 'Sign me out of all other devices' },
  ]);
  return {
    ...head(v),
    ...remediation(
      form(origin, txn.stateHandle, {
        name: 'reset-authenticator',
        path: '/idp/idx/challenge/answer',
        relatesTo: ['$.currentAuthenticator'],
        fields: [credentials],
      }),
    ),
    currentAuthenticator: obj(passwordWithSettings(user)),
    authenticators: arr([passwordAuthenticator()]),
    authenticatorEnrollments: arr(user ? [passwordEnrollment(user), emailEnrollment(user, true)] : []),
    recoveryAuthenticator: obj(passwordWithSettings(user)),
    user: obj(userValue(user, txn.identifier, true)),
    ...tail(v),
  };
}

/** [F-09] / [F-09b]: the password is changed; `issue` posts to the interact AS's token endpoint (§5.3). */
function successBody(v: View): Json {
  const { origin, txn, user } = v;
  const value: Field[] = [
    { name: 'grant_type', required: true, value: 'interaction_code' },
    { name: 'interaction_code', required: true, value: txn.interactionCode },
    { name: 'client_id', required: true, value: txn.client.clientId },
  ];
  if (txn.client.clientSecret !== undefined) value.push({ name: 'client_secret', required: true });
  value.push({ name: 'code_verifier', required: true });
  const { authentication: _unused, ...rest } = tail(v);
  return {
    ...head(v),
    successWithInteractionCode: {
      rel: ['create-form'],
      name: 'issue',
      href: tokenEndpointOf(origin, txn),
      method: 'POST',
      value,
      accepts: 'application/x-www-form-urlencoded',
    },
    user: obj({ id: user?.id }),
    ...rest,
  };
}

/** A terminal state: only a global message ([F-12d]; [F-14b] for a dead recovery token). */
function terminalBody(v: View): Json {
  const msg = v.txn.terminal as IdxMessage;
  const intent = msg.i18n?.key === 'api.users.auth.error.POST_PASSWORD_UPDATE_AUTH_FAILURE' ? 'CREDENTIAL_RECOVERY' : 'LOGIN';
  const cancel = intent === 'CREDENTIAL_RECOVERY' ? { cancel: tail(v)['cancel'] } : {};
  return { ...head(v, intent), messages: arr([msg]), ...cancel };
}

const VIEWS: Record<IdxStep, (v: View) => Json> = {
  identify: identifyBody,
  'password-challenge': passwordChallengeBody,
  'identify-recovery': identifyRecoveryBody,
  'select-email': selectEmailBody,
  'email-challenge': emailChallengeBody,
  'security-question': securityQuestionBody,
  'reset-password': resetBody,
  success: successBody,
  terminal: terminalBody,
};

/** The current state of the transaction, optionally with global messages (e.g. INFO idx.unknown.user). */
export function stateBody(v: View, messages: IdxMessage[] = []): Json {
  const body = VIEWS[v.txn.step](v);
  return messages.length > 0 ? { ...body, messages: arr(messages) } : body;
}

/** [F-12]: unknown, expired, cancelled or finished handle. */
export function sessionExpiredBody(): Json {
  return { version: IDX_VERSION, messages: arr([message('ERROR', 'idx.session.expired', 'The session has expired.')]) };
}

/** [F-07b]: an IDX rate limit. */
export function tooManyRequestsBody(txn: IdxTransaction | undefined): Json {
  const msg = message('ERROR', 'tooManyRequests', 'Too many requests');
  if (!txn) return { version: IDX_VERSION, messages: arr([msg]) };
  return {
    version: IDX_VERSION,
    stateHandle: txn.stateHandle,
    expiresAt: new Date(txn.expiresAtMs).toISOString(),
    intent: 'LOGIN',
    messages: arr([msg]),
  };
}
