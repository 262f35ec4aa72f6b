/**
 * The one table of page addresses: the routers mount these, the outcome table redirects to them,
 * the presenter lets the language links and "try again" point only at the ones a GET shows, and
 * the access log tells a step page from an emailed token by them (route-paths.ts).
 */
export const PAGES = Object.freeze({
  home: '/',
  forgot: '/forgot-password',
  sent: '/forgot-password/sent',
  /** An emailed link with a recovery token lands here (`/reset-password/{token}` or `?token=`): Classic, and IDX with EMAIL_DELIVERY=service. */
  link: '/reset-password',
  /** IDX: the code typed on the "check your email" page is posted here. */
  code: '/reset-password/code',
  resend: '/reset-password/resend',
  /** IDX: the magic link (the app's Email Verification Experience callback). */
  verifyEmail: '/reset-password/verify-email',
  question: '/reset-password/question',
  newPassword: '/reset-password/new-password',
  done: '/reset-password/done',
  cancel: '/reset-password/cancel',
  /** Classic: a link opened while another flow is past its link asks which to keep (ON_NEW_LINK). */
  replace: '/reset-password/replace',
  /** Demo mode only (src/demo/mailbox.ts): the emails the emulated Okta sent. */
  mailbox: '/dev/mailbox',
  /** Self-service unlock (SELF_SERVICE_UNLOCK): the form; its emailed link is `/unlock-account/{token}`. */
  unlock: '/unlock-account',
  unlockSent: '/unlock-account/sent',
  unlockDone: '/unlock-account/done',
});

/** Pages a GET shows again as they are (no secret in their address). */
export const SHOWABLE_PAGES: ReadonlySet<string> = new Set([
  PAGES.forgot,
  PAGES.sent,
  PAGES.link,
  PAGES.verifyEmail,
  PAGES.question,
  PAGES.newPassword,
  PAGES.done,
  PAGES.replace,
  PAGES.mailbox,
  PAGES.unlock,
  PAGES.unlockSent,
  PAGES.unlockDone,
]);

/** Names under /reset-password/ that are pages, not an emailed link's token. */
export const RESET_SUBPAGES: ReadonlySet<string> = new Set(
  [PAGES.code, PAGES.resend, PAGES.verifyEmail, PAGES.question, PAGES.newPassword, PAGES.done, PAGES.cancel, PAGES.replace].map((path) => path.slice(`${PAGES.link}/`.length)),
);

/** Names under /unlock-account/ that are pages, not an unlock link's token. */
export const UNLOCK_SUBPAGES: ReadonlySet<string> = new Set([PAGES.unlockSent, PAGES.unlockDone].map((path) => path.slice(`${PAGES.unlock}/`.length)));
