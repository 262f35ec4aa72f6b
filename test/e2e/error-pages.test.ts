/**
 * Every error a user can meet, in Chromium through demo mode, in English and Japanese: a dead
 * link (with "send me a new link"), an expired session, a link spent by wrong answers, a
 * password Okta refuses, Okta rate-limiting us (with when to come back, and no button), Okta down, and an unknown
 * page. Each passes axe in light and dark schemes and is photographed at phone and desktop widths.
 */
import { jest } from '@jest/globals';
import { checkPage, chromiumSession, type Demo, describeInBrowser, openMailboxLink, startDemo, submitted, WIDTHS } from './harness.js';

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
  const session = chromiumSession({ viewport: { width: WIDTHS.phone, height: 800 }, demo: {} });
  afterEach(() => {
    // A test that set a fault in the shared emulator leaves it clean for the next.
    session.demo.emulator.clearFaults();
  });

  async function submitForgot(username: string, on: Demo = session.demo) {
    await session.page.goto(`${on.url}/forgot-password`);
    await session.page.fill('#username', username);
    await session.page.click('button[type=submit]');
  }

  describe.each(LANGUAGES)('in $lang', ({ lang, user, words }) => {
    beforeEach(async () => {
      await session.page.goto(`${session.demo.url}/forgot-password?lang=${lang}`);
    });

    it('a dead link offers a new one', async () => {
      await session.page.goto(`${session.demo.url}/reset-password/${UNKNOWN_TOKEN}`);
      await session.page.click('form[action="/reset-password"] button[type=submit]');
      await session.page.waitForSelector('h1');
      expect(await session.page.textContent('h1')).toContain(words.linkDead);
      expect(await session.page.title()).toContain(words.linkDead);
      expect(await session.page.content()).not.toContain(UNKNOWN_TOKEN);
      const newLink = session.page.getByRole('link', { name: words.newLink });
      expect(await newLink.getAttribute('href')).toBe('/forgot-password');
      await checkPage(session.page, `${lang}-20-link-dead`);
    });

    it('a session that is gone says so and offers a new link', async () => {
      await session.page.goto(`${session.demo.url}/reset-password/question`);
      expect(await session.page.textContent('h1')).toBe(words.expired);
      expect(await session.page.getByRole('link', { name: words.newLink }).count()).toBe(1);
      await checkPage(session.page, `${lang}-21-session-expired`);
    });

    // Our limit (MAX_WRONG_ANSWERS 3) fires before the emulated Okta's lockout (5): the link is spent, the account is not.
    it('too many wrong answers spend the link, and the page offers a new one', async () => {
      // The token as the emailed link carries it (the mailbox route itself is the flow test's job).
      await session.page.goto(`${session.demo.url}/reset-password/${session.demo.emulator.issueRecoveryToken(user)}`);
      await session.page.click('form[action="/reset-password"] button[type=submit]');
      await session.page.waitForURL('**/reset-password/question');
      for (let attempt = 0; attempt < 10 && (await session.page.locator('#answer').count()) > 0; attempt++) {
        await session.page.fill('#answer', `wrong ${attempt}`);
        await submitted(session.page, () => session.page.click('form[action="/reset-password/question"] button[type=submit]'));
      }
      expect(await session.page.textContent('h1')).toBe(words.spent);
      expect(await session.page.getByRole('link', { name: words.newLink }).count()).toBe(1);
      await checkPage(session.page, `${lang}-22-locked`);
    });

    /** Holding an emailed link, about to verify it: where Okta's 429 and outages reach the user (the start answers before Okta). */
    async function openLink(on: Demo): Promise<void> {
      await session.page.goto(`${on.url}/reset-password/${on.emulator.issueRecoveryToken('bob@example.com')}`);
      await session.page.waitForURL('**/reset-password');
    }

    it('Okta rate-limiting us tells the user how long to wait', async () => {
      // A demo of its own: after Okta's 429 the budget guard rightly holds every start until
      // Okta's window resets, which would turn the other tests' start requests into 429s too.
      const limited = await startDemo();
      try {
        await session.page.goto(`${limited.url}/forgot-password?lang=${lang}`);
        await openLink(limited);
        limited.emulator.forceRateLimit(90);
        await session.page.click('form[action="/reset-password"] button[type=submit]');
        await session.page.waitForSelector('h1');
        expect(await session.page.textContent('h1')).toBe(words.rateLimited);
        expect(await session.page.textContent('[role=alert]')).toMatch(words.seconds);
        // No button that would meet the same limit before the time the page names.
        expect(await session.page.getByRole('link', { name: words.tryAgain }).count()).toBe(0);
        expect(await session.page.locator('main a.button').count()).toBe(0);
        await checkPage(session.page, `${lang}-23-rate-limited`);
      } finally {
        await limited.close();
      }
    });

    it('Okta being down says nothing changed and offers to try again', async () => {
      await openLink(session.demo);
      session.demo.emulator.forceOutage(true);
      await session.page.click('form[action="/reset-password"] button[type=submit]');
      await session.page.waitForSelector('h1');
      expect(await session.page.textContent('h1')).toBe(words.unavailable);
      expect(await session.page.getByRole('link', { name: words.tryAgain }).getAttribute('href')).toBe('/reset-password');
      await checkPage(session.page, `${lang}-24-okta-unavailable`);
    });

    it('an unknown address is a page, not a stack trace', async () => {
      const response = await session.page.goto(`${session.demo.url}/no-such-page`);
      expect(response?.status()).toBe(404);
      expect(await session.page.textContent('h1')).toBe(words.notFound);
      await checkPage(session.page, `${lang}-25-not-found`);
    });
  });

  it('a password Okta refuses (the current one) comes back with the reason in our words and its row marked', async () => {
    await submitForgot('bob@example.com');
    await openMailboxLink(session.page, session.demo, 'bob@example.com');
    await session.page.click('form[action="/reset-password"] button[type=submit]');
    await session.page.waitForURL('**/reset-password/new-password');
    await session.page.fill('#newPassword', 'Builder-2024');
    await session.page.fill('#confirmPassword', 'Builder-2024');
    await session.page.click('form[action="/reset-password/new-password"] button[type=submit]');
    await session.page.waitForSelector('#error-summary');
    expect(await session.page.textContent('#error-summary')).toContain('The new password cannot be your current password.');
    expect(await session.page.locator('li[data-rule="historyCount"]').getAttribute('class')).toBe('unmet');
    await checkPage(session.page, 'en-26-password-rejected');
  });
});
