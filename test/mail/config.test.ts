/** The email settings: service delivery names every missing variable; SMTP alone enables the notice. */
import { loadConfig } from '../../src/config.js';
import { configErrorFor } from '../helpers/config-error.js';

const errorFor = configErrorFor;

it('defaults to Okta delivery and no SMTP: this service sends no email', () => {
  expect(loadConfig({}).email).toEqual({ delivery: 'okta', smtp: null });
});

it('refuses service delivery without the API token, SMTP_URL and MAIL_FROM, naming each', () => {
  const message = errorFor({ EMAIL_DELIVERY: 'service' });
  expect(message).toContain('OKTA_API_TOKEN: required when EMAIL_DELIVERY=service');
  expect(message).toContain('SMTP_URL: required when EMAIL_DELIVERY=service');
  expect(message).toContain('MAIL_FROM: required');
  const onlyFrom = errorFor({ EMAIL_DELIVERY: 'service', OKTA_API_TOKEN: 't0k3n', SMTP_URL: 'smtp://mail.acme.example:587' });
  expect(onlyFrom).toContain('MAIL_FROM');
  expect(onlyFrom).not.toContain('OKTA_API_TOKEN');
});

it('enables the password-changed notice with SMTP_URL in Okta mode, and asks for MAIL_FROM with it', () => {
  expect(errorFor({ SMTP_URL: 'smtp://mail.acme.example' })).toContain('MAIL_FROM: required when EMAIL_DELIVERY=service or SMTP_URL is set');
  const config = loadConfig({ SMTP_URL: 'smtps://user:secret@mail.acme.example:465', MAIL_FROM: 'Acme <no-reply@acme.example>' });
  expect(config.email).toEqual({
    delivery: 'okta',
    smtp: { url: 'smtps://user:secret@mail.acme.example:465', from: 'Acme <no-reply@acme.example>', maxAttempts: 6, retryBaseMs: 2000, concurrency: 4 },
  });
  expect(Object.isFrozen(config.email.smtp)).toBe(true);
});

it.each([
  [{ EMAIL_DELIVERY: 'smtp' }, 'EMAIL_DELIVERY'],
  [{ SMTP_URL: 'https://mail.acme.example', MAIL_FROM: 'a@acme.example' }, 'SMTP_URL: must be an smtp:// or smtps:// URL'],
  [{ SMTP_URL: 'not a url', MAIL_FROM: 'a@acme.example' }, 'SMTP_URL'],
  [{ SMTP_URL: 'smtp://mail.acme.example', MAIL_FROM: 'no address here' }, 'MAIL_FROM: must be an address'],
  [{ SMTP_URL: 'smtp://mail.acme.example', MAIL_FROM: 'a@acme.example\r\nBcc: x@evil.example' }, 'MAIL_FROM'],
  [{ MAIL_MAX_ATTEMPTS: '0' }, 'MAIL_MAX_ATTEMPTS'],
  [{ MAIL_RETRY_BASE_MS: 'soon' }, 'MAIL_RETRY_BASE_MS'],
  [{ MAIL_CONCURRENCY: '0' }, 'MAIL_CONCURRENCY'],
  [{ MAIL_CONCURRENCY: '65' }, 'MAIL_CONCURRENCY'],
])('names the variable at fault: %j', (environment, expected) => {
  expect(errorFor(environment)).toContain(expected);
});
