/**
 * The IDX org's configuration: the OIDC clients (fixed at start) and the toggles tests and the
 * control endpoint flip at run time (docs/idx-emulator.md). Defaults are Okta's where Okta has
 * one (UEP off, 5-minute codes, 10/20 requests per 5 s) and cite the contract section.
 */
import { z } from 'zod';

/** The one client our service uses (docs/idx-emulator.md "The built-in OIDC client"). */
export const BUILT_IN_CLIENT_ID = '0oa1recoveryemulator';

export interface IdxClientOptions {
  clientId: string;
  /** Present: a confidential client (§1.2 `client_secret`). */
  clientSecret?: string;
  redirectUris: string[];
  /** The app's Email Verification Experience callback (§4.6); without it emails carry only the code. */
  emailVerifyCallback?: string;
  label?: string;
  /** Default: interaction_code, authorization_code, refresh_token. Without interaction_code interact is refused [F-01b]. */
  grantTypes?: string[];
}

export interface IdxRateLimits {
  /** §6.4 (DOCS rl2-limits): 10 requests per state token per 5 s. */
  perStateHandle: number;
  /** §6.4: 20 requests per user per 5 s. */
  perUser: number;
  windowMs: number;
  /** §6.4 System Log example: 5 OTP verification attempts per 5 minutes. */
  otpAttempts: number;
  otpWindowMs: number;
}

export interface IdxSettings {
  /** Settings → Account → Embedded widget sign-in support (§1.4); off → interact 400 access_denied [F-01c]. */
  interactionCodeEnabled: boolean;
  userEnumerationPrevention: boolean;
  entry: 'password-recover' | 'identifier-first';
  verificationStep: 'verification-data' | 'select-only';
  securityQuestion: boolean;
  otpFormat: 'numeric' | 'alphanumeric';
  otpLifetimeMs: number;
  useEmailMagicLink: boolean;
  ssprAllowed: boolean;
  unassignedUsers: string[];
  resetFailure: null | 'ldap' | 'post-update-auth-failure';
  longStateHandles: boolean;
  /** Bot protection for SSPR (§1.4): identify-recovery asks for a `captchaVerify` token [F-04e]. */
  captcha: boolean;
  stateHandleLifetimeMs: number;
  requireClientSecretAtInteract: boolean;
  rateLimits: IdxRateLimits;
}

export type IdxSettingsPatch = Partial<Omit<IdxSettings, 'rateLimits'>> & { rateLimits?: Partial<IdxRateLimits> };

export interface IdxOptions extends IdxSettingsPatch {
  /** Makes the built-in client confidential. */
  clientSecret?: string;
  clients?: IdxClientOptions[];
}

export const DEFAULT_IDX_SETTINGS: Readonly<IdxSettings> = Object.freeze({
  interactionCodeEnabled: true,
  // Okta's default: enumeration prevention off (§6.3).
  userEnumerationPrevention: false,
  entry: 'password-recover',
  verificationStep: 'verification-data',
  securityQuestion: true,
  otpFormat: 'numeric',
  // §4.5: Email authenticator tokenLifetimeInMinutes, "Default value is 5 minutes".
  otpLifetimeMs: 5 * 60_000,
  useEmailMagicLink: true,
  ssprAllowed: true,
  unassignedUsers: [],
  resetFailure: null,
  longStateHandles: false,
  captcha: false,
  // §12: the idle window is not documented; 10 minutes outlives the 5-minute code.
  stateHandleLifetimeMs: 10 * 60_000,
  requireClientSecretAtInteract: true,
  rateLimits: Object.freeze({ perStateHandle: 10, perUser: 20, windowMs: 5_000, otpAttempts: 5, otpWindowMs: 5 * 60_000 }),
});

/** Validates a patch from the control endpoint (unknown keys refused, so typos do not pass silently). */
export const settingsPatchSchema = z
  .object({
    interactionCodeEnabled: z.boolean(),
    userEnumerationPrevention: z.boolean(),
    entry: z.enum(['password-recover', 'identifier-first']),
    verificationStep: z.enum(['verification-data', 'select-only']),
    securityQuestion: z.boolean(),
    otpFormat: z.enum(['numeric', 'alphanumeric']),
    otpLifetimeMs: z.number().int().positive(),
    useEmailMagicLink: z.boolean(),
    ssprAllowed: z.boolean(),
    unassignedUsers: z.array(z.string()),
    resetFailure: z.enum(['ldap', 'post-update-auth-failure']).nullable(),
    longStateHandles: z.boolean(),
    captcha: z.boolean(),
    stateHandleLifetimeMs: z.number().int().positive(),
    requireClientSecretAtInteract: z.boolean(),
    rateLimits: z
      .object({
        perStateHandle: z.number().int().positive(),
        perUser: z.number().int().positive(),
        windowMs: z.number().int().positive(),
        otpAttempts: z.number().int().positive(),
        otpWindowMs: z.number().int().positive(),
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();

/** Applies a patch in place, so every module holding the settings object sees the change. */
export function applySettings(target: IdxSettings, patch: IdxSettingsPatch): void {
  const { rateLimits, ...rest } = patch;
  for (const [k, v] of Object.entries(rest)) {
    if (v !== undefined) (target as unknown as Record<string, unknown>)[k] = Array.isArray(v) ? [...v] : v;
  }
  if (rateLimits) {
    target.rateLimits = { ...target.rateLimits, ...Object.fromEntries(Object.entries(rateLimits).filter(([, v]) => v !== undefined)) };
  }
}

export function initialSettings(options: IdxOptions | undefined): IdxSettings {
  const settings: IdxSettings = { ...DEFAULT_IDX_SETTINGS, unassignedUsers: [], rateLimits: { ...DEFAULT_IDX_SETTINGS.rateLimits } };
  if (options) {
    const { clientSecret: _secret, clients: _clients, ...patch } = options;
    applySettings(settings, patch);
  }
  return settings;
}

export interface IdxClient extends IdxClientOptions {
  label: string;
}

/** The built-in client plus any registered through options (§1.4: an OIDC app with the grant). */
export function clientRegistry(publicUrl: string, options: IdxOptions | undefined): Map<string, IdxClient> {
  const base = publicUrl.replace(/\/+$/, '');
  const clients = new Map<string, IdxClient>();
  clients.set(BUILT_IN_CLIENT_ID, {
    clientId: BUILT_IN_CLIENT_ID,
    clientSecret: options?.clientSecret,
    redirectUris: [`${base}/reset-password/callback`],
    emailVerifyCallback: `${base}/reset-password/verify-email`,
    label: 'Custom-domain password recovery',
  });
  for (const c of options?.clients ?? []) clients.set(c.clientId, { ...c, label: c.label ?? c.clientId });
  return clients;
}
