/**
 * The JSON API for single-page apps (docs/openapi.yaml). Same steps as the pages, presented as
 * JSON. Cross-site calls are refused by Origin / Sec-Fetch-Site, and only application/json is
 * accepted, so an HTML form on another site cannot drive it (OWASP CSRF cheat sheet).
 */
import Router from '@koa/router';
import { ROUTING } from './route-paths.js';
import type { Context, Middleware } from 'koa';
import {
  answerQuestion,
  cancelRecovery,
  chooseNewPassword,
  resendCode,
  startRecovery,
  startUnlock,
  verifyCode,
  verifyRecoveryToken,
  type RecoveryDeps,
  type StepResult,
} from '../recovery/steps.js';
import type { CookieJar } from './cookies.js';
import { BadRequestError } from './errors.js';
import { field } from './body.js';
import type { Presenter } from './present.js';
import { endUserContext } from './request-context.js';
import { noStore } from './security-headers.js';

export function sameOriginJsonOnly(publicOrigin: string): Middleware {
  return async (ctx, next) => {
    const origin = ctx.get('origin');
    const fetchSite = ctx.get('sec-fetch-site');
    if ((origin && origin !== publicOrigin) || (fetchSite && !['same-origin', 'none'].includes(fetchSite))) {
      throw new BadRequestError('forbidden', 'cross-site API request');
    }
    if (ctx.method === 'POST' && !ctx.is('application/json')) {
      throw new BadRequestError('invalid-input', 'API requests must be application/json');
    }
    await next();
  };
}

/** Both routers answer alike: the flow cookie follows the step (cleared once the flow ends), the outcome is the body. */
function answerer(cookies: CookieJar, presenter: Presenter): (ctx: Context, result: StepResult) => Promise<void> {
  return async (ctx, result) => {
    if (result.flow !== undefined) await cookies.writeFlow(ctx, result.flow?.phase === 'done' || result.flow?.phase === 'unlocked' ? null : result.flow);
    presenter.json(ctx, result.outcome);
  };
}

/**
 * Self-service unlock (SELF_SERVICE_UNLOCK, Classic): its own start, then the same steps as a
 * recovery (the unlock link's token to /verify, a texted code to /verify-code, the question to
 * /answer); Okta's answer says whether the account is unlocked (UNLOCKED) or a question comes
 * first. Without SELF_SERVICE_UNLOCK these endpoints do not exist (404).
 */
export function unlockApiRouter(deps: RecoveryDeps & { cookies: CookieJar; presenter: Presenter }): Router {
  const router = new Router({ ...ROUTING, prefix: '/api/unlock' });
  const { cookies, presenter } = deps;

  const answerWith = answerer(cookies, presenter);

  router.use(noStore, sameOriginJsonOnly(deps.config.publicOrigin), async (ctx, next) => {
    if (deps.config.unlockMethods.length === 0) return presenter.json(ctx, { kind: 'not-found' });
    await next();
  });

  router.post('/start', async (ctx) => {
    const body = ctx.request.body;
    await answerWith(ctx, await startUnlock(deps, { username: field(body, 'username'), method: field(body, 'method') }, endUserContext(ctx)));
  });

  router.post('/verify', async (ctx) => {
    const token = field(ctx.request.body, 'token');
    if (typeof token !== 'string' || token === '') return presenter.json(ctx, { kind: 'invalid-input', field: 'token', problem: 'required' });
    await answerWith(ctx, await verifyRecoveryToken(deps, token, endUserContext(ctx)));
  });

  router.post('/verify-code', async (ctx) => {
    await answerWith(ctx, await verifyCode(deps, await cookies.readFlow(ctx), field(ctx.request.body, 'code') ?? '', endUserContext(ctx)));
  });

  router.post('/resend', async (ctx) => {
    await answerWith(ctx, await resendCode(deps, await cookies.readFlow(ctx), endUserContext(ctx)));
  });

  router.post('/answer', async (ctx) => {
    await answerWith(ctx, await answerQuestion(deps, await cookies.readFlow(ctx), field(ctx.request.body, 'answer'), endUserContext(ctx)));
  });

  return router;
}

export function apiRouter(deps: RecoveryDeps & { cookies: CookieJar; presenter: Presenter }): Router {
  const router = new Router({ ...ROUTING, prefix: '/api/recovery' });
  const { cookies, presenter } = deps;

  const answerWith = answerer(cookies, presenter);

  router.use(noStore, sameOriginJsonOnly(deps.config.publicOrigin));

  router.post('/start', async (ctx) => {
    const body = ctx.request.body;
    await answerWith(ctx, await startRecovery(deps, { username: field(body, 'username'), relayState: field(body, 'relayState'), method: field(body, 'method') }, endUserContext(ctx)));
  });

  router.post('/verify', async (ctx) => {
    const token = field(ctx.request.body, 'token');
    if (typeof token !== 'string' || token === '') {
      presenter.json(ctx, { kind: 'invalid-input', field: 'token', problem: 'required' });
      return;
    }
    // relayState: the one the emailed link carried (IDX service delivery), checked like the start's.
    await answerWith(ctx, await verifyRecoveryToken(deps, token, endUserContext(ctx), field(ctx.request.body, 'relayState')));
  });

  // The code from the email (Identity Engine: typed, or read from the magic link's `otp`), or the
  // texted or spoken one (Classic SMS/CALL).
  router.post('/verify-code', async (ctx) => {
    const flow = await cookies.readFlow(ctx);
    await answerWith(ctx, await verifyCode(deps, flow, field(ctx.request.body, 'code') ?? '', endUserContext(ctx)));
  });

  router.post('/resend', async (ctx) => {
    await answerWith(ctx, await resendCode(deps, await cookies.readFlow(ctx), endUserContext(ctx)));
  });

  router.post('/answer', async (ctx) => {
    const flow = await cookies.readFlow(ctx);
    await answerWith(ctx, await answerQuestion(deps, flow, field(ctx.request.body, 'answer'), endUserContext(ctx)));
  });

  router.post('/reset', async (ctx) => {
    const body = ctx.request.body;
    const flow = await cookies.readFlow(ctx);
    const revokeSessions = field(body, 'revokeSessions') !== false;
    await answerWith(ctx, await chooseNewPassword(deps, flow, { newPassword: field(body, 'newPassword'), revokeSessions }, endUserContext(ctx)));
  });

  router.post('/cancel', async (ctx) => {
    await answerWith(ctx, await cancelRecovery(deps, await cookies.readFlow(ctx), endUserContext(ctx)));
  });

  return router;
}
