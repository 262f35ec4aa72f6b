/**
 * The account a flow is for, shown masked on the question and new-password pages: enough for the
 * user to notice a flow that is not theirs (a link someone else's site made their browser open),
 * not enough to read an address off a shared screen. `alice@example.com` → `a•••e@example.com`.
 */
const DOTS = '•••';

export function maskedAccount(login: string | undefined): string | undefined {
  if (!login) return undefined;
  const at = login.lastIndexOf('@');
  const local = at > 0 ? login.slice(0, at) : login;
  const domain = at > 0 ? login.slice(at) : '';
  const characters = [...local];
  const masked = characters.length <= 2 ? `${characters[0] ?? ''}${DOTS}` : `${characters[0]}${DOTS}${characters.at(-1)}`;
  return masked + domain;
}
