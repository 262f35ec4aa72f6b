/**
 * The Identity Engine recovery in Chromium, through demo mode as `OKTA_ENGINE=idx npm start` runs
 * it: the code typed on "check your email", and the magic link opened in the same browser and in
 * another one. Every new page passes axe (WCAG 2.2 AA) in light and dark schemes and is
 * photographed into test-artifacts/screenshots/.
 */
import { jest } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { checkPage, describeInBrowser, launchChromium, openMailboxLink, startDemo, WIDTHS, type Demo } from './harness.js';

jest.setTimeout(180_000);

describeInBrowser('Identity Engine recovery in Chromium', () => {
  let browser: Browser;
  let demo: Demo;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [browser, demo] = await Promise.all([launchChromium(), startDemo({ OKTA_ENGINE: 'idx' })]);
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: WIDTHS.phone, height: 800 } });
    contexts.push(context);
    return context.newPage();
  }

  /** The code the newest email to `login` carries (Okta is asked after the start has answered). */
  async function newestCode(login: string): Promise<string> {
    await demo.settled();
    const mail = [...demo.emulator.outbox].reverse().find((message) => message.to.includes(login));
    if (!mail?.otp) throw new Error(`no code emailed to ${login}`);
    return mail.otp;
  }

  async function askForCode(page: Page, login: string): Promise<void> {
    await page.goto(`${demo.url}/forgot-password`);
    await page.fill('#username', login);
    await page.click('button[type=submit]');
    await page.waitForURL('**/forgot-password/sent');
  }

  it('types the code, answers the question and sets a new password, every page accessible', async () => {
    const page = await newPage();
    await askForCode(page, 'alice@example.com');
    expect(await page.getAttribute('#code', 'autocomplete')).toBe('one-time-code');
    await checkPage(page, 'idx-01-check-email-code');

    await page.fill('#code', '000000');
    await page.click('form[action="/reset-password/code"] button[type=submit]');
    await page.waitForSelector('#error-summary');
    expect(await page.getAttribute('#code', 'aria-invalid')).toBe('true');
    await checkPage(page, 'idx-02-wrong-code');

    await page.fill('#code', await newestCode('alice@example.com'));
    await page.click('form[action="/reset-password/code"] button[type=submit]');
    await page.waitForURL('**/reset-password/question');
    await page.fill('#answer', 'Brussels sprouts');
    await page.click('form[action="/reset-password/question"] button[type=submit]');
    await page.waitForURL('**/reset-password/new-password');
    await checkPage(page, 'idx-03-new-password');
    await page.fill('#newPassword', 'Idx-Orchard-Lantern-42');
    await page.fill('#confirmPassword', 'Idx-Orchard-Lantern-42');
    await page.click('form[action="/reset-password/new-password"] button[type=submit]');
    await page.waitForURL('**/reset-password/done');
  });

  it('opens the magic link in the same browser: a button to continue, then the new password', async () => {
    const page = await newPage();
    await askForCode(page, 'bob@example.com');
    await openMailboxLink(page, demo, 'bob@example.com');
    await page.waitForURL('**/reset-password/verify-email');
    expect(page.url()).not.toContain('otp=');
    await checkPage(page, 'idx-04-magic-link-same-browser');
    await page.click('form[action="/reset-password/verify-email"] button[type=submit]');
    await page.waitForURL('**/reset-password/new-password');
  });

  it('opens the magic link in another browser: the code to type in the first window, which then goes on', async () => {
    const first = await newPage();
    await askForCode(first, 'bob@example.com');
    const other = await newPage();
    await openMailboxLink(other, demo, 'bob@example.com');
    await other.waitForURL('**/reset-password/verify-email');
    const code = await newestCode('bob@example.com');
    expect(await other.textContent('#code-display')).toContain(code);
    await checkPage(other, 'idx-05-magic-link-other-browser');
    await first.fill('#code', code);
    await first.click('form[action="/reset-password/code"] button[type=submit]');
    await first.waitForURL('**/reset-password/new-password');
  });
});
