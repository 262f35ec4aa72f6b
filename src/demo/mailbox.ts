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
      // When it was sent, in the reader's language (the outboxes keep ISO-8601, which also sorts).
      const when = new Intl.DateTimeFormat(state(ctx).locale, { dateStyle: 'medium', timeStyle: 'short' });
      const mails = emulator.outbox.map(({ subject, to, date, link, text }) => ({ kind: 'mail' as const, subject, to, iso: date, link, text }));
      // The texts and calls of SMS/CALL recovery in the same list: a demo user's "phone" is here too.
      const texts = emulator.phoneOutbox.map(({ factorType, to, code, date, text }) => ({ kind: 'phone' as const, sms: factorType === 'SMS', to, code, iso: date, text }));
      // Newest first; within one instant the later-recorded first (a stable sort of the reversed lists).
      const messages = [...mails.reverse(), ...texts.reverse()]
        .sort((a, b) => b.iso.localeCompare(a.iso))
        .map((message) => ({ ...message, phone: message.kind === 'phone', date: when.format(new Date(message.iso)) }));
      ctx.set('Cache-Control', 'no-store');
      presenter.render(ctx, 'mailbox', { messages });
    });
    return router;
  };
}
