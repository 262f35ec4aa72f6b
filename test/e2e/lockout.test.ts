/**
 * Wrong answers in Chromium at 320 px, light and dark: the question page counting the last tries
 * out, the page of a link our limit spent (a new link works), and the page of an account Okta
 * locked (no button; who unlocks it), each with "Back to sign in". Each passes axe and fits the narrow screen.
 */
import { jest } from '@jest/globals';
import { checkPage, chromiumSession, type Demo, describeInBrowser, submitted } from './harness.js';

jest.setTimeout(180_000);

const NARROW = 320;

describeInBrowser('wrong answers and lockout in Chromium', () => {
  const session = chromiumSession({ viewport: { width: NARROW, height: 800 } });

  async function atQuestion(on: Demo, login: string): Promise<void> {
    await session.page.goto(`${on.url}/reset-password/${on.emulator.issueRecoveryToken(login)}`);
    await session.page.click('form[action="/reset-password"] button[type=submit]');
    await session.page.waitForURL('**/reset-password/question');
  }

  async function answerWrong(answer: string): Promise<void> {
    await session.page.fill('#answer', answer);
    await submitted(session.page, () => session.page.click('form[action="/reset-password/question"] button[type=submit]'));
  }

  async function fitsTheScreen(): Promise<void> {
    // The checks leave the phone width behind; come back to 320 px and measure.
    await session.page.setViewportSize({ width: NARROW, height: 800 });
    expect(await session.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(NARROW);
  }

  it('counts the last tries out on the question page, then the spent link offers a new one', async () => {
    const on = await session.startDemo();
    await atQuestion(on, 'alice@example.com');
    await answerWrong('wrong 1');
    const error = session.page.locator('#answer-error');
    expect(await error.textContent()).toContain('You have 2 tries left.');
    expect(await session.page.locator('#answer').getAttribute('aria-invalid')).toBe('true');
    await answerWrong('wrong 2');
    expect(await error.textContent()).toContain('You have 1 try left');
    await fitsTheScreen();
    await checkPage(session.page, 'en-30-question-last-try');

    await answerWrong('wrong 3');
    expect(await session.page.textContent('h1')).toBe('This link can no longer be used');
    expect(await session.page.textContent('[role=alert]')).toContain('Your account is not locked');
    expect(await session.page.getByRole('link', { name: 'Send me a new link' }).getAttribute('href')).toBe('/forgot-password');
    // The way out of recovery, under the card on every page (SIGN_IN_URL, here the demo's default).
    expect(await session.page.getByRole('link', { name: 'Back to sign in' }).isVisible()).toBe(true);
    await fitsTheScreen();
    await checkPage(session.page, 'en-31-link-spent');
  });

  it('an account Okta locked says who unlocks it, with no button that cannot work', async () => {
    // Our limit above the emulated Okta's lockout (5), so Okta locks first. An org without
    // self-service unlock (the demo offers it unless told otherwise): only people can unlock.
    const on = await session.startDemo({ MAX_WRONG_ANSWERS: '10', SUPPORT_CONTACT: 'helpdesk@acme.example', SELF_SERVICE_UNLOCK: 'off' });
    await session.page.goto(`${on.url}/forgot-password?lang=de`);
    await atQuestion(on, 'alice@example.com');
    for (let attempt = 0; attempt < 10 && (await session.page.locator('#answer').count()) > 0; attempt++) await answerWrong(`falsch ${attempt}`);
    expect(await session.page.textContent('h1')).toBe('Ihr Konto ist gesperrt');
    expect(await session.page.locator('main').textContent()).toContain('Um es früher zu entsperren, wenden Sie sich an helpdesk@acme.example.');
    expect(await session.page.locator('main a.button, main button').count()).toBe(0);
    expect(await session.page.getByRole('link', { name: 'Zurück zur Anmeldung' }).isVisible()).toBe(true);
    await fitsTheScreen();
    await checkPage(session.page, 'de-32-account-locked');
  });
});
