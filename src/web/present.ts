/**
 * The two presenters of one flow: JSON for single-page apps, HTML for browsers. Both read the
 * outcome table; only the shape of the answer differs (Kratos serves browser and API flows the
 * same way). Messages are looked up in the request's locale.
 */
import type { Context } from 'koa';
import type { Catalogue } from '../i18n/catalogue.js';
import { inTime } from '../i18n/relative-time.js';
import type { Outcome, PasswordRefusal } from '../recovery/outcomes.js';
import type { PasswordPolicy } from '../recovery/password-policy.js';
import { RELAY_STATE_MAX_LENGTH } from '../recovery/steps.js';
import { OUTCOME_TABLE, PASSWORD_REFUSALS, type WebOutcomeKind } from './outcome-table.js';
import { questionIn } from './question-text.js';
import { ASSETS_PREFIX } from './assets.js';
import type { PageChrome, Renderer } from './render.js';
import { state } from './request-context.js';
import { PAGES, SHOWABLE_PAGES } from './routes.js';

export type AnyOutcome = Outcome | { readonly kind: Exclude<WebOutcomeKind, Outcome['kind']> };

/** A form page to show again when the outcome says "rerender". */
export interface FormPage {
  readonly template: string;
  readonly view: Record<string, unknown>;
}

export interface Presenter {
  json(ctx: Context, outcome: AnyOutcome): void;
  page(ctx: Context, outcome: AnyOutcome, form?: FormPage): void;
  /** Renders a page with the common chrome (brand, locale, CSRF token). */
  render(ctx: Context, template: string, view: Record<string, unknown>, status?: number): void;
  message(ctx: Context, outcome: AnyOutcome): string;
  /** Shape checks by either presenter: is this a JSON API request? */
  isApi(ctx: Context): boolean;
}

/** The policy as the API publishes it: only the rules that apply. */
export function publicPolicy(policy: PasswordPolicy): Record<string, number | boolean> {
  // A plain loop over the keys: entries() → filter() → fromEntries() built three arrays and a
  // pair per rule, on every answer that asks for a new password.
  const published: Record<string, number | boolean> = {};
  for (const rule of Object.keys(policy) as (keyof PasswordPolicy)[]) {
    const value = policy[rule];
    if (value !== 0 && value !== false) published[rule] = value;
  }
  return published;
}

/** What Koa sends as the Content-Type of a JSON body. */
const JSON_TYPE = 'application/json; charset=utf-8';
const EMAIL_SENT = JSON.stringify({ status: 'EMAIL_SENT' });
const UNLOCKED = JSON.stringify({ status: 'UNLOCKED' });
const CANCELLED = JSON.stringify({ status: 'CANCELLED' });

/** Fields whose "required" message names what to enter (a key per field in every catalogue). */
const REQUIRED_BY_FIELD: ReadonlySet<string> = new Set(['username', 'answer', 'newPassword', 'confirmPassword', 'code']);

/** Wrong answers left at which the page starts counting them out. */
const WARN_WHEN_REMAINING = 2;

// A rate limit is not among them: its page says when to come back, and a button before then would fail.
const RETRYABLE: ReadonlySet<string> = new Set(['upstream-unavailable', 'internal', 'forbidden']);

/**
 * This page's address, safe to print in HTML: a known page path and no query, because the emailed
 * link carries its token in the path or the query and neither may be echoed (the token would leak
 * into the HTML and, through a click, into history). Only the forgot-password page keeps its
 * relayState, which is not a secret and must survive a change of language.
 */
function pagePath(ctx: Context): string {
  if (!SHOWABLE_PAGES.has(ctx.path)) return PAGES.forgot;
  const { relayState } = ctx.query;
  const keep = ctx.path === PAGES.forgot && typeof relayState === 'string' && relayState.length <= RELAY_STATE_MAX_LENGTH;
  return keep ? `${ctx.path}?${new URLSearchParams({ relayState })}` : ctx.path;
}

/**
 * The first character a reader sees of the brand name (a whole grapheme: "É" of "École", a
 * letter with its accent, not half of it), upper-cased: the monogram standing in for a logo.
 */
export function brandInitial(brandName: string): string {
  const [first] = new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(brandName.trim());
  return (first?.segment ?? '').toLocaleUpperCase();
}

