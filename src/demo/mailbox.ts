/**
 * /dev/mailbox: the emails the emulated Okta "sent", newest first, each link clickable, so the
 * whole flow runs in one browser tab. Mounted only in demo mode (index.ts), never in production.
 */
import Router from '@koa/router';
import type { RunningEmulator } from '../emulator/index.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function mailboxRouter(emulator: RunningEmulator): Router {
  const router = new Router();
  router.get('/dev/mailbox', (ctx) => {
    // Emails and the texts and calls of SMS/CALL recovery, in one list: a demo user's "phone" is here too.
    const mails = emulator.outbox.map((message) => ({
      date: message.date,
      html: `<li class="mail">
  <h2>${escapeHtml(message.subject)}</h2>
  <p class="meta">To ${escapeHtml(message.to)} · ${escapeHtml(message.date)}</p>
  ${message.link ? `<p><a class="button mail-link" href="${escapeHtml(message.link)}">Open the link in this email</a></p>` : ''}
  <pre>${escapeHtml(message.text)}</pre>
</li>`,
    }));
    const texts = emulator.phoneOutbox.map((message) => ({
      date: message.date,
      html: `<li class="mail text-message">
  <h2>${message.factorType === 'SMS' ? 'Text message' : 'Voice call'} to ${escapeHtml(message.to)}</h2>
  <p class="meta">For ${escapeHtml(message.login)} · ${escapeHtml(message.date)}</p>
  <p>Code: <strong class="sms-code">${escapeHtml(message.code)}</strong></p>
  <pre>${escapeHtml(message.text)}</pre>
</li>`,
    }));
    // Newest first; within the same instant, the later-recorded first (stable sort of the reversed lists).
    const messages = [...mails.reverse(), ...texts.reverse()].sort((a, b) => b.date.localeCompare(a.date));
    const items = messages.map((message) => message.html).join('\n');
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo mailbox</title><link rel="stylesheet" href="/assets/app.css"></head>
<body><main id="main">
<h1>Demo mailbox</h1>
<p>Emails, text messages and voice calls the emulated Okta sent, newest first. This page exists only in demo mode.</p>
${messages.length ? `<ol class="mailbox">${items}</ol>` : '<p>No emails yet. <a href="/forgot-password">Ask for a reset link</a>, then reload.</p>'}
</main></body></html>`;
  });
  return router;
}
