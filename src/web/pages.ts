/**
 * Server-rendered pages for browsers; they work without JavaScript. Every POST carries a CSRF
 * token, answers with Post/Redirect/Get, and the emailed link's GET never spends the token
 * (mail scanners open links before people do): it is sealed into the cookie and the URL loses it.
 */
import Router from '@koa/router';
import { ROUTING } from './route-paths.js';
import type { Context } from 'koa';
import type { Catalogue } from '../i18n/catalogue.js';
import { inLifetime } from '../i18n/relative-time.js';
import { checklistOf, type PasswordPolicy } from '../recovery/password-policy.js';
import { ON_NEW_LINK, type FlowPhase, type FlowState } from '../recovery/states.js';
import {
  answerQuestion,
  cancelRecovery,
  chooseNewPassword,
  receiveCodeLink,
  receiveLink,
  resendCode,
  startRecovery,
  verifyCode,
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
import { PAGES, RESET_SUBPAGES } from './routes.js';
import { mountUnlockPages } from './unlock-pages.js';
import { checklistRowsOf } from './outcome-table.js';
import { questionIn } from './question-text.js';
import { noStore } from './security-headers.js';

const PAGE_OF_PHASE: Readonly<Record<FlowPhase, string>> = {
  'link-received': PAGES.link,
  'awaiting-code': PAGES.sent,
  'code-shown': PAGES.verifyEmail,
  'awaiting-answer': PAGES.question,
  'awaiting-password': PAGES.newPassword,
  done: PAGES.done,
  unlocked: PAGES.unlockDone,
};

/** The rules public/app.js checks as the user types (its `checks`); the rest wait for Okta. */
const LIVE_CHECKED: ReadonlySet<string> = new Set(['minLength', 'minLowerCase', 'minUpperCase', 'minNumber', 'minSymbol', 'excludeUsername']);

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
    return checklistOf(policy).map(({ rule, count }) => ({
      rule,
      count,
      text: catalogue.t(state(ctx).locale, `policy.${rule}`, count === undefined ? undefined : { count }),
      unmet: unmet.includes(rule),
    }));
  }

  /**
   * "2 of 5 requirements met", written out here for every count the live checklist can reach: the
   * browser only picks one, so each language's plural forms stay in the catalogue, not in app.js.
   */
  function progressSentences(ctx: Context, rows: ReadonlyArray<{ rule: string }>): string[] {
    const total = rows.filter(({ rule }) => LIVE_CHECKED.has(rule)).length;
    return Array.from({ length: total + 1 }, (_, met) => catalogue.t(state(ctx).locale, 'password.requirementsProgress', { met, total }));
  }

  /**
   * The page of a flow waiting for a code: the field as Okta's form describes it. An emailed code
   * (IDX) shows on "check your email"; a texted or spoken one (Classic) on "check your phone".
   */
  function codeForm(flow: Extract<FlowState, { phase: 'awaiting-code' }>): FormPage {
    const resendIn = Math.max(0, Math.ceil((flow.resendAfter - deps.clock.now()) / 1000));
    const { format, minLength, maxLength } = flow.code;
    const code = { inputmode: format === 'digits' ? 'numeric' : 'text', minLength, maxLength };
    if (flow.channel) {
      const unlock = flow.purpose === 'unlock';
      const otherMethods = (unlock ? deps.config.unlockMethods : deps.config.recoveryMethods).length > 1;
      return { template: 'phone-code', view: { code, resendIn, sms: flow.channel === 'sms', otherMethods, unlock } };
    }
    return { template: 'email-sent', view: { code, resendIn } };
  }

  /**
   * The forgot-password form: with more than one method (RECOVERY_METHODS) it asks how to receive
   * the link or code, with `chosen` (email by default) preselected.
   */
  function forgotView(fields: { username: string; relayState: string | undefined; method?: unknown }): Record<string, unknown> {
    const unlockOffered = deps.config.unlockMethods.length > 0;
    // Anything but "email only" is worded for a choice of link or code (RECOVERY_METHODS=sms alone has no radios).
    const offered = deps.config.recoveryMethods;
    const linkOrCode = !(offered.length === 1 && offered[0] === 'email');
    // A phone method alone (RECOVERY_METHODS=sms): no choice to make, a code to expect.
    const phoneOnly = offered.length === 1 && offered[0] !== 'email';
    return { ...fields, unlockOffered, linkOrCode, phoneOnly, ...methodChoice(offered, fields.method) };
  }

  /** Radio buttons for more than one method, `chosen` (email by default) preselected; none for one. */
  function methodChoice(offered: readonly string[], chosen: unknown): { methods?: Array<{ value: string; checked: boolean }> } {
    if (offered.length < 2) return {};
    const checked = offered.find((method) => method === chosen) ?? (offered.includes('email') ? 'email' : offered[0]);
    return { methods: offered.map((method) => ({ value: method, checked: method === checked })) };
  }

  function formOf(ctx: Context, flow: FlowState): FormPage | undefined {
    switch (flow.phase) {
      case 'link-received':
        return { template: 'link-received', view: { unlock: flow.purpose === 'unlock' } };
      case 'awaiting-code':
        return codeForm(flow);
      case 'code-shown':
        return { template: 'code-shown', view: { code: flow.code } };
      case 'awaiting-answer':
        return { template: 'question', view: { question: questionIn(catalogue, state(ctx).locale, flow.question), account: maskedAccount(flow.user.login) } };
      case 'awaiting-password': {
        const rows = requirements(ctx, flow.policy);
        return {
          template: 'new-password',
          view: { username: flow.user.login, account: maskedAccount(flow.user.login), requirements: rows, progress: progressSentences(ctx, rows), revokeSessions: true },
        };
      }
      case 'done':
      case 'unlocked':
        return undefined;
    }
  }

  /** Applies a step's result: cookie first, then the page the outcome table names. */
  async function present(ctx: Context, result: StepResult, before: FlowState | null, extra: Record<string, unknown> = {}): Promise<void> {
    if (result.flow !== undefined) cookies.writeFlow(ctx, result.flow);
    const form = before ? formOf(ctx, before) : undefined;
    if (form && result.outcome.kind === 'password-rejected' && before?.phase === 'awaiting-password') {
      form.view.requirements = requirements(ctx, before.policy, [...result.outcome.unmet, ...checklistRowsOf(result.outcome.refusals)]);
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
    if (flow.phase === 'unlocked') return presenter.render(ctx, 'unlocked', { signInUrl: deps.config.signInUrl });
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

  router.get(PAGES.home, (ctx) => {
    ctx.status = 303;
    ctx.redirect(PAGES.forgot);
  });

  router.get(PAGES.forgot, (ctx) => {
    const relayState = typeof ctx.query.relayState === 'string' && ctx.query.relayState.length <= RELAY_STATE_MAX_LENGTH ? ctx.query.relayState : undefined;
    presenter.render(ctx, 'forgot-password', forgotView({ username: '', relayState }));
  });

  router.post(PAGES.forgot, async (ctx) => {
    if (!csrfOk(ctx)) return;
    const body = ctx.request.body;
    const username = field(body, 'username');
    const relayState = field(body, 'relayState');
    const method = field(body, 'method');
    const result = await startRecovery(deps, { username, relayState, method }, endUserContext(ctx));
    if (result.flow !== undefined) cookies.writeFlow(ctx, result.flow);
    const view = forgotView({ username: typeof username === 'string' ? username : '', relayState: typeof relayState === 'string' ? relayState : undefined, method });
    presenter.page(ctx, result.outcome, { template: 'forgot-password', view });
  });

  // Classic: "check your email" (or "check your phone" for SMS/CALL). Identity Engine: the email, with the code field and resend.
  router.get(PAGES.sent, async (ctx) => {
    const flow = await cookies.readFlow(ctx);
    if (flow?.phase === 'awaiting-code') {
      const form = codeForm(flow);
      return presenter.render(ctx, form.template, form.view);
    }
    presenter.render(ctx, 'email-sent', { linkExpiresIn: inLifetime(state(ctx).locale, deps.config.resetLinkLifetimeMinutes) });
  });

  router.post(PAGES.code, async (ctx) => {
    if (!csrfOk(ctx)) return;
    const flow = await cookies.readFlow(ctx);
    await present(ctx, await verifyCode(deps, flow, field(ctx.request.body, 'code') ?? '', endUserContext(ctx)), flow);
  });

  router.post(PAGES.resend, async (ctx) => {
    if (!csrfOk(ctx)) return;
    const flow = await cookies.readFlow(ctx);
    await present(ctx, await resendCode(deps, flow, endUserContext(ctx)), flow);
  });

  // The magic link (IDX contract §4.6). GET and HEAD spend nothing: the code is stashed in this
  // browser's flow, or kept to be shown, and a 303 takes it out of the address bar.
  router.get(PAGES.verifyEmail, async (ctx) => {
    const { otp, state: linkState } = ctx.query;
    const flow = await cookies.readFlow(ctx);
    if (otp !== undefined || linkState !== undefined) {
      const result = receiveCodeLink(deps, flow, { otp, state: linkState });
      if (result.flow !== undefined) cookies.writeFlow(ctx, result.flow);
      // A browser whose own flow waits for another email: show the code here, keep that flow.
      if (result.flow === undefined && result.outcome.kind === 'code-link-received') return presenter.render(ctx, 'code-shown', { code: otp });
      return presenter.page(ctx, result.outcome);
    }
    if (flow?.phase === 'awaiting-code' && flow.linkCode) return presenter.render(ctx, 'verify-email', {});
    if (flow?.phase === 'code-shown') return presenter.render(ctx, 'code-shown', { code: flow.code });
    if (!flow) return presenter.page(ctx, { kind: 'flow-expired' });
    ctx.status = 303;
    ctx.redirect(PAGE_OF_PHASE[flow.phase]);
  });

  router.post(PAGES.verifyEmail, async (ctx) => {
    if (!csrfOk(ctx)) return;
    const flow = await cookies.readFlow(ctx);
    await present(ctx, await verifyCode(deps, flow, undefined, endUserContext(ctx)), flow);
  });

  // The emailed link, in both the path form Okta's template recipe uses and a query form.
  // A GET or HEAD spends nothing: it seals the token into the cookie and 303s to a clean URL.
  // A flow past its link is not replaced by a GET alone (states.ts, ON_NEW_LINK): the new link
  // waits in its own sealed cookie and the user chooses on /reset-password/replace.
  async function receive(ctx: Context, token: unknown, purpose?: 'unlock'): Promise<void> {
    const result = receiveLink(deps, token, purpose, ctx.query.relayState);
    if (result.outcome.kind === 'link-received' && result.flow) {
      const current = await cookies.readFlow(ctx);
      if (ON_NEW_LINK[current?.phase ?? 'none'] === 'ask') {
        cookies.writePendingLink(ctx, result.flow);
        ctx.status = 303;
        return ctx.redirect(PAGES.replace);
      }
    }
    if (result.flow !== undefined) cookies.writeFlow(ctx, result.flow);
    presenter.page(ctx, result.outcome);
  }
  router.get(`${PAGES.link}/:token`, async (ctx, next) => {
    if (RESET_SUBPAGES.has(ctx.params.token ?? '')) return next();
    await receive(ctx, ctx.params.token);
  });

  router.get(PAGES.link, async (ctx) => {
    if (typeof ctx.query.token === 'string' || Array.isArray(ctx.query.token)) return receive(ctx, ctx.query.token);
    await showStep(ctx, 'link-received');
  });

  router.post(PAGES.link, async (ctx) => {
    if (!csrfOk(ctx)) return;
    const flow = await cookies.readFlow(ctx);
    await present(ctx, await verifyStashedLink(deps, flow, endUserContext(ctx)), flow);
  });

  router.get(PAGES.question, (ctx) => showStep(ctx, 'awaiting-answer'));
  router.post(PAGES.question, async (ctx) => {
    if (!csrfOk(ctx)) return;
    const flow = await cookies.readFlow(ctx);
    await present(ctx, await answerQuestion(deps, flow, field(ctx.request.body, 'answer'), endUserContext(ctx)), flow);
  });

  router.get(PAGES.newPassword, (ctx) => showStep(ctx, 'awaiting-password'));
  router.post(PAGES.newPassword, async (ctx) => {
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

  router.get(PAGES.done, (ctx) => showStep(ctx, 'done'));

  mountUnlockPages(router, deps, { csrfOk, showStep, receive, methodChoice });

  /** The flow under way and the newly opened link, when both are there to choose between. */
  async function choice(ctx: Context): Promise<{ flow: FlowState; pending: FlowState } | undefined> {
    const [flow, pending] = [await cookies.readFlow(ctx), await cookies.readPendingLink(ctx)];
    if (flow && pending && ON_NEW_LINK[flow.phase] === 'ask') return { flow, pending };
    ctx.status = 303;
    ctx.redirect(flow ? PAGE_OF_PHASE[flow.phase] : PAGES.link);
    return undefined;
  }

  router.get(PAGES.replace, async (ctx) => {
    const chosen = await choice(ctx);
    if (!chosen) return;
    const user = 'user' in chosen.flow ? chosen.flow.user : {};
    presenter.render(ctx, 'replace-link', { account: maskedAccount(user.login) ?? '' });
  });

  router.post(PAGES.replace, async (ctx) => {
    if (!csrfOk(ctx)) return;
    const chosen = await choice(ctx);
    if (!chosen) return;
    cookies.writePendingLink(ctx, null);
    if (field(ctx.request.body, 'choice') === 'new') {
      // The old transaction is cancelled at Okta, as a cancel would, before the new link takes over.
      await cancelRecovery(deps, chosen.flow, endUserContext(ctx));
      cookies.writeFlow(ctx, chosen.pending);
      ctx.status = 303;
      return ctx.redirect(PAGES.link);
    }
    ctx.status = 303;
    ctx.redirect(PAGE_OF_PHASE[chosen.flow.phase]);
  });

  router.post(PAGES.cancel, async (ctx) => {
    if (!csrfOk(ctx)) return;
    const flow = await cookies.readFlow(ctx);
    const result = await cancelRecovery(deps, flow, endUserContext(ctx));
    // "Try another method" of an unlock code goes back to the unlock form, not the forgot-password one.
    if (flow?.phase === 'awaiting-code' && flow.purpose === 'unlock') {
      cookies.writeFlow(ctx, null);
      ctx.status = 303;
      return ctx.redirect(PAGES.unlock);
    }
    await present(ctx, result, null);
  });

  return router;
}
