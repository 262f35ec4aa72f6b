/**
 * The README's screenshots, taken from the demo in Chromium: the start page with its footer and
 * way back to sign in, the question counting the last try out, the locked-account page in German
 * (dark), and a rate-limited wait in Japanese. Each also passes axe, so the pictures show pages
 * that are accessible as shown. Written to docs/screenshots/ at a phone's width, to stay small.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { jest } from '@jest/globals';
import { projectRoot } from '../../src/paths.js';
import { chromiumSession, describeInBrowser, expectNoAxeViolations, submitted } from './harness.js';

jest.setTimeout(180_000);

const OUT = path.join(projectRoot, 'docs', 'screenshots');
const ENV = { SIGN_IN_URL: 'https://acme.example/login', PRIVACY_URL: 'https://acme.example/privacy', HELP_URL: 'https://help.acme.example/', SUPPORT_CONTACT: 'helpdesk@acme.example' };

describeInBrowser('README screenshots', () => {
  const session = chromiumSession({ viewport: { width: 375, height: 720 }, demo: ENV });
  beforeAll(() => {
    mkdirSync(OUT, { recursive: true });
  });
  afterEach(() => {
    session.demo.emulator.clearFaults();
  });

  async function shoot(name: string): Promise<void> {
    await expectNoAxeViolations(session.page, name);
    await session.page.screenshot({ path: path.join(OUT, `${name}.png`) });
  }

  async function atQuestion(login: string): Promise<void> {
    await session.page.goto(`${session.demo.url}/reset-password/${session.demo.emulator.issueRecoveryToken(login)}`);
    await session.page.click('form[action="/reset-password"] button[type=submit]');
    await session.page.waitForURL('**/reset-password/question');
  }

  async function answerWrong(answer: string): Promise<void> {
    await session.page.fill('#answer', answer);
    await submitted(session.page, () => session.page.click('form[action="/reset-password/question"] button[type=submit]'));
  }

  it('the start page', async () => {
    await session.page.goto(`${session.demo.url}/forgot-password`);
    expect(await session.page.getByRole('link', { name: 'Back to sign in' }).getAttribute('href')).toBe(ENV.SIGN_IN_URL);
    expect(await session.page.getByRole('link', { name: 'Privacy' }).getAttribute('href')).toBe(ENV.PRIVACY_URL);
    await shoot('forgot-password');
  });

  it('the question, counting down', async () => {
    await session.page.goto(`${session.demo.url}/forgot-password?lang=en`);
    await atQuestion('alice@example.com');
    // MAX_WRONG_ANSWERS defaults to 3: after one wrong answer, 2 remain.
    await answerWrong('wrong');
    expect(await session.page.textContent('#answer-error')).toContain('You have 2 tries left.');
    await shoot('question-tries-left');
  });

  it('the locked account, in German, dark', async () => {
    await session.page.emulateMedia({ colorScheme: 'dark' });
    await session.page.goto(`${session.demo.url}/forgot-password?lang=de`);
    // Okta counts wrong answers per user, across links (5 in the emulator); ours per link (3): the
    // first link is spent, and the second link's 2nd wrong answer is Okta's 5th, which locks.
    await atQuestion('frank@example.com');
    for (let i = 0; i < 3; i++) await answerWrong(`falsch ${i}`);
    expect(await session.page.textContent('h1')).toBe('Dieser Link kann nicht mehr verwendet werden');
    await atQuestion('frank@example.com');
    for (let i = 0; i < 2; i++) await answerWrong(`falsch ${i}`);
    expect(await session.page.textContent('h1')).toBe('Ihr Konto ist gesperrt');
    await shoot('account-locked-de-dark');
  });

  it('a rate-limited wait, in Japanese', async () => {
    await session.page.goto(`${session.demo.url}/forgot-password?lang=ja`);
    await session.page.goto(`${session.demo.url}/reset-password/${session.demo.emulator.issueRecoveryToken('carol@example.com')}`);
    await session.page.waitForURL('**/reset-password');
    session.demo.emulator.forceRateLimit(600);
    await session.page.click('form[action="/reset-password"] button[type=submit]');
    await session.page.waitForSelector('h1');
    expect(await session.page.textContent('[role=alert]')).toMatch(/分後にもう一度お試しください/);
    await shoot('rate-limited-ja');
  });
});
