/**
 * Okta's Classic authn recovery endpoints (contract §0), each: validate the body, run one flow step,
 * answer 200 JSON. All errors travel as OktaApiError to the one error writer.
 */
import { timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type Koa from 'koa';
import { cancelTransaction, currentState, primaryAuth } from './authn.js';
import { bodyOf } from './body.js';
import { OktaApiError } from './errors.js';
import type { FlowDeps } from './flow-deps.js';
import { resendChallenge, startRecovery } from './recovery-start.js';
import { answerQuestion, resetPassword, verifyFactor, verifyRecoveryToken } from './recovery-steps.js';
import {
  answerSchema,
  parseRequest,
  primaryAuthSchema,
  recoveryTokenSchema,
  resetPasswordSchema,
  startRecoverySchema,
  stateTokenSchema,
  verifyFactorSchema,
} from './schemas.js';
import type { RecoveryType } from './types.js';

/**
 * §1.5 / COREAPI: `Authorization: SSWS <token>` marks a trusted app. A header that is present but
 * not the configured token is refused with 401 E0000011 "Invalid token provided".
 */
export function isTrustedCaller(ctx: Koa.Context, apiToken: string | undefined): boolean {
  const header = ctx.get('authorization');
  if (header === '') return false;
  const match = /^SSWS\s+(\S+)$/i.exec(header.trim());
  if (!apiToken || !match?.[1] || !sameSecret(match[1], apiToken)) throw new OktaApiError('E0000011');
  return true;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `sms` / `SMS` / `call` in the path (§1.6: DOCS' path is lower-case, the `_links` upper-case). */
function factorOf(ctx: Koa.Context, param: string | undefined): 'SMS' | 'CALL' {
  const factor = param?.toUpperCase();
  if (factor === 'SMS' || factor === 'CALL') return factor;
  throw new OktaApiError('E0000007', [], ctx.path);
}

/**
 * The emulator's own origin for HAL hrefs (Okta's are its org URL). Koa 3's `ctx.origin` is the
 * Origin request header, so build it from the protocol and Host instead.
 */
const originOf = (ctx: Koa.Context): string => `${ctx.protocol}://${ctx.host}`;

export function oktaRouter(deps: FlowDeps, apiToken: string | undefined): Router {
  const router = new Router({ prefix: '/api/v1/authn' });
  const reply = (ctx: Koa.Context, body: object): void => {
    ctx.status = 200;
    ctx.body = body;
  };

  const start = (recoveryType: RecoveryType): Koa.Middleware => async (ctx) => {
    const trusted = isTrustedCaller(ctx, apiToken);
    const req = parseRequest(startRecoverySchema, bodyOf(ctx));
    const { username, factorType, relayState } = req;
    reply(ctx, await startRecovery(deps, recoveryType, { username, factorType, relayState, trusted }, originOf(ctx)));
  };
  router.post('/recovery/password', start('PASSWORD'));
  router.post('/recovery/unlock', start('UNLOCK'));

  router.post('/recovery/token', (ctx) => {
    const { recoveryToken } = parseRequest(recoveryTokenSchema, bodyOf(ctx));
    reply(ctx, verifyRecoveryToken(deps, recoveryToken, originOf(ctx)));
  });
  router.post('/recovery/answer', (ctx) => {
    const { stateToken, answer } = parseRequest(answerSchema, bodyOf(ctx));
    reply(ctx, answerQuestion(deps, stateToken, answer, originOf(ctx)));
  });
  router.post('/recovery/factors/:factor/verify', (ctx) => {
    const factor = factorOf(ctx, ctx.params['factor']);
    const { stateToken, passCode } = parseRequest(verifyFactorSchema, bodyOf(ctx));
    reply(ctx, verifyFactor(deps, factor, stateToken, passCode, originOf(ctx)));
  });
  router.post('/recovery/factors/:factor/resend', (ctx) => {
    const factor = factorOf(ctx, ctx.params['factor']);
    const { stateToken } = parseRequest(stateTokenSchema, bodyOf(ctx));
    reply(ctx, resendChallenge(deps, factor, stateToken, originOf(ctx)));
  });
  router.post('/credentials/reset_password', (ctx) => {
    const { stateToken, newPassword, revokeSessions } = parseRequest(resetPasswordSchema, bodyOf(ctx));
    reply(ctx, resetPassword(deps, stateToken, newPassword, revokeSessions));
  });
  router.post('/cancel', (ctx) => {
    const { stateToken } = parseRequest(stateTokenSchema, bodyOf(ctx));
    reply(ctx, cancelTransaction(deps, stateToken));
  });
  // §6: `{stateToken}` reads the transaction; otherwise it is primary authentication.
  router.post('/', (ctx) => {
    const body = bodyOf(ctx);
    if (body && 'stateToken' in body) {
      const { stateToken } = parseRequest(stateTokenSchema, body);
      reply(ctx, currentState(deps, stateToken, originOf(ctx)));
      return;
    }
    const { username, password } = parseRequest(primaryAuthSchema, body);
    reply(ctx, primaryAuth(deps, username, password, originOf(ctx)));
  });
  return router;
}

/** Unknown API paths: 405 E0000022 for a known path with the wrong method, else 404 E0000007. */
export function notFound(router: Router): Koa.Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.body !== undefined || !ctx.path.startsWith('/api/')) return;
    const matched = router.match(ctx.path, ctx.method);
    throw matched.path.length > 0 ? new OktaApiError('E0000022') : new OktaApiError('E0000007', [], ctx.path);
  };
}
