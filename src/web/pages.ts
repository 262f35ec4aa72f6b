/**
 * Server-rendered pages for browsers; they work without JavaScript. Every POST carries a CSRF
 * token, answers with Post/Redirect/Get, and the emailed link's GET never spends the token
 * (mail scanners open links before people do): it is sealed into the cookie and the URL loses it.
 */
import Router from '@koa/router';
import { ROUTING } from './route-paths.js';
import type { Context } from 'koa';
import type { Catalogue } from '../i18n/catalogue.js';
import type { PasswordPolicy, PasswordRequirement } from '../recovery/password-policy.js';
import { ON_NEW_LINK, type FlowPhase, type FlowState } from '../recovery/states.js';
import {
  answerQuestion,
  cancelRecovery,
  chooseNewPassword,
  receiveLink,
  startRecovery,
  verifyStashedLink,
  RELAY_STATE_MAX_LENGTH,
  type RecoveryDeps,
  type StepResult,
} from '../recovery/steps.js';
import { field } from './body.js';
import type { CookieJar } from './cookies.js';
import type { CsrfGuard } from './csrf.js';
import { maskedAccount } from './mask.js';
import type { FormPage, Presenter } from './present.js';
import { endUserContext, state } from './request-context.js';
import { noStore } from './security-headers.js';

const PAGE_OF_PHASE: Readonly<Record<FlowPhase, string>> = {
  'link-received': '/reset-password',
  'awaiting-answer': '/reset-password/question',
  'awaiting-password': '/reset-password/new-password',
  done: '/reset-password/done',
};

const POLICY_RULES: ReadonlyArray<{ rule: PasswordRequirement | 'historyCount' | 'minAgeMinutes'; counted: boolean }> = [
  { rule: 'minLength', counted: true },
  { rule: 'minLowerCase', counted: true },
  { rule: 'minUpperCase', counted: true },
  { rule: 'minNumber', counted: true },
  { rule: 'minSymbol', counted: true },
  { rule: 'excludeUsername', counted: false },
  { rule: 'excludeFirstName', counted: false },
  { rule: 'excludeLastName', counted: false },
  { rule: 'historyCount', counted: true },
  { rule: 'minAgeMinutes', counted: true },
];

export interface PageDeps extends RecoveryDeps {
  readonly cookies: CookieJar;
  readonly csrf: CsrfGuard;
  readonly presenter: Presenter;
  readonly catalogue: Catalogue;
}

