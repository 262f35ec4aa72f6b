/**
 * The pages of self-service unlock (SELF_SERVICE_UNLOCK, Classic, contract §5): its own form and
 * "check your email"; its emailed link lands like the reset link (GET/HEAD spend nothing) and
 * goes on through the same continue, code and question pages as a recovery; Okta's SUCCESS with
 * recoveryType UNLOCK ends on /unlock-account/done. Without SELF_SERVICE_UNLOCK they do not exist.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { FlowPhase } from '../recovery/states.js';
import { startUnlock } from '../recovery/steps.js';
import { field } from './body.js';
import type { PageDeps } from './pages.js';
import { endUserContext } from './request-context.js';
import { PAGES, UNLOCK_SUBPAGES } from './routes.js';

/** What the unlock pages borrow from the recovery pages, so both behave the same. */
export interface SharedPageSteps {
  csrfOk(ctx: Context): boolean;
  showStep(ctx: Context, phase: FlowPhase): Promise<void>;
  receive(ctx: Context, token: unknown, purpose?: 'unlock'): Promise<void>;
  methodChoice(offered: readonly string[], chosen: unknown): Record<string, unknown>;
}

export function mountUnlockPages(router: Router, deps: PageDeps, shared: SharedPageSteps): void {
  const { cookies, presenter } = deps;
  const { csrfOk, showStep, receive, methodChoice } = shared;

  function unlockServed(ctx: Context): boolean {
    if (deps.config.unlockMethods.length > 0) return true;
    presenter.page(ctx, { kind: 'not-found' });
    return false;
  }

  router.get(PAGES.unlock, (ctx) => {
    if (!unlockServed(ctx)) return;
    presenter.render(ctx, 'unlock-account', { username: '', ...methodChoice(deps.config.unlockMethods, undefined) });
  });

  router.post(PAGES.unlock, async (ctx) => {
    if (!unlockServed(ctx) || !csrfOk(ctx)) return;
    const username = field(ctx.request.body, 'username');
    const method = field(ctx.request.body, 'method');
    const result = await startUnlock(deps, { username, method }, endUserContext(ctx));
    if (result.flow !== undefined) cookies.writeFlow(ctx, result.flow);
    const view = { username: typeof username === 'string' ? username : '', ...methodChoice(deps.config.unlockMethods, method) };
    presenter.page(ctx, result.outcome, { template: 'unlock-account', view });
  });

  router.get(PAGES.unlockSent, (ctx) => {
    if (unlockServed(ctx)) presenter.render(ctx, 'unlock-sent', {});
  });

  router.get(PAGES.unlockDone, (ctx) => showStep(ctx, 'unlocked'));

  router.get(`${PAGES.unlock}/:token`, async (ctx, next) => {
    if (UNLOCK_SUBPAGES.has((ctx.params.token ?? '').toLowerCase())) return next();
    if (unlockServed(ctx)) await receive(ctx, ctx.params.token, 'unlock');
  });
}
