/**
 * The bodies before the user is known (contract §3): the first `identify` of either entry policy,
 * the identifier-first password challenge, and `identify-recovery`.
 */
import { emailAuthenticator, emailEnrollment, passwordAuthenticator, passwordEnrollment } from './authenticators.js';
import type { Field, Json } from './ion.js';
import { arr, form, obj, objectField } from './ion.js';
import type { View } from './view-parts.js';
import { head, remediation, subjectOf, tail, userValueOf } from './view-parts.js';

/** [F-02] path A (identifier + password, `recover` on the password) or [F-02b] identifier-first. */
export function identifyBody(v: View): Json {
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
export function passwordChallengeBody(v: View): Json {
  const { origin, txn } = v;
  const subject = subjectOf(v);
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
      ...(subject ? passwordEnrollment(subject) : passwordAuthenticator()),
    }),
    authenticators: arr([passwordAuthenticator(), emailAuthenticator()]),
    authenticatorEnrollments: arr([subject ? passwordEnrollment(subject) : passwordAuthenticator(), emailEnrollment(subject)]),
    recoveryAuthenticator: obj(passwordAuthenticator()),
    user: obj(userValueOf(v)),
    ...tail(v),
  };
}

/** The org's hCaptcha widget (§1.4 bot protection) [F-04e]; the emulator accepts any token. */
export const CAPTCHA = { id: 'capEmulatorHcaptcha1', name: 'hCaptcha', siteKey: '10000000-ffff-ffff-ffff-000000000001', type: 'HCAPTCHA' };

/** [F-03] the recovery identify form; with CAPTCHA for SSPR, its `captchaVerify` field [F-04e]. */
export function identifyRecoveryBody(v: View): Json {
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
