/**
 * Every error a user can meet, in Chromium through demo mode, in English and Japanese: a dead
 * link (with "send me a new link"), an expired session, a link spent by wrong answers, a
 * password Okta refuses, Okta rate-limiting us (with when to come back, and no button), Okta down, and an unknown
 * page. Each passes axe in light and dark schemes and is photographed at phone and desktop widths.
 */
import { jest } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { checkPage, describeInBrowser, launchChromium, openMailboxLink, startDemo, WIDTHS, type Demo } from './harness.js';

jest.setTimeout(180_000);

/** A token of the right shape that Okta never issued. */
const UNKNOWN_TOKEN = 'VBQ0gwBp5LyJJFdbmWCM';

const LANGUAGES = [
  {
    lang: 'en',
    user: 'alice@example.com',
    words: { linkDead: 'This link has expired', expired: 'Your session has expired', spent: 'This link can no longer be used', newLink: 'Send me a new link', tryAgain: 'Try again', rateLimited: 'Please wait before trying again', unavailable: 'Service temporarily unavailable', notFound: 'Page not found', seconds: /try again in \d+ seconds/ },
  },
  {
    lang: 'ja',
    user: 'frank@example.com',
    words: { linkDead: 'このリンクは期限切れ', expired: 'セッションの有効期限が切れました', spent: 'このリンクは使用できなくなりました', newLink: '新しいリンクを送信', tryAgain: '再試行', rateLimited: 'しばらくしてからもう一度お試しください', unavailable: 'サービスを一時的に利用できません', notFound: 'ページが見つかりません', seconds: /\d+ 秒後にもう一度/ },
  },
] as const;

describeInBrowser('error pages in Chromium', () => {
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
    demo.emulator.clearFaults();
    await context.close();
  });

  async function submitForgot(username: string, on: Demo = demo) {
    await page.goto(`${on.url}/forgot-password`);
    await page.fill('#username', username);
    await page.click('button[type=submit]');
  }

  describe.each(LANGUAGES)('in $lang', ({ lang, user, words }) => {
    beforeEach(async () => {
      await page.goto(`${demo.url}/forgot-password?lang=${lang}`);
    });

    it('a dead link offers a new one', async () => {
      await page.goto(`${demo.url}/reset-password/${UNKNOWN_TOKEN}`);
      await page.click('form[action="/reset-password"] button[type=submit]');
      await page.waitForSelector('h1');
      expect(await page.textContent('h1')).toContain(words.linkDead);
      expect(await page.title()).toContain(words.linkDead);
      expect(await page.content()).not.toContain(UNKNOWN_TOKEN);
      const newLink = page.getByRole('link', { name: words.newLink });
      expect(await newLink.getAttribute('href')).toBe('/forgot-password');
      await checkPage(page, `${lang}-20-link-dead`);
    });

    it('a session that is gone says so and offers a new link', async () => {
      await page.goto(`${demo.url}/reset-password/question`);
      expect(await page.textContent('h1')).toBe(words.expired);
      expect(await page.getByRole('link', { name: words.newLink }).count()).toBe(1);
      await checkPage(page, `${lang}-21-session-expired`);
    });

    // Our limit (MAX_WRONG_ANSWERS 3) fires before the emulated Okta's lockout (5): the link is spent, the account is not.
    it('too many wrong answers spend the link, and the page offers a new one', async () => {
      // The token as the emailed link carries it (the mailbox route itself is the flow test's job).
      await page.goto(`${demo.url}/reset-password/${demo.emulator.issueRecoveryToken(user)}`);
      await page.click('form[action="/reset-password"] button[type=submit]');
      await page.waitForURL('**/reset-password/question');
      for (let attempt = 0; attempt < 10 && (await page.locator('#answer').count()) > 0; attempt++) {
        await page.fill('#answer', `wrong ${attempt}`);
        await page.click('form[action="/reset-password/question"] button[type=submit]');
        await page.waitForLoadState();
      }
      expect(await page.textContent('h1')).toBe(words.spent);
      expect(await page.getByRole('link', { name: words.newLink }).count()).toBe(1);
      await checkPage(page, `${lang}-22-locked`);
    });

    /** Holding an emailed link, about to verify it: where Okta's 429 and outages reach the user (the start answers before Okta). */
    async function openLink(on: Demo): Promise<void> {
      await page.goto(`${on.url}/reset-password/${on.emulator.issueRecoveryToken('bob@example.com')}`);
      await page.waitForURL('**/reset-password');
    }

    it('Okta rate-limiting us tells the user how long to wait', async () => {
      // A demo of its own: after Okta's 429 the budget guard rightly holds every start until
      // Okta's window resets, which would turn the other tests' start requests into 429s too.
      const limited = await startDemo();
      try {
        await page.goto(`${limited.url}/forgot-password?lang=${lang}`);
        await openLink(limited);
        limited.emulator.forceRateLimit(90);
        await page.click('form[action="/reset-password"] button[type=submit]');
        await page.waitForSelector('h1');
        expect(await page.textContent('h1')).toBe(words.rateLimited);
        expect(await page.textContent('[role=alert]')).toMatch(words.seconds);
        // No button that would meet the same limit before the time the page names.
        expect(await page.getByRole('link', { name: words.tryAgain }).count()).toBe(0);
        expect(await page.locator('main a.button').count()).toBe(0);
        await checkPage(page, `${lang}-23-rate-limited`);
      } finally {
        await limited.close();
      }
    });

    it('Okta being down says nothing changed and offers to try again', async () => {
      await openLink(demo);
      demo.emulator.forceOutage(true);
      await page.click('form[action="/reset-password"] button[type=submit]');
      await page.waitForSelector('h1');
      expect(await page.textContent('h1')).toBe(words.unavailable);
      expect(await page.getByRole('link', { name: words.tryAgain }).getAttribute('href')).toBe('/reset-password');
      await checkPage(page, `${lang}-24-okta-unavailable`);
    });

    it('an unknown address is a page, not a stack trace', async () => {
      const response = await page.goto(`${demo.url}/no-such-page`);
      expect(response?.status()).toBe(404);
      expect(await page.textContent('h1')).toBe(words.notFound);
      await checkPage(page, `${lang}-25-not-found`);
    });
  });

  it('a password Okta refuses (the current one) comes back with the reason in our words and its row marked', async () => {
    await submitForgot('bob@example.com');
    await openMailboxLink(page, demo, 'bob@example.com');
    await page.click('form[action="/reset-password"] button[type=submit]');
    await page.waitForURL('**/reset-password/new-password');
    await page.fill('#newPassword', 'Builder-2024');
    await page.fill('#confirmPassword', 'Builder-2024');
    await page.click('form[action="/reset-password/new-password"] button[type=submit]');
    await page.waitForSelector('#error-summary');
    expect(await page.textContent('#error-summary')).toContain('The new password cannot be your current password.');
    expect(await page.locator('li[data-rule="historyCount"]').getAttribute('class')).toBe('unmet');
    await checkPage(page, 'en-26-password-rejected');
  });
});
