/**
 * Request schemas (contract §1.1, §2.1, §3.1, §4.1, §5, §6). A failure is Okta's 400 E0000001
 * "Api validation failed: {field}" with the field's complaint as the cause.
 */
import { z } from 'zod';
import { OktaApiError } from './errors.js';

const required = z.string().min(1);

/** §1.6: requests send EMAIL/SMS/CALL, but DOCS' own example sends "call"; accept any casing. */
const factorType = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.enum(['EMAIL', 'SMS', 'CALL']));

export const startRecoverySchema = z.object({
  username: required,
  factorType: factorType.optional(),
  // DOCS-2019: MaxLength 2048.
  relayState: z.string().max(2048).optional(),
});

export const recoveryTokenSchema = z.object({ recoveryToken: required });
export const answerSchema = z.object({ stateToken: required, answer: required });
export const resetPasswordSchema = z.object({
  stateToken: required,
  newPassword: required,
  revokeSessions: z.boolean().optional(),
});
export const verifyFactorSchema = z.object({ stateToken: required, passCode: required });
export const stateTokenSchema = z.object({ stateToken: required });
export const primaryAuthSchema = z.object({ username: required, password: required });

export function parseRequest<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
  const blank = issue?.code === 'invalid_type' && issue.input === undefined;
  const too_small = issue?.code === 'too_small';
  const complaint = blank || too_small ? 'The field cannot be left blank' : (issue?.message ?? 'Invalid value');
  throw new OktaApiError('E0000001', [`${field}: ${complaint}`], field);
}
