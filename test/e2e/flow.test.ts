/**
 * The whole recovery in Chromium, through demo mode: forgot-password → the email in /dev/mailbox
 * → the link → security question → new password → done; in English and Japanese, by keyboard
 * alone, and with JavaScript off. Every page passes axe (WCAG 2.2 AA) in light and dark schemes,
 * and is photographed at phone and desktop widths into test-artifacts/screenshots/.
 */
import { jest } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { checkPage, describeInBrowser, launchChromium, openMailboxLink, startDemo, WIDTHS, type Demo } from './harness.js';

jest.setTimeout(180_000);

const ALICE = { login: 'alice@example.com', answer: 'Brussels sprouts' };

describeInBrowser('recovery flow in Chromium', () => {
  let browser: Browser;
  let demo: Demo;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    [browser, demo] = await Promise.all([launchChromium(), startDemo()]);
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: WIDTHS.phone, height: 800 } });
    page = await context.newPage();
  });
  afterEach(async () => {
    await context.close();
  });

  function lastResetBody(): Record<string, unknown> | undefined {
    return [...demo.emulator.requests].reverse().find((r) => r.path.endsWith('/credentials/reset_password'))?.body;
  }

  it.each([
    { lang: 'en', password: 'Orchard-Lantern-42', expect: { sent: 'Check your email', done: 'Password changed' } },
    { lang: 'ja', password: 'Sakura-Kawa-2024', expect: { sent: 'メールを確認してください', done: 'パスワードを変更しました' } },
  ])('goes from "forgot password" to "done" in $lang, every page accessible', async ({ lang, password, expect: words }) => {
    await page.goto(`${demo.url}/forgot-password?lang=${lang}`);
    expect(await page.getAttribute('html', 'lang')).toBe(lang);
    expect(await page.title()).toContain(lang === 'ja' ? 'パスワードをお忘れですか' : 'Forgot your password?');
    await checkPage(page, `${lang}-01-forgot-password`);

    // An empty submit: the error summary takes focus and the field points at its message.
    await page.click('button[type=submit]');
    await page.waitForSelector('#error-summary');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('error-summary');
    expect(await page.getAttribute('#username', 'aria-describedby')).toBe('username-error');
    expect(await page.getAttribute('#username', 'aria-invalid')).toBe('true');
    await checkPage(page, `${lang}-02-forgot-password-error`);

    await page.fill('#username', ALICE.login);
    await page.click('button[type=submit]');
    await page.waitForURL('**/forgot-password/sent');
    expect(await page.textContent('h1')).toBe(words.sent);
    expect(await page.getAttribute('[role=status]', 'aria-live')).toBe('polite');
    await checkPage(page, `${lang}-03-email-sent`);

    await openMailboxLink(page, demo, ALICE.login);
    await page.waitForURL((url) => url.pathname === '/reset-password');
    expect(page.url()).not.toMatch(/token/i);
    await checkPage(page, `${lang}-04-link-received`);
    await page.click('form[action="/reset-password"] button[type=submit]');

    await page.waitForURL('**/reset-password/question');
    await checkPage(page, `${lang}-05-question`);
    // The answer is masked; the labelled toggle reveals it and says what the next press does.
    expect(await page.getAttribute('#answer', 'type')).toBe('password');
    const toggle = page.locator('.toggle-visibility[data-target=answer]');
    const showLabel = await toggle.textContent();
    await toggle.click();
    expect(await page.getAttribute('#answer', 'type')).toBe('text');
    expect(await toggle.textContent()).not.toBe(showLabel);
    await toggle.click();

    await page.fill('#answer', 'not the answer');
    await page.click('form[action="/reset-password/question"] button[type=submit]');
    await page.waitForSelector('#error-summary');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('error-summary');
    expect(await page.getAttribute('#answer', 'aria-describedby')).toContain('answer-error');
    await checkPage(page, `${lang}-06-question-wrong-answer`);

    await page.fill('#answer', ALICE.answer);
    await page.click('form[action="/reset-password/question"] button[type=submit]');
    await page.waitForURL('**/reset-password/new-password');
    expect(await page.isChecked('#revokeSessions')).toBe(true);
    expect(await page.getAttribute('#newPassword', 'autocomplete')).toBe('new-password');
    expect(await page.getAttribute('#confirmPassword', 'autocomplete')).toBe('new-password');
    expect(await page.getAttribute('input[name=username]', 'autocomplete')).toBe('username');
    expect(await page.inputValue('input[name=username]')).toBe(ALICE.login);
    await checkPage(page, `${lang}-07-new-password`);

    // The checklist follows the typing: nothing is marked before the first character.
    const rule = (name: string) => page.locator(`#requirements li[data-rule=${name}]`);
    expect(await rule('minLength').getAttribute('class')).toBeNull();
    await page.locator('#newPassword').pressSequentially('ab');
    expect(await rule('minLowerCase').getAttribute('class')).toBe('met');
    expect(await rule('minUpperCase').getAttribute('class')).toBe('unmet');
    expect(await rule('minLength').getAttribute('class')).toBe('unmet');
    await page.locator('#newPassword').pressSequentially('C1defgh');
    for (const name of ['minLength', 'minLowerCase', 'minUpperCase', 'minNumber']) expect(await rule(name).getAttribute('class')).toBe('met');
    await page.locator('#newPassword').fill('alice-Example-1');
    expect(await rule('excludeUsername').getAttribute('class')).toBe('unmet');
    await page.waitForFunction(() => (document.getElementById('requirements-status')?.textContent ?? '').length > 0);
    await checkPage(page, `${lang}-08-new-password-typing`);

    // Confirmation that differs: the form comes back with the message on the confirm field.
    await page.fill('#newPassword', password);
    await page.fill('#confirmPassword', `${password}x`);
    await page.click('form[action="/reset-password/new-password"] button[type=submit]');
    await page.waitForSelector('#error-summary');
    expect(await page.getAttribute('#confirmPassword', 'aria-describedby')).toBe('confirmPassword-error');
    expect(await page.isChecked('#revokeSessions')).toBe(true);
    await checkPage(page, `${lang}-09-new-password-mismatch`);

    await page.fill('#newPassword', password);
    await page.fill('#confirmPassword', password);
    await page.click('form[action="/reset-password/new-password"] button[type=submit]');
    await page.waitForURL('**/reset-password/done');
    expect(await page.textContent('h1')).toBe(words.done);
    expect(lastResetBody()?.revokeSessions).toBe(true);
    await checkPage(page, `${lang}-10-done`);
  });

  it('can be completed with the keyboard alone, focus always visible', async () => {
    const focused = () => page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      const style = el ? getComputedStyle(el) : null;
      return { id: el?.id ?? '', tag: el?.tagName ?? '', cls: el?.className ?? '', text: el?.textContent?.trim() ?? '', outline: style?.outlineStyle ?? 'none', outlineWidth: style?.outlineWidth ?? '0px' };
    });
    /** Tab until `matches`, as a keyboard user would; every stop must show its focus. */
    async function tabTo(matches: (f: Awaited<ReturnType<typeof focused>>) => boolean, max = 40) {
      for (let i = 0; i < max; i++) {
        await page.keyboard.press('Tab');
        const f = await focused();
        if (f.tag !== 'BODY') expect({ at: f.id || f.text, outline: f.outline }).not.toEqual({ at: f.id || f.text, outline: 'none' });
        if (matches(f)) return;
      }
      throw new Error('not reachable by Tab');
    }

    await page.goto(`${demo.url}/forgot-password?lang=en`);
    await page.keyboard.press('Tab');
    expect((await focused()).cls).toBe('skip-link');
    await tabTo((f) => f.id === 'username');
    await page.keyboard.type(ALICE.login);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/forgot-password/sent');

    await page.goto(`${demo.url}/dev/mailbox`);
    await tabTo((f) => f.cls.includes('mail-link'));
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/reset-password');
    await tabTo((f) => f.tag === 'BUTTON' && f.text === 'Continue');
    await page.keyboard.press('Enter');

    await page.waitForURL('**/reset-password/question');
    await tabTo((f) => f.id === 'answer');
    await page.keyboard.type(ALICE.answer);
    await page.keyboard.press('Enter');

    await page.waitForURL('**/reset-password/new-password');
    await tabTo((f) => f.id === 'newPassword');
    await page.keyboard.type('Keyboard-Only-77');
    await tabTo((f) => f.id === 'confirmPassword');
    await page.keyboard.type('Keyboard-Only-77');
    await tabTo((f) => f.id === 'revokeSessions');
    await page.keyboard.press('Space');
    expect(await page.isChecked('#revokeSessions')).toBe(false);
    await tabTo((f) => f.tag === 'BUTTON' && f.text === 'Change password');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/reset-password/done');
    expect(lastResetBody()?.revokeSessions).toBe(false);
    await tabTo((f) => f.text === 'Continue to sign in');
  });

  it('switches language from the header and keeps the choice on the next page', async () => {
    await page.goto(`${demo.url}/forgot-password`);
    await page.click('.language-switcher summary');
    await checkPage(page, 'en-00-language-switcher-open');
    await page.click('.language-switcher a[lang=ja]');
    await page.waitForURL('**/forgot-password?lang=ja');
    expect(await page.getAttribute('html', 'lang')).toBe('ja');
    await page.goto(`${demo.url}/forgot-password/sent`);
    expect(await page.getAttribute('html', 'lang')).toBe('ja');
    expect(await page.textContent('h1')).toBe('メールを確認してください');
  });

  it('works with JavaScript turned off (bob has no security question)', async () => {
    await context.close();
    context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 320, height: 700 } });
    page = await context.newPage();
    await page.goto(`${demo.url}/forgot-password`);
    // Nothing overflows sideways at the narrowest supported width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await page.fill('#username', 'bob@example.com');
    await page.click('button[type=submit]');
    await page.waitForURL('**/forgot-password/sent');
    await openMailboxLink(page, demo, 'bob@example.com');
    await page.waitForURL((url) => url.pathname === '/reset-password');
    await page.click('form[action="/reset-password"] button[type=submit]');
    await page.waitForURL('**/reset-password/new-password');
    expect(await page.isVisible('.toggle-visibility')).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await page.fill('#newPassword', 'No-Script-2025');
    await page.fill('#confirmPassword', 'No-Script-2025');
    await page.click('form[action="/reset-password/new-password"] button[type=submit]');
    await page.waitForURL('**/reset-password/done');
  });
});
