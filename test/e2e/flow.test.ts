/**
 * The whole recovery in Chromium, through demo mode: forgot-password → the email in /dev/mailbox
 * → the link → security question → new password → done; in English and Japanese, by keyboard
 * alone, and with JavaScript off. Every page passes axe (WCAG 2.2 AA) in light and dark schemes,
 * and is photographed at phone and desktop widths into test-artifacts/screenshots/.
 */
import { jest } from '@jest/globals';
import { checkPage, chromiumSession, describeInBrowser, openMailboxLink, WIDTHS } from './harness.js';

jest.setTimeout(180_000);

const ALICE = { login: 'alice@example.com', answer: 'Brussels sprouts' };

describeInBrowser('recovery flow in Chromium', () => {
  const session = chromiumSession({ viewport: { width: WIDTHS.phone, height: 800 }, demo: {} });

  function lastResetBody(): Record<string, unknown> | undefined {
    return [...session.demo.emulator.requests].reverse().find((r) => r.path.endsWith('/credentials/reset_password'))?.body;
  }

  it.each([
    { lang: 'en', password: 'Orchard-Lantern-42', expect: { sent: 'Check your email', done: 'Password changed' } },
    { lang: 'ja', password: 'Sakura-Kawa-2024', expect: { sent: 'メールを確認してください', done: 'パスワードを変更しました' } },
  ])('goes from "forgot password" to "done" in $lang, every page accessible', async ({ lang, password, expect: words }) => {
    await session.page.goto(`${session.demo.url}/forgot-password?lang=${lang}`);
    expect(await session.page.getAttribute('html', 'lang')).toBe(lang);
    expect(await session.page.title()).toContain(lang === 'ja' ? 'パスワードをお忘れですか' : 'Forgot your password?');
    await checkPage(session.page, `${lang}-01-forgot-password`);

    // An empty submit: the error summary takes focus and the field points at its message.
    await session.page.click('button[type=submit]');
    await session.page.waitForSelector('#error-summary');
    expect(await session.page.evaluate(() => document.activeElement?.id)).toBe('error-summary');
    expect(await session.page.getAttribute('#username', 'aria-describedby')).toBe('username-error');
    expect(await session.page.getAttribute('#username', 'aria-invalid')).toBe('true');
    await checkPage(session.page, `${lang}-02-forgot-password-error`);

    await session.page.fill('#username', ALICE.login);
    await session.page.click('button[type=submit]');
    await session.page.waitForURL('**/forgot-password/sent');
    expect(await session.page.textContent('h1')).toBe(words.sent);
    expect(await session.page.getAttribute('[role=status]', 'aria-live')).toBe('polite');
    await checkPage(session.page, `${lang}-03-email-sent`);

    await openMailboxLink(session.page, session.demo, ALICE.login);
    await session.page.waitForURL((url) => url.pathname === '/reset-password');
    expect(session.page.url()).not.toMatch(/token/i);
    await checkPage(session.page, `${lang}-04-link-received`);
    await session.page.click('form[action="/reset-password"] button[type=submit]');

    await session.page.waitForURL('**/reset-password/question');
    await checkPage(session.page, `${lang}-05-question`);
    // The answer is masked; the labelled toggle reveals it and says what the next press does.
    expect(await session.page.getAttribute('#answer', 'type')).toBe('password');
    const toggle = session.page.locator('.toggle-visibility[data-target=answer]');
    const showLabel = await toggle.textContent();
    await toggle.click();
    expect(await session.page.getAttribute('#answer', 'type')).toBe('text');
    expect(await toggle.textContent()).not.toBe(showLabel);
    await toggle.click();

    await session.page.fill('#answer', 'not the answer');
    await session.page.click('form[action="/reset-password/question"] button[type=submit]');
    await session.page.waitForSelector('#error-summary');
    expect(await session.page.evaluate(() => document.activeElement?.id)).toBe('error-summary');
    expect(await session.page.getAttribute('#answer', 'aria-describedby')).toContain('answer-error');
    await checkPage(session.page, `${lang}-06-question-wrong-answer`);

    await session.page.fill('#answer', ALICE.answer);
    await session.page.click('form[action="/reset-password/question"] button[type=submit]');
    await session.page.waitForURL('**/reset-password/new-password');
    expect(await session.page.isChecked('#revokeSessions')).toBe(true);
    expect(await session.page.getAttribute('#newPassword', 'autocomplete')).toBe('new-password');
    expect(await session.page.getAttribute('#confirmPassword', 'autocomplete')).toBe('new-password');
    expect(await session.page.getAttribute('input[name=username]', 'autocomplete')).toBe('username');
    expect(await session.page.inputValue('input[name=username]')).toBe(ALICE.login);
    await checkPage(session.page, `${lang}-07-new-password`);

    // The checklist follows the typing: nothing is marked before the first character.
    const rule = (name: string) => session.page.locator(`#requirements li[data-rule=${name}]`);
    expect(await rule('minLength').getAttribute('class')).toBeNull();
    await session.page.locator('#newPassword').pressSequentially('ab');
    expect(await rule('minLowerCase').getAttribute('class')).toBe('met');
    expect(await rule('minUpperCase').getAttribute('class')).toBe('unmet');
    expect(await rule('minLength').getAttribute('class')).toBe('unmet');
    await session.page.locator('#newPassword').pressSequentially('C1defgh');
    for (const name of ['minLength', 'minLowerCase', 'minUpperCase', 'minNumber']) expect(await rule(name).getAttribute('class')).toBe('met');
    await session.page.locator('#newPassword').fill('alice-Example-1');
    expect(await rule('excludeUsername').getAttribute('class')).toBe('unmet');
    await session.page.waitForFunction(() => (document.getElementById('requirements-status')?.textContent ?? '').length > 0);
    await checkPage(session.page, `${lang}-08-new-password-typing`);

    // Confirmation that differs: the form comes back with the message on the confirm field.
    await session.page.fill('#newPassword', password);
    await session.page.fill('#confirmPassword', `${password}x`);
    await session.page.click('form[action="/reset-password/new-password"] button[type=submit]');
    await session.page.waitForSelector('#error-summary');
    expect(await session.page.getAttribute('#confirmPassword', 'aria-describedby')).toBe('confirmPassword-error');
    expect(await session.page.isChecked('#revokeSessions')).toBe(true);
    await checkPage(session.page, `${lang}-09-new-password-mismatch`);

    await session.page.fill('#newPassword', password);
    await session.page.fill('#confirmPassword', password);
    await session.page.click('form[action="/reset-password/new-password"] button[type=submit]');
    await session.page.waitForURL('**/reset-password/done');
    expect(await session.page.textContent('h1')).toBe(words.done);
    expect(lastResetBody()?.revokeSessions).toBe(true);
    await checkPage(session.page, `${lang}-10-done`);
  });

  it('can be completed with the keyboard alone, focus always visible', async () => {
    const focused = () => session.page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      const style = el ? getComputedStyle(el) : null;
      return { id: el?.id ?? '', tag: el?.tagName ?? '', cls: el?.className ?? '', text: el?.textContent?.trim() ?? '', outline: style?.outlineStyle ?? 'none', outlineWidth: style?.outlineWidth ?? '0px' };
    });
    /** Tab until `matches`, as a keyboard user would; every stop must show its focus. */
    async function tabTo(matches: (f: Awaited<ReturnType<typeof focused>>) => boolean, max = 40) {
      for (let i = 0; i < max; i++) {
        await session.page.keyboard.press('Tab');
        const f = await focused();
        if (f.tag !== 'BODY') expect({ at: f.id || f.text, outline: f.outline }).not.toEqual({ at: f.id || f.text, outline: 'none' });
        if (matches(f)) return;
      }
      throw new Error('not reachable by Tab');
    }

    await session.page.goto(`${session.demo.url}/forgot-password?lang=en`);
    await session.page.keyboard.press('Tab');
    expect((await focused()).cls).toBe('skip-link');
    await tabTo((f) => f.id === 'username');
    await session.page.keyboard.type(ALICE.login);
    await session.page.keyboard.press('Enter');
    await session.page.waitForURL('**/forgot-password/sent');

    await session.page.goto(`${session.demo.url}/dev/mailbox`);
    await tabTo((f) => f.cls.includes('mail-link'));
    await session.page.keyboard.press('Enter');
    await session.page.waitForURL((url) => url.pathname === '/reset-password');
    await tabTo((f) => f.tag === 'BUTTON' && f.text === 'Continue');
    await session.page.keyboard.press('Enter');

    await session.page.waitForURL('**/reset-password/question');
    await tabTo((f) => f.id === 'answer');
    await session.page.keyboard.type(ALICE.answer);
    await session.page.keyboard.press('Enter');

    await session.page.waitForURL('**/reset-password/new-password');
    await tabTo((f) => f.id === 'newPassword');
    await session.page.keyboard.type('Keyboard-Only-77');
    await tabTo((f) => f.id === 'confirmPassword');
    await session.page.keyboard.type('Keyboard-Only-77');
    await tabTo((f) => f.id === 'revokeSessions');
    await session.page.keyboard.press('Space');
    expect(await session.page.isChecked('#revokeSessions')).toBe(false);
    await tabTo((f) => f.tag === 'BUTTON' && f.text === 'Change password');
    await session.page.keyboard.press('Enter');
    await session.page.waitForURL('**/reset-password/done');
    expect(lastResetBody()?.revokeSessions).toBe(false);
    await tabTo((f) => f.text === 'Continue to sign in');
  });

  it('switches language from the header and keeps the choice on the next page', async () => {
    await session.page.goto(`${session.demo.url}/forgot-password`);
    await session.page.click('.language-switcher summary');
    await checkPage(session.page, 'en-00-language-switcher-open');
    await session.page.click('.language-switcher a[lang=ja]');
    await session.page.waitForURL('**/forgot-password?lang=ja');
    expect(await session.page.getAttribute('html', 'lang')).toBe('ja');
    await session.page.goto(`${session.demo.url}/forgot-password/sent`);
    expect(await session.page.getAttribute('html', 'lang')).toBe('ja');
    expect(await session.page.textContent('h1')).toBe('メールを確認してください');
  });

  it('works with JavaScript turned off (bob has no security question)', async () => {
    await session.reopen({ javaScriptEnabled: false, viewport: { width: 320, height: 700 } });
    await session.page.goto(`${session.demo.url}/forgot-password`);
    // Nothing overflows sideways at the narrowest supported width.
    expect(await session.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await session.page.fill('#username', 'bob@example.com');
    await session.page.click('button[type=submit]');
    await session.page.waitForURL('**/forgot-password/sent');
    await openMailboxLink(session.page, session.demo, 'bob@example.com');
    await session.page.waitForURL((url) => url.pathname === '/reset-password');
    await session.page.click('form[action="/reset-password"] button[type=submit]');
    await session.page.waitForURL('**/reset-password/new-password');
    expect(await session.page.isVisible('.toggle-visibility')).toBe(false);
    expect(await session.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await session.page.fill('#newPassword', 'No-Script-2025');
    await session.page.fill('#confirmPassword', 'No-Script-2025');
    await session.page.click('form[action="/reset-password/new-password"] button[type=submit]');
    await session.page.waitForURL('**/reset-password/done');
  });
});
