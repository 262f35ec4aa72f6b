/**
 * The bodies from the email on (contract §4, §5, §7): choosing the email, its challenge, the
 * security question, the new password, success and the terminal states.
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
  subjectOfUser,
  verifiedUserValue,
} from './authenticators.js';
import type { Field, Json } from './ion.js';
import { arr, form, obj, objectField } from './ion.js';
import type { IdxSettings } from './settings.js';
import type { IdxMessage } from './transactions.js';
import type { View } from './view-parts.js';
import { head, remediation, subjectOf, tail, tokenEndpointOf, userValueOf } from './view-parts.js';

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
  authenticatorEnrollments: arr([emailEnrollment(subjectOf(v))]),
  recoveryAuthenticator: obj(passwordAuthenticator()),
  user: obj(userValueOf(v)),
});

/** [F-04] / [F-05c] (2022+) or [F-04b] / [F-05b] (`select-only`, 2021): the email, not yet sent. */
export function selectEmailBody(v: View): Json {
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
    currentAuthenticatorEnrollment: obj({ resend, ...emailEnrollment(subjectOf(v)) }),
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
export function emailChallengeBody(v: View): Json {
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
      ...emailEnrollment(subjectOf(v)),
      contextualData: { useEmailMagicLink: v.settings.useEmailMagicLink },
    }),
    ...recoveryParts(v),
    ...tail(v),
  };
}

/** [F-11c] (2022; [F-11] of 2021 lacks the select form): the security question after the code (§7). */
export function securityQuestionBody(v: View): Json {
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
    user: obj(verifiedUserValue(user, txn.identifier)),
    ...tail(v),
  };
}

/** [F-08b]: the new password, with the policy and `revokeSessions` (§5.1). */
export function resetBody(v: View): Json {
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
    authenticatorEnrollments: arr(user ? [passwordEnrollment(subjectOfUser(user)), emailEnrollment(subjectOfUser(user))] : []),
    recoveryAuthenticator: obj(passwordWithSettings(user)),
    user: obj(userValueOf(v)),
    ...tail(v),
  };
}

/** [F-09] / [F-09b]: the password is changed; `issue` posts to the interact AS's token endpoint (§5.3). */
export function successBody(v: View): Json {
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
export function terminalBody(v: View): Json {
  const msg = v.txn.terminal as IdxMessage;
  const intent = msg.i18n?.key === 'api.users.auth.error.POST_PASSWORD_UPDATE_AUTH_FAILURE' ? 'CREDENTIAL_RECOVERY' : 'LOGIN';
  const cancel = intent === 'CREDENTIAL_RECOVERY' ? { cancel: tail(v)['cancel'] } : {};
  return { ...head(v, intent), messages: arr([msg]), ...cancel };
}
