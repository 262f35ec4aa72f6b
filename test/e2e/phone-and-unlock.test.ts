/**
 * A recovery by text message and a self-service unlock in Chromium at 320 px, by keyboard alone
 * (Tab, arrow keys, typing, Enter), against demo mode: every new page passes axe in the light and
 * dark schemes and fits the narrow screen. The code and the link are read where a person would:
 * the demo's phone and mailbox.
 */
import { jest } from '@jest/globals';
import { checkPage, chromiumSession, describeInBrowser, submitted } from './harness.js';

jest.setTimeout(180_000);

const NARROW = 320;

describeInBrowser('SMS recovery and self-service unlock in Chromium, keyboard only', () => {
  const session = chromiumSession({ viewport: { width: NARROW, height: 800 } });

  /** Tab forward until `selector` has the focus, as a keyboard user would; fails if it never does. */
  async function tabTo(selector: string): Promise<void> {
    for (let presses = 0; presses < 40; presses++) {
      if (await session.page.evaluate((wanted) => document.activeElement?.matches(wanted) ?? false, selector)) return;
      await session.page.keyboard.press('Tab');
    }
    throw new Error(`the keyboard never reached ${selector}`);
  }

  async function fitsTheScreen(): Promise<void> {
    await session.page.setViewportSize({ width: NARROW, height: 800 });
    expect(await session.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(NARROW);
  }

  async function pageChecked(name: string): Promise<void> {
    await fitsTheScreen();
    await checkPage(session.page, name);
  }

  it('resets a password by text message', async () => {
    const on = await session.startDemo({ RECOVERY_METHODS: 'email,sms,call' });
    await session.page.goto(`${on.url}/forgot-password`);
    await pageChecked('en-40-forgot-methods');

    await tabTo('#username');
    await session.page.keyboard.type('alice@example.com');
    // Tab enters the radio group on the checked method (email); an arrow key moves the choice.
    await session.page.keyboard.press('Tab');
    expect(await session.page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe('email');
    await session.page.keyboard.press('ArrowDown');
    expect(await session.page.isChecked('#method-sms')).toBe(true);
    await tabTo('form[action="/forgot-password"] button[type=submit]');
    await session.page.keyboard.press('Enter');
    await session.page.waitForURL('**/forgot-password/sent');
    expect(await session.page.textContent('h1')).toBe('Check your phone');
    expect(await session.page.getAttribute('#code', 'autocomplete')).toBe('one-time-code');
    expect(await session.page.textContent('#resend-wait')).toContain('30 seconds');
    await pageChecked('en-41-phone-code');

    await tabTo('#code');
    await session.page.keyboard.type('000000');
    await submitted(session.page, () => session.page.keyboard.press('Enter'));
    expect(await session.page.getAttribute('#code', 'aria-invalid')).toBe('true');
    expect(await session.page.textContent('#code-error')).toContain('newest message');
    await pageChecked('en-42-phone-code-wrong');

    const texted = [...on.emulator.phoneOutbox].reverse().find((message) => message.login === 'alice@example.com');
    await tabTo('#code');
    await session.page.keyboard.type(texted?.code ?? '');
    await session.page.keyboard.press('Enter');
    await session.page.waitForURL('**/reset-password/question');
    await tabTo('#answer');
    await session.page.keyboard.type('Brussels sprouts');
    await session.page.keyboard.press('Enter');
    await session.page.waitForURL('**/reset-password/new-password');
    await tabTo('#newPassword');
    await session.page.keyboard.type('Texted-Keyboard-2026');
    await tabTo('#confirmPassword');
    await session.page.keyboard.type('Texted-Keyboard-2026');
    await session.page.keyboard.press('Enter');
    await session.page.waitForURL('**/reset-password/done');
    expect(await session.page.textContent('h1')).toBe('Password changed');
  });

  it('unlocks a locked-out account by the emailed link', async () => {
    const on = await session.startDemo({ SELF_SERVICE_UNLOCK: 'email,sms' });
    await session.page.goto(`${on.url}/forgot-password`);
    await pageChecked('en-47-forgot-with-unlock');
    await tabTo('a[href="/unlock-account"]');
    await session.page.keyboard.press('Enter');
    await session.page.waitForURL('**/unlock-account');
    await pageChecked('en-43-unlock');

    await tabTo('#username');
    await session.page.keyboard.type('carol@example.com');
    await tabTo('form[action="/unlock-account"] button[type=submit]');
    await session.page.keyboard.press('Enter');
    await session.page.waitForURL('**/unlock-account/sent');
    await pageChecked('en-44-unlock-sent');

    await on.settled();
    await session.page.goto(`${on.url}/dev/mailbox`);
    await tabTo('li.mail a.mail-link');
    expect(await session.page.evaluate(() => (document.activeElement as HTMLAnchorElement).href)).toContain('/unlock-account/');
    await session.page.keyboard.press('Enter');
    await session.page.waitForURL('**/reset-password');
    expect(await session.page.textContent('h1')).toBe('Unlock your account');
    await pageChecked('en-45-unlock-continue');

    await tabTo('form[action="/reset-password"] button[type=submit]');
    await session.page.keyboard.press('Enter');
    await session.page.waitForURL('**/reset-password/question');
    await tabTo('#answer');
    await session.page.keyboard.type('Rex');
    await session.page.keyboard.press('Enter');
    await session.page.waitForURL('**/unlock-account/done');
    expect(await session.page.textContent('h1')).toBe('Your account is unlocked');
    await pageChecked('en-46-unlocked');
    await tabTo('main a[href="/forgot-password"]');
  });
});