export function pagesRouter(deps: PageDeps): Router {
  const router = new Router(ROUTING);
  const { cookies, csrf, presenter, catalogue } = deps;

  function requirements(ctx: Context, policy: PasswordPolicy, unmet: readonly string[] = []) {
    return POLICY_RULES.filter(({ rule }) => policy[rule] !== 0 && policy[rule] !== false).map(({ rule, counted }) => ({
      rule,
      count: counted ? policy[rule] : undefined,
      text: catalogue.t(state(ctx).locale, `policy.${rule}`, counted ? { count: policy[rule] as number } : undefined),
      unmet: unmet.includes(rule),
    }));
  }

  function formOf(ctx: Context, flow: FlowState): FormPage | undefined {
    switch (flow.phase) {
      case 'link-received':
        return { template: 'link-received', view: {} };
      case 'awaiting-answer':
        return { template: 'question', view: { question: flow.question, account: maskedAccount(flow.user.login) } };
      case 'awaiting-password':
        return {
          template: 'new-password',
          view: { username: flow.user.login, account: maskedAccount(flow.user.login), requirements: requirements(ctx, flow.policy), revokeSessions: true },
        };
      case 'done':
        return undefined;
    }
  }

  /** Applies a step's result: cookie first, then the page the outcome table names. */
  async function present(ctx: Context, result: StepResult, before: FlowState | null, extra: Record<string, unknown> = {}): Promise<void> {
    if (result.flow !== undefined) await cookies.writeFlow(ctx, result.flow);
    const form = before ? formOf(ctx, before) : undefined;
    if (form && result.outcome.kind === 'password-rejected' && before?.phase === 'awaiting-password') {
      form.view.requirements = requirements(ctx, before.policy, result.outcome.unmet);
    }
    if (result.outcome.kind === 'out-of-order' && before) {
      ctx.status = 303;
      ctx.redirect(PAGE_OF_PHASE[before.phase]);
      return;
    }
    presenter.page(ctx, result.outcome, form && { template: form.template, view: { ...form.view, ...extra } });
  }

  /** GET of a step page: show it if the flow is at that step, else send the user where the flow is. */
  async function showStep(ctx: Context, phase: FlowPhase): Promise<void> {
    const flow = await cookies.readFlow(ctx);
    if (!flow) return presenter.page(ctx, { kind: 'flow-expired' });
    if (flow.phase !== phase) {
      ctx.status = 303;
      return ctx.redirect(PAGE_OF_PHASE[flow.phase]);
    }
    if (flow.phase === 'done') return presenter.render(ctx, 'done', { redirectTo: flow.redirectTo });
    const form = formOf(ctx, flow);
    if (form) presenter.render(ctx, form.template, form.view);
  }

  function csrfOk(ctx: Context): boolean {
    if (csrf.verify(ctx, field(ctx.request.body, '_csrf'))) return true;
    state(ctx).log.info({ event: 'http.csrf-refused' }, 'form post without a valid CSRF token');
    presenter.page(ctx, { kind: 'forbidden' });
    return false;
  }

  router.use(noStore);

  router.get('/', (ctx) => {
    ctx.status = 303;
    ctx.redirect('/forgot-password');
  });

  router.get('/forgot-password', (ctx) => {
    const relayState = typeof ctx.query.relayState === 'string' && ctx.query.relayState.length <= RELAY_STATE_MAX_LENGTH ? ctx.query.relayState : undefined;
    presenter.render(ctx, 'forgot-password', { username: '', relayState });
  });

  router.post('/forgot-password', async (ctx) => {
    if (!csrfOk(ctx)) return;
    const body = ctx.request.body;
    const username = field(body, 'username');
    const relayState = field(body, 'relayState');
    const outcome = await startRecovery(deps, { username, relayState }, endUserContext(ctx));
    const view = { username: typeof username === 'string' ? username : '', relayState: typeof relayState === 'string' ? relayState : undefined };
    presenter.page(ctx, outcome, { template: 'forgot-password', view });
  });

  router.get('/forgot-password/sent', (ctx) => presenter.render(ctx, 'email-sent', {}));

  // The emailed link, in both the path form Okta's template recipe uses and a query form.
  // A GET or HEAD spends nothing: it seals the token into the cookie and 303s to a clean URL.
  // A flow past its link is not replaced by a GET alone (states.ts, ON_NEW_LINK): the new link
  // waits in its own sealed cookie and the user chooses on /reset-password/replace.
  async function receive(ctx: Context, token: unknown): Promise<void> {
    const result = receiveLink(deps, token);
    if (result.outcome.kind === 'link-received' && result.flow) {
      const current = await cookies.readFlow(ctx);
      if (ON_NEW_LINK[current?.phase ?? 'none'] === 'ask') {
        await cookies.writePendingLink(ctx, result.flow);
        ctx.status = 303;
        return ctx.redirect('/reset-password/replace');
      }
    }
    if (result.flow !== undefined) await cookies.writeFlow(ctx, result.flow);
    presenter.page(ctx, result.outcome);
  }
  router.get('/reset-password/:token', async (ctx, next) => {
    if (['question', 'new-password', 'done', 'replace'].includes(ctx.params.token ?? '')) return next();
    await receive(ctx, ctx.params.token);
  });

  router.get('/reset-password', async (ctx) => {
    if (typeof ctx.query.token === 'string' || Array.isArray(ctx.query.token)) return receive(ctx, ctx.query.token);
    await showStep(ctx, 'link-received');
  });

  router.post('/reset-password', async (ctx) => {
    if (!csrfOk(ctx)) return;
    const flow = await cookies.readFlow(ctx);
    await present(ctx, await verifyStashedLink(deps, flow, endUserContext(ctx)), flow);
  });

  router.get('/reset-password/question', (ctx) => showStep(ctx, 'awaiting-answer'));
  router.post('/reset-password/question', async (ctx) => {
    if (!csrfOk(ctx)) return;
    const flow = await cookies.readFlow(ctx);
    await present(ctx, await answerQuestion(deps, flow, field(ctx.request.body, 'answer'), endUserContext(ctx)), flow);
  });

  router.get('/reset-password/new-password', (ctx) => showStep(ctx, 'awaiting-password'));
  router.post('/reset-password/new-password', async (ctx) => {
    if (!csrfOk(ctx)) return;
    const body = ctx.request.body;
    const flow = await cookies.readFlow(ctx);
    const newPassword = field(body, 'newPassword');
    const revokeSessions = field(body, 'revokeSessions') === 'on' || field(body, 'revokeSessions') === 'true';
    if (flow?.phase === 'awaiting-password' && typeof newPassword === 'string' && newPassword !== field(body, 'confirmPassword')) {
      await present(ctx, { outcome: { kind: 'invalid-input', field: 'confirmPassword', problem: 'mismatch' } }, flow, { revokeSessions });
      return;
    }
    await present(ctx, await chooseNewPassword(deps, flow, { newPassword, revokeSessions }, endUserContext(ctx)), flow, { revokeSessions });
  });

  router.get('/reset-password/done', (ctx) => showStep(ctx, 'done'));

  /** The flow under way and the newly opened link, when both are there to choose between. */
  async function choice(ctx: Context): Promise<{ flow: FlowState; pending: FlowState } | undefined> {
    const [flow, pending] = [await cookies.readFlow(ctx), await cookies.readPendingLink(ctx)];
    if (flow && pending && ON_NEW_LINK[flow.phase] === 'ask') return { flow, pending };
    ctx.status = 303;
    ctx.redirect(flow ? PAGE_OF_PHASE[flow.phase] : '/reset-password');
    return undefined;
  }

  router.get('/reset-password/replace', async (ctx) => {
    const chosen = await choice(ctx);
    if (!chosen) return;
    const user = chosen.flow.phase === 'awaiting-answer' || chosen.flow.phase === 'awaiting-password' ? chosen.flow.user : {};
    presenter.render(ctx, 'replace-link', { account: maskedAccount(user.login) ?? '' });
  });

  router.post('/reset-password/replace', async (ctx) => {
    if (!csrfOk(ctx)) return;
    const chosen = await choice(ctx);
    if (!chosen) return;
    await cookies.writePendingLink(ctx, null);
    if (field(ctx.request.body, 'choice') === 'new') {
      // The old transaction is cancelled at Okta, as a cancel would, before the new link takes over.
      await cancelRecovery(deps, chosen.flow, endUserContext(ctx));
      await cookies.writeFlow(ctx, chosen.pending);
      ctx.status = 303;
      return ctx.redirect('/reset-password');
    }
    ctx.status = 303;
    ctx.redirect(PAGE_OF_PHASE[chosen.flow.phase]);
  });

  router.post('/reset-password/cancel', async (ctx) => {
    if (!csrfOk(ctx)) return;
    await present(ctx, await cancelRecovery(deps, await cookies.readFlow(ctx), endUserContext(ctx)), null);
  });

  return router;
}
