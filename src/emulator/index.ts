/** The Okta emulator (Classic authn and Identity Engine IDX): public surface. See README.md in this folder. */
export { createEmulatorApp } from './app.js';
export { startEmulator } from './server.js';
export type { RunningEmulator } from './server.js';
export type { EmulatorHandle, EmulatorUserView } from './handle.js';
export type { OutboxMessage, MailTemplate } from './mail.js';
export type { RecordedRequest } from './recorder.js';
export type {
  EmulatorOptions,
  EmulatorPolicy,
  PasswordAge,
  PasswordComplexity,
  PolicyOverrides,
  RecoveryType,
  SeedUser,
  UserStatus,
} from './types.js';
export { DEFAULT_POLICY } from './policy.js';
export { demoUsers, loadSeedFile } from './seed.js';
export { OffsetClock } from './offset-clock.js';
export { OKTA_ERRORS } from './errors.js';
export type { OktaErrorCode, OktaErrorBody } from './errors.js';
export { BUILT_IN_CLIENT_ID } from './idx/index.js';
export type { IdxHandle, IdxOptions, IdxSettings, IdxSettingsPatch, IdxClientOptions, IdxRateLimits } from './idx/index.js';
