/**
 * The one table of page addresses: the routers mount these, the outcome table redirects to them,
 * and the presenter lets the language links and "try again" point only at the ones a GET shows.
 */
export const PAGES = Object.freeze({
  home: '/',
  forgot: '/forgot-password',
  sent: '/forgot-password/sent',
  /** Classic's emailed link lands here (`/reset-password/{token}` or `?token=`). */
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
]);

/** Names under /reset-password/ that are pages, not an emailed link's token. */
export const RESET_SUBPAGES: ReadonlySet<string> = new Set(
  [PAGES.code, PAGES.resend, PAGES.verifyEmail, PAGES.question, PAGES.newPassword, PAGES.done, PAGES.cancel].map((path) => path.slice(`${PAGES.link}/`.length)),
);
