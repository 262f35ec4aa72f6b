/**
 * Okta's e-mail templates as an org admin would have customised them for a custom domain
 * (contract §9). The Forgot Password template links to our service with `${recoveryToken}` and
 * keeps Okta's required `${resetPasswordLink}` in a hidden div so the template stays saveable.
 */
import Handlebars from 'handlebars';

/** Okta's `templateName`s (§9 "Related templates", §5). */
export type MailTemplate =
  | 'ForgotPassword'
  | 'ForgotPasswordDenied'
  | 'SelfServiceUnlock'
  | 'SelfServiceUnlockOnUnlockedAccount';

export interface TemplateVars {
  firstName: string;
  login: string;
  /** Our domain's link, `${publicUrl}/reset-password/${recoveryToken}` (or /unlock-account/). */
  link?: string;
  /** Okta's own `${resetPasswordLink}` / `${unlockAccountLink}` equivalent. */
  oktaLink?: string;
  /** `${resetPasswordTokenExpirationDate}`-like text. */
  expiresIn?: string;
}

interface Compiled {
  subject: Handlebars.TemplateDelegate<TemplateVars>;
  text: Handlebars.TemplateDelegate<TemplateVars>;
  html: Handlebars.TemplateDelegate<TemplateVars>;
}

const compile = (subject: string, text: string, html: string): Compiled => ({
  subject: Handlebars.compile<TemplateVars>(subject, { noEscape: true }),
  text: Handlebars.compile<TemplateVars>(text, { noEscape: true }),
  html: Handlebars.compile<TemplateVars>(html),
});

const TEMPLATES: Record<MailTemplate, Compiled> = {
  ForgotPassword: compile(
    'Account password reset',
    'Hi {{firstName}},\n\nA password reset request was made for your account ({{login}}).\n\n' +
      'Reset your password: {{link}}\n\nThis link expires in {{expiresIn}}.\n\n' +
      'If you did not make this request, contact your administrator.\n',
    '<p>Hi {{firstName}},</p><p>A password reset request was made for your account ({{login}}).</p>' +
      '<p><a id="reset-password-link" href="{{link}}">Reset Password</a></p>' +
      '<p>This link expires in {{expiresIn}}.</p>' +
      '<div style="display:none">{{oktaLink}}</div>',
  ),
  ForgotPasswordDenied: compile(
    'Account password reset',
    'Hi {{firstName}},\n\nA password reset request was made for your account ({{login}}), ' +
      'but your account is not allowed to reset its password at this time. Contact your administrator.\n',
    '<p>Hi {{firstName}},</p><p>A password reset request was made for your account ({{login}}), ' +
      'but your account is not allowed to reset its password at this time. Contact your administrator.</p>',
  ),
  SelfServiceUnlock: compile(
    'Unlock your account',
    'Hi {{firstName}},\n\nAn account unlock request was made for {{login}}.\n\n' +
      'Unlock your account: {{link}}\n\nThis link expires in {{expiresIn}}.\n',
    '<p>Hi {{firstName}},</p><p>An account unlock request was made for {{login}}.</p>' +
      '<p><a id="unlock-account-link" href="{{link}}">Unlock Account</a></p>' +
      '<p>This link expires in {{expiresIn}}.</p>' +
      '<div style="display:none">{{oktaLink}}</div>',
  ),
  SelfServiceUnlockOnUnlockedAccount: compile(
    'Unlock your account',
    'Hi {{firstName}},\n\nAn account unlock request was made for {{login}}, but your account is not locked.\n',
    '<p>Hi {{firstName}},</p><p>An account unlock request was made for {{login}}, but your account is not locked.</p>',
  ),
};

export function renderMail(template: MailTemplate, vars: TemplateVars): { subject: string; text: string; html: string } {
  const t = TEMPLATES[template];
  return { subject: t.subject(vars), text: t.text(vars), html: t.html(vars) };
}

/** "60 minutes", "7 days": how Okta words `${resetPasswordTokenExpirationDate}`-style lifetimes. */
export function describeLifetime(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes % 1440 === 0 && minutes >= 1440) return `${minutes / 1440} day(s)`;
  if (minutes % 60 === 0 && minutes >= 60) return `${minutes / 60} hour(s)`;
  return `${minutes} minute(s)`;
}

export interface RecoveryCodeVars {
  firstName: string;
  login: string;
  /** `${oneTimePassword}` (idx contract §4.5). */
  otp: string;
  /** The magic link to the app's callback; absent when the app has no EVE callback (§4.6). */
  link: string | undefined;
  expiresIn: string;
}

/**
 * The IDX Forgot Password template as an admin would customise it for an embedded app (idx
 * contract §4.6 "Custom template"): the code always, the link to our domain when there is one.
 */
const RECOVERY_CODE = {
  subject: Handlebars.compile<RecoveryCodeVars>('Account password reset', { noEscape: true }),
  text: Handlebars.compile<RecoveryCodeVars>(
    'Hi {{firstName}},\n\nA password reset request was made for your account ({{login}}).\n\n' +
      'Your verification code: {{otp}}\n\n{{#if link}}Or reset your password here: {{link}}\n\n{{/if}}' +
      'The code expires in {{expiresIn}}.\n\nIf you did not make this request, contact your administrator.\n',
    { noEscape: true },
  ),
  html: Handlebars.compile<RecoveryCodeVars>(
    '<p>Hi {{firstName}},</p><p>A password reset request was made for your account ({{login}}).</p>' +
      '<p>Your verification code: <b id="verification-code">{{otp}}</b></p>' +
      '{{#if link}}<p><a id="reset-password-link" href="{{link}}">Reset Password</a></p>{{/if}}' +
      '<p>The code expires in {{expiresIn}}.</p>',
  ),
};

export function renderRecoveryCodeMail(vars: RecoveryCodeVars): { subject: string; text: string; html: string } {
  return { subject: RECOVERY_CODE.subject(vars), text: RECOVERY_CODE.text(vars), html: RECOVERY_CODE.html(vars) };
}
