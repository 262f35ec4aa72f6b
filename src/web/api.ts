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
import { preventCaching } from './security-headers.js';

/** Sec-Fetch-Site values of a request this site's own pages (or a typed address) made. */
const SAME_SITE_FETCHES: ReadonlySet<string> = new Set(['same-origin', 'none']);

/** Throws unless the request comes from our own pages (or a typed address) and a POST's body is JSON. */
function refuseForeignCalls(ctx: Context, publicOrigin: string): void {
  const { origin, 'sec-fetch-site': fetchSite } = ctx.headers;
  if ((origin && origin !== publicOrigin) || (fetchSite && !SAME_SITE_FETCHES.has(fetchSite))) {
    throw new BadRequestError('forbidden', 'cross-site API request');
  }
  if (ctx.method === 'POST' && !isJsonBody(ctx)) {
    throw new BadRequestError('invalid-input', 'API requests must be application/json');
  }
}

/**
 * What every API request meets first, in this order: never cached (noStore's header, set before a
 * refusal too), then refused unless same-origin JSON; then `more`, if given. One router layer
 * rather than one each: every middleware of a matched route is a step of the chain per request.
 */
function apiGate(publicOrigin: string, more?: Middleware): Middleware {
  return (ctx, next) => {
    preventCaching(ctx);
    refuseForeignCalls(ctx, publicOrigin);
    return more ? more(ctx, next) : next();
  };
}

/**
 * ctx.is('application/json') with a body, answered without type-is for the Content-Type every
 * client sends (`application/json` exactly); anything else (a charset, other casing) takes
 * type-is's full parse, so the answer is the same for every header.
 */
function isJsonBody(ctx: Context): boolean {
  const { headers } = ctx.req;
  if (headers['content-type'] !== 'application/json') return Boolean(ctx.is('application/json'));
  // type-is's own test: a request has a body when it says it is chunked or gives a length.
  return headers['transfer-encoding'] !== undefined || !Number.isNaN(Number(headers['content-length']));
}

/** Both routers answer alike: the flow cookie follows the step (cleared once the flow ends), the outcome is the body. */
function answerer(cookies: CookieJar, presenter: Presenter): (ctx: Context, result: StepResult) => void {
  return (ctx, result) => {
    if (result.flow !== undefined) cookies.writeFlow(ctx, result.flow?.phase === 'done' || result.flow?.phase === 'unlocked' ? null : result.flow);
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

  router.use(
    apiGate(deps.config.publicOrigin, (ctx, next) => {
      if (deps.config.unlockMethods.length === 0) return presenter.json(ctx, { kind: 'not-found' });
      return next();
    }),
  );

  router.post('/start', async (ctx) => {
    const body = ctx.request.body;
    answerWith(ctx, await startUnlock(deps, { username: field(body, 'username'), method: field(body, 'method') }, endUserContext(ctx)));
  });

  router.post('/verify', async (ctx) => {
    const token = field(ctx.request.body, 'token');
    if (typeof token !== 'string' || token === '') return presenter.json(ctx, { kind: 'invalid-input', field: 'token', problem: 'required' });
    answerWith(ctx, await verifyRecoveryToken(deps, token, endUserContext(ctx)));
  });

  router.post('/verify-code', async (ctx) => {
    answerWith(ctx, await verifyCode(deps, await cookies.readFlow(ctx), field(ctx.request.body, 'code') ?? '', endUserContext(ctx)));
  });

  router.post('/resend', async (ctx) => {
    answerWith(ctx, await resendCode(deps, await cookies.readFlow(ctx), endUserContext(ctx)));
  });

  router.post('/answer', async (ctx) => {
    answerWith(ctx, await answerQuestion(deps, await cookies.readFlow(ctx), field(ctx.request.body, 'answer'), endUserContext(ctx)));
  });

  return router;
}

export function apiRouter(deps: RecoveryDeps & { cookies: CookieJar; presenter: Presenter }): Router {
  const router = new Router({ ...ROUTING, prefix: '/api/recovery' });
  const { cookies, presenter } = deps;

  const answerWith = answerer(cookies, presenter);

  router.use(apiGate(deps.config.publicOrigin));

  router.post('/start', async (ctx) => {
    const body = ctx.request.body;
    answerWith(ctx, await startRecovery(deps, { username: field(body, 'username'), relayState: field(body, 'relayState'), method: field(body, 'method') }, endUserContext(ctx)));
  });

  router.post('/verify', async (ctx) => {
    const token = field(ctx.request.body, 'token');
    if (typeof token !== 'string' || token === '') {
      presenter.json(ctx, { kind: 'invalid-input', field: 'token', problem: 'required' });
      return;
    }
    // relayState: the one the emailed link carried (IDX service delivery), checked like the start's.
    answerWith(ctx, await verifyRecoveryToken(deps, token, endUserContext(ctx), field(ctx.request.body, 'relayState')));
  });

  // The code from the email (Identity Engine: typed, or read from the magic link's `otp`), or the
  // texted or spoken one (Classic SMS/CALL).
  router.post('/verify-code', async (ctx) => {
    const flow = await cookies.readFlow(ctx);
    answerWith(ctx, await verifyCode(deps, flow, field(ctx.request.body, 'code') ?? '', endUserContext(ctx)));
  });

  router.post('/resend', async (ctx) => {
    answerWith(ctx, await resendCode(deps, await cookies.readFlow(ctx), endUserContext(ctx)));
  });

  router.post('/answer', async (ctx) => {
    const flow = await cookies.readFlow(ctx);
    answerWith(ctx, await answerQuestion(deps, flow, field(ctx.request.body, 'answer'), endUserContext(ctx)));
  });

  router.post('/reset', async (ctx) => {
    const body = ctx.request.body;
    const flow = await cookies.readFlow(ctx);
    const revokeSessions = field(body, 'revokeSessions') !== false;
    answerWith(ctx, await chooseNewPassword(deps, flow, { newPassword: field(body, 'newPassword'), revokeSessions }, endUserContext(ctx)));
  });

  router.post('/cancel', async (ctx) => {
    answerWith(ctx, await cancelRecovery(deps, await cookies.readFlow(ctx), endUserContext(ctx)));
  });

  return router;
}
