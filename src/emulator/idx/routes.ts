/**
 * The IDX endpoints (contract §9.3) and the OAuth endpoints of the org and custom authorization
 * servers (§1.1): each reads its body, counts the IDX rate limits, runs one step and answers.
 */
import Router from '@koa/router';
import type Koa from 'koa';
import { bodyOf } from '../body.js';
import type { JsonObject } from '../body.js';
import { answer, challenge, poll, resend } from './challenge-steps.js';
import type { IdxDeps, StepReply } from './deps.js';
import { replyIon } from './errors.js';
import type { IdxLimiter } from './limits.js';
import { interact, openidConfiguration, token } from './oauth.js';
import type { Handles } from './start-steps.js';
import { cancel, identify, introspect, recover } from './start-steps.js';

/** Koa 3's `ctx.origin` is the Origin header; hrefs need the emulator's own (§11.3). */
const originOf = (ctx: Koa.Context): string => `${ctx.protocol}://${ctx.host}`;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** §10.1: `stateHandle` (GW, forms) or `stateToken` (AUTHJS resume); `interactionHandle` on introspect. */
function handlesOf(body: JsonObject): Handles {
  const stateHandle = text(body['stateHandle']) ?? text(body['stateToken']);
  if (stateHandle !== undefined) return { stateHandle };
  const interactionHandle = text(body['interactionHandle']);
  return interactionHandle !== undefined ? { interactionHandle } : {};
}

type Step = (deps: IdxDeps, origin: string, handles: Handles, body: JsonObject) => StepReply | Promise<StepReply>;

export function idxRouter(deps: IdxDeps, limiter: IdxLimiter): Router {
  const router = new Router({ prefix: '/idp/idx' });
  const route = (path: string, step: Step): void => {
    router.post(path, async (ctx) => {
      const body = bodyOf(ctx) ?? {};
      const handles = handlesOf(body);
      const txn = deps.txns.find(handles);
      if (txn) limiter.check(ctx, txn, text(body['identifier']));
      const reply = await step(deps, originOf(ctx), handles, body);
      replyIon(ctx, reply.status, reply.body);
    });
  };
  route('/introspect', (d, o, h) => introspect(d, o, h));
  route('/recover', (d, o, h) => recover(d, o, h));
  route('/identify', identify);
  route('/challenge', challenge);
  route('/challenge/resend', (d, o, h) => resend(d, o, h));
  route('/challenge/poll', (d, o, h) => poll(d, o, h));
  route('/challenge/answer', answer);
  route('/cancel', (d, o, h) => cancel(d, o, h));
  return router;
}

/** `/oauth2/v1/*` (org AS) and `/oauth2/{authServerId}/v1/*` (custom AS), plus discovery. */
export function oauthRouter(deps: IdxDeps): Router {
  const router = new Router();
  for (const [prefix, serverOf] of [
    ['/oauth2/v1', () => null],
    ['/oauth2/:as/v1', (ctx: Koa.Context) => ctx.params['as'] ?? null],
  ] as const) {
    const server = serverOf as (ctx: Koa.Context) => string | null;
    router.post(`${prefix}/interact`, (ctx) => {
      ctx.body = interact(deps, server(ctx), bodyOf(ctx) ?? {}, ctx.get('authorization'));
    });
    router.post(`${prefix}/token`, async (ctx) => {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await token(deps, originOf(ctx), bodyOf(ctx) ?? {}, ctx.get('authorization'));
    });
    router.get(`${prefix}/keys`, async (ctx) => {
      ctx.body = await deps.tokens.jwks();
    });
  }
  router.get('/.well-known/openid-configuration', (ctx) => {
    ctx.body = openidConfiguration(originOf(ctx), null);
  });
  router.get('/oauth2/:as/.well-known/openid-configuration', (ctx) => {
    ctx.body = openidConfiguration(originOf(ctx), ctx.params['as'] ?? null);
  });
  return router;
}
