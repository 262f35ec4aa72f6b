/**
 * The README's screenshots, taken from the demo in Chromium: the start page with its footer and
 * way back to sign in, the question counting the last try out, the locked-account page in German
 * (dark), and a rate-limited wait in Japanese. Each also passes axe, so the pictures show pages
 * that are accessible as shown. Written to docs/screenshots/ at a phone's width, to stay small.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { jest } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { projectRoot } from '../../src/paths.js';
import { describeInBrowser, expectNoAxeViolations, launchChromium, startDemo, type Demo } from './harness.js';

jest.setTimeout(180_000);

const OUT = path.join(projectRoot, 'docs', 'screenshots');
const ENV = { SIGN_IN_URL: 'https://acme.example/login', PRIVACY_URL: 'https://acme.example/privacy', HELP_URL: 'https://help.acme.example/', SUPPORT_CONTACT: 'helpdesk@acme.example' };

describeInBrowser('README screenshots', () => {
  let browser: Browser;
  let demo: Demo;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    [browser, demo] = await Promise.all([launchChromium(), startDemo(ENV)]);
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 375, height: 720 } });
    page = await context.newPage();
  });
  afterEach(async () => {
    demo.emulator.clearFaults();
    await context.close();
  });

  async function shoot(name: string): Promise<void> {
    await expectNoAxeViolations(page, name);
    await page.screenshot({ path: path.join(OUT, `${name}.png`) });
  }

  async function atQuestion(login: string): Promise<void> {
    await page.goto(`${demo.url}/reset-password/${demo.emulator.issueRecoveryToken(login)}`);
    await page.click('form[action="/reset-password"] button[type=submit]');
    await page.waitForURL('**/reset-password/question');
  }

  async function answerWrong(answer: string): Promise<void> {
    await page.fill('#answer', answer);
    await page.click('form[action="/reset-password/question"] button[type=submit]');
    await page.waitForLoadState();
  }

  it('the start page', async () => {
    await page.goto(`${demo.url}/forgot-password`);
    expect(await page.getByRole('link', { name: 'Back to sign in' }).getAttribute('href')).toBe(ENV.SIGN_IN_URL);
    expect(await page.getByRole('link', { name: 'Privacy' }).getAttribute('href')).toBe(ENV.PRIVACY_URL);
    await shoot('forgot-password');
  });

  it('the question, counting down', async () => {
    await page.goto(`${demo.url}/forgot-password?lang=en`);
    await atQuestion('alice@example.com');
    // MAX_WRONG_ANSWERS defaults to 3: after one wrong answer, 2 remain.
    await answerWrong('wrong');
    expect(await page.textContent('#answer-error')).toContain('You have 2 tries left.');
    await shoot('question-tries-left');
  });

  it('the locked account, in German, dark', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${demo.url}/forgot-password?lang=de`);
    // Okta counts wrong answers per user, across links (5 in the emulator); ours per link (3): the
    // first link is spent, and the second link's 2nd wrong answer is Okta's 5th, which locks.
    await atQuestion('frank@example.com');
    for (let i = 0; i < 3; i++) await answerWrong(`falsch ${i}`);
    expect(await page.textContent('h1')).toBe('Dieser Link kann nicht mehr verwendet werden');
    await atQuestion('frank@example.com');
    for (let i = 0; i < 2; i++) await answerWrong(`falsch ${i}`);
    expect(await page.textContent('h1')).toBe('Ihr Konto ist gesperrt');
    await shoot('account-locked-de-dark');
  });

  it('a rate-limited wait, in Japanese', async () => {
    await page.goto(`${demo.url}/forgot-password?lang=ja`);
    await page.goto(`${demo.url}/reset-password/${demo.emulator.issueRecoveryToken('carol@example.com')}`);
    await page.waitForURL('**/reset-password');
    demo.emulator.forceRateLimit(600);
    await page.click('form[action="/reset-password"] button[type=submit]');
    await page.waitForSelector('h1');
    expect(await page.textContent('[role=alert]')).toMatch(/分後にもう一度お試しください/);
    await shoot('rate-limited-ja');
  });
});
