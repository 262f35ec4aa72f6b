/**
 * /dev/mailbox: the emails the emulated Okta "sent", newest first, each link clickable, so the
 * whole flow runs in one browser tab. Mounted only in demo mode (index.ts), never in production.
 * It is one of our pages (templates/pages/mailbox.hbs in the main layout): styled, translated,
 * readable at 320 px, whatever the emails hold.
 */
import Router from '@koa/router';
import type { ExtraRouter } from '../deps.js';
import type { RunningEmulator } from '../emulator/index.js';
import { state } from '../web/request-context.js';
import { PAGES } from '../web/routes.js';

export function mailboxRouter(emulator: RunningEmulator): ExtraRouter {
  return ({ presenter }) => {
    const router = new Router();
    router.get(PAGES.mailbox, (ctx) => {
      // When it was sent, in the reader's language (the outbox keeps ISO-8601).
      const when = new Intl.DateTimeFormat(state(ctx).locale, { dateStyle: 'medium', timeStyle: 'short' });
      const messages = [...emulator.outbox].reverse().map(({ subject, to, date, link, text }) => ({ subject, to, date: when.format(new Date(date)), link, text }));
      ctx.set('Cache-Control', 'no-store');
      presenter.render(ctx, 'mailbox', { messages });
    });
    return router;
  };
}
