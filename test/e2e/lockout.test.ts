/**
 * Wrong answers in Chromium at 320 px, light and dark: the question page counting the last tries
 * out, the page of a link our limit spent (a new link works), and the page of an account Okta
 * locked (no button; who unlocks it), each with "Back to sign in". Each passes axe and fits the narrow screen.
 */
import { jest } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { checkPage, describeInBrowser, launchChromium, startDemo, type Demo } from './harness.js';

jest.setTimeout(180_000);

const NARROW = 320;

describeInBrowser('wrong answers and lockout in Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const demos: Demo[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(demos.map((demo) => demo.close()));
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: NARROW, height: 800 } });
    page = await context.newPage();
  });
  afterEach(async () => {
    await context.close();
  });

  async function demo(environment: Record<string, string> = {}): Promise<Demo> {
    const started = await startDemo(environment);
    demos.push(started);
    return started;
  }

  async function atQuestion(on: Demo, login: string): Promise<void> {
    await page.goto(`${on.url}/reset-password/${on.emulator.issueRecoveryToken(login)}`);
    await page.click('form[action="/reset-password"] button[type=submit]');
    await page.waitForURL('**/reset-password/question');
  }

  async function answerWrong(answer: string): Promise<void> {
    await page.fill('#answer', answer);
    await page.click('form[action="/reset-password/question"] button[type=submit]');
    await page.waitForLoadState();
  }

  async function fitsTheScreen(): Promise<void> {
    // The checks leave the phone width behind; come back to 320 px and measure.
    await page.setViewportSize({ width: NARROW, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(NARROW);
  }

  it('counts the last tries out on the question page, then the spent link offers a new one', async () => {
    const on = await demo();
    await atQuestion(on, 'alice@example.com');
    await answerWrong('wrong 1');
    const error = page.locator('#answer-error');
    expect(await error.textContent()).toContain('You have 2 tries left.');
    expect(await page.locator('#answer').getAttribute('aria-invalid')).toBe('true');
    await answerWrong('wrong 2');
    expect(await error.textContent()).toContain('You have 1 try left');
    await fitsTheScreen();
    await checkPage(page, 'en-30-question-last-try');

    await answerWrong('wrong 3');
    expect(await page.textContent('h1')).toBe('This link can no longer be used');
    expect(await page.textContent('[role=alert]')).toContain('Your account is not locked');
    expect(await page.getByRole('link', { name: 'Send me a new link' }).getAttribute('href')).toBe('/forgot-password');
    // The way out of recovery, under the card on every page (SIGN_IN_URL, here the demo's default).
    expect(await page.getByRole('link', { name: 'Back to sign in' }).isVisible()).toBe(true);
    await fitsTheScreen();
    await checkPage(page, 'en-31-link-spent');
  });

  it('an account Okta locked says who unlocks it, with no button that cannot work', async () => {
    // Our limit above the emulated Okta's lockout (5), so Okta locks first. An org without
    // self-service unlock (the demo offers it unless told otherwise): only people can unlock.
    const on = await demo({ MAX_WRONG_ANSWERS: '10', SUPPORT_CONTACT: 'helpdesk@acme.example', SELF_SERVICE_UNLOCK: 'off' });
    await page.goto(`${on.url}/forgot-password?lang=de`);
    await atQuestion(on, 'alice@example.com');
    for (let attempt = 0; attempt < 10 && (await page.locator('#answer').count()) > 0; attempt++) await answerWrong(`falsch ${attempt}`);
    expect(await page.textContent('h1')).toBe('Ihr Konto ist gesperrt');
    expect(await page.locator('main').textContent()).toContain('Um es früher zu entsperren, wenden Sie sich an helpdesk@acme.example.');
    expect(await page.locator('main a.button, main button').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Zurück zur Anmeldung' }).isVisible()).toBe(true);
    await fitsTheScreen();
    await checkPage(page, 'de-32-account-locked');
  });
});