export function createPresenter(options: {
  renderer: Renderer;
  catalogue: Catalogue;
  brandName: string;
  logoUrl: string | undefined;
  faviconUrl: string | undefined;
  privacyUrl: string | undefined;
  helpUrl: string | undefined;
  supportContact: string | undefined;
  signInUrl: string;
  /** SELF_SERVICE_UNLOCK is on: the locked-account page links to /unlock-account. */
  unlockOffered?: boolean;
  csrfToken: (ctx: Context) => string;
}): Presenter {
  const { catalogue } = options;
  const initial = brandInitial(options.brandName);

  function refusalSentences(locale: string, refusals: readonly PasswordRefusal[]): string[] {
    return refusals.map((refusal) => catalogue.t(locale, PASSWORD_REFUSALS[refusal].messageKey));
  }

  function message(ctx: Context, outcome: AnyOutcome): string {
    const locale = state(ctx).locale ?? 'en';
    if (outcome.kind === 'invalid-input') {
      // An empty field says what to type there ("Enter your username or email address"), not "Enter a value".
      if (outcome.problem === 'required' && outcome.channel) return catalogue.t(locale, 'phoneCode.required');
      if (outcome.problem === 'required' && REQUIRED_BY_FIELD.has(outcome.field)) return catalogue.t(locale, `error.invalid-input.required.${outcome.field}`);
      if (outcome.problem === 'invalid' && outcome.channel) return catalogue.t(locale, 'phoneCode.invalid');
      return catalogue.t(locale, `error.invalid-input.${outcome.problem}`);
    }
    // "Wait 900 seconds" is hard to act on: the time comes in the units a person would use.
    if (outcome.kind === 'rate-limited') return catalogue.t(locale, 'error.rate-limited', { when: inTime(locale, outcome.retryAfterSeconds) });
    // Once few wrong answers remain, the user is told so before the link is spent: a plural in
    // each language's own forms, with the last try (=1) also saying what one more mistake does.
    if (outcome.kind === 'wrong-answer' && outcome.remaining !== undefined && outcome.remaining >= 1 && outcome.remaining <= WARN_WHEN_REMAINING) {
      return `${catalogue.t(locale, 'error.wrong-answer')} ${catalogue.t(locale, 'error.wrong-answer.remaining', { count: outcome.remaining })}`;
    }
    // A texted or spoken code: "check the newest email" would send the user to the wrong place.
    if (outcome.kind === 'wrong-code' && outcome.channel) return catalogue.t(locale, 'phoneCode.wrong');
    if (outcome.kind === 'password-rejected' && outcome.refusals.length > 0) return refusalSentences(locale, outcome.refusals).join(' ');
    const key = OUTCOME_TABLE[outcome.kind].messageKey;
    return key ? catalogue.t(locale, key) : '';
  }

  /** The JSON API's answer for an outcome, serialised; the bodies that never vary are serialised once. */
  function jsonBody(ctx: Context, outcome: AnyOutcome, code: string | undefined): string {
    switch (outcome.kind) {
      case 'email-sent':
        // Identity Engine: the email carries a code to send to /verify-code, written like this.
        return outcome.code ? JSON.stringify({ status: 'EMAIL_SENT', code: outcome.code }) : EMAIL_SENT;
      case 'unlock-email-sent':
        return EMAIL_SENT;
      case 'account-unlocked':
        return UNLOCKED;
      case 'code-sent':
        // Classic SMS/CALL: the same answer for every username (a decoy accepts no code).
        return JSON.stringify({ status: 'CODE_SENT', method: outcome.channel, code: outcome.code });
      case 'ask-question':
        return JSON.stringify({ status: 'RECOVERY', question: questionIn(catalogue, state(ctx).locale ?? 'en', outcome.question) });
      case 'choose-password':
        return JSON.stringify({ status: 'PASSWORD_RESET', policy: publicPolicy(outcome.policy) });
      case 'password-changed':
        return JSON.stringify({ status: 'SUCCESS', redirectTo: outcome.redirectTo });
      case 'cancelled':
        return CANCELLED;
      default: {
        const error: Record<string, unknown> = { code, message: message(ctx, outcome) };
        if (outcome.kind === 'invalid-input') Object.assign(error, { field: outcome.field, problem: outcome.problem });
        // causes: Okta's reasons in the request's language (its own English stays in the log).
        if (outcome.kind === 'password-rejected') {
          Object.assign(error, { causes: refusalSentences(state(ctx).locale ?? 'en', outcome.refusals), reasons: outcome.refusals, unmet: outcome.unmet });
        }
        if (outcome.kind === 'rate-limited') error.retryAfterSeconds = outcome.retryAfterSeconds;
        return JSON.stringify({ error });
      }
    }
  }

  function retryAfter(ctx: Context, outcome: AnyOutcome): void {
    if (outcome.kind === 'rate-limited') ctx.set('Retry-After', String(outcome.retryAfterSeconds));
    if (outcome.kind === 'upstream-unavailable') ctx.set('Retry-After', '30');
  }

  function chrome(ctx: Context, template: string): PageChrome {
    let csrfToken: string | undefined;
    return {
      locale: state(ctx).locale ?? 'en',
      brandName: options.brandName,
      brandInitial: initial,
      logoUrl: options.logoUrl,
      faviconUrl: options.faviconUrl ?? `${ASSETS_PREFIX}favicon.svg`,
      footerLinks: [
        ...(options.privacyUrl ? [{ href: options.privacyUrl, key: 'app.privacy' }] : []),
        ...(options.helpUrl ? [{ href: options.helpUrl, key: 'app.help' }] : []),
      ],
      supportContact: options.supportContact,
      // The done page's own button already leads on to sign in.
      signInUrl: template === 'done' || template === 'unlocked' ? undefined : options.signInUrl,
      // Asked for only by a template that prints a form: a page without one (404, 405, "link
      // expired") sets no CSRF cookie, so a stranger's probe mints no secret.
      get csrfToken() {
        csrfToken ??= options.csrfToken(ctx);
        return csrfToken;
      },
      currentPath: pagePath(ctx),
    };
  }

  function render(ctx: Context, template: string, view: Record<string, unknown>, status = 200): void {
    ctx.status = status;
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = options.renderer.render(template, view, chrome(ctx, template));
  }

  return {
    message,
    render,
    isApi: (ctx) => ctx.path === '/api' || ctx.path.startsWith('/api/'),

    json(ctx, outcome) {
      const row = OUTCOME_TABLE[outcome.kind];
      ctx.status = row.status;
      // The type Koa would give a JSON body, set on Node's response beforehand: Koa then keeps it
      // instead of looking 'json' up in mime-types and setting it through its per-header arrays.
      ctx.res.setHeader('Content-Type', JSON_TYPE);
      retryAfter(ctx, outcome);
      // Serialised here, as Koa would (plain JSON.stringify, the same bytes and length): given an
      // object, Koa reads the type back twice (a split each) and removes a Content-Length first.
      ctx.body = jsonBody(ctx, outcome, row.code);
    },

    page(ctx, outcome, form) {
      const row = OUTCOME_TABLE[outcome.kind];
      retryAfter(ctx, outcome);
      if ('redirect' in row.page) {
        ctx.status = 303;
        ctx.redirect(row.page.redirect);
        return;
      }
      const error = { kind: outcome.kind, message: message(ctx, outcome), field: 'field' in outcome ? outcome.field : undefined };
      if ('rerender' in row.page && form) {
        render(ctx, form.template, { ...form.view, error }, row.status);
        return;
      }
      const locale = state(ctx).locale ?? 'en';
      const titleKey = `error.${outcome.kind}.title`;
      const title = catalogue.t(locale, titleKey) === titleKey ? catalogue.t(locale, 'error.summaryTitle') : catalogue.t(locale, titleKey);
      const offerNewLink = ['link-dead', 'flow-expired', 'attempts-exhausted'].includes(outcome.kind);
      // Failures that pass with time get a "try again" back to the page the user was on.
      const retryHref = RETRYABLE.has(outcome.kind) ? pagePath(ctx) : undefined;
      // A locked account: no button (a new link cannot work until it is unlocked), but who unlocks it.
      const locked = outcome.kind === 'account-locked';
      // A rate limit: the message says when; any button before then would meet the same limit.
      const waitOnly = outcome.kind === 'rate-limited';
      // A locked account the user may unlock themselves (SELF_SERVICE_UNLOCK): the way to do it.
      const unlockHref = locked && options.unlockOffered ? PAGES.unlock : undefined;
      render(ctx, 'error', { title, error, offerNewLink, retryHref, locked, waitOnly, unlockHref }, row.status);
    },
  };
}
