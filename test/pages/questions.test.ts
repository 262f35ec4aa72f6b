/**
 * Okta's built-in security questions in the reader's language (issue 11.8): Classic sends them as
 * English text; a question recognised by that exact text is translated on the page and in the
 * JSON API; a question the user wrote is shown as typed, in every language.
 */
import { csrfTokenIn, type Browser } from '../helpers/browser.js';
import { LENIENT_LIMITS, startEmulatedService, type EmulatedService } from '../helpers/emulated.js';
import { select } from '../helpers/html.js';

let running: EmulatedService;
beforeEach(async () => {
  running = await startEmulatedService(LENIENT_LIMITS);
});
afterEach(async () => {
  await running.close();
});

/** Opens a fresh link for `login` in `lang` and verifies it: the browser is at the question. */
async function questionPage(login: string, lang: string): Promise<{ browser: Browser; question: string | undefined }> {
  const browser = running.service.browser();
  await browser.get(`/forgot-password?lang=${lang}`);
  await browser.get(`/reset-password/${running.emulator.issueRecoveryToken(login)}`);
  const link = await browser.get('/reset-password');
  expect((await browser.postForm('/reset-password', { _csrf: csrfTokenIn(link.text) })).location).toBe('/reset-password/question');
  const page = (await browser.get('/reset-password/question')).text;
  return { browser, question: select(page, 'p', { id: 'question-text' })[0]?.text };
}

it('shows Okta\'s built-in question in the page\'s language, and in English as Okta sent it', async () => {
  expect((await questionPage('alice@example.com', 'de')).question).toBe('Ihre Frage: Welches Essen mochten Sie als Kind am wenigsten?');
  expect((await questionPage('alice@example.com', 'ja')).question).toContain('子どもの頃いちばん苦手だった食べ物は何ですか？');
  expect((await questionPage('alice@example.com', 'en')).question).toBe('Your question: What is the food you least liked as a child?');
});

it('shows a question the user wrote as typed, whatever the language', async () => {
  // frank's question is his own ("favourite", not Okta's "favorite"): nothing to translate.
  expect((await questionPage('frank@example.com', 'de')).question).toBe('Ihre Frage: What is your favourite colour?');
});

it('the JSON API says the built-in question in the request\'s language too', async () => {
  const browser = running.service.browser({ 'accept-language': 'es' });
  const verified = await browser.postJson('/api/recovery/verify', { token: running.emulator.issueRecoveryToken('alice@example.com') });
  expect(verified.json()).toEqual({ status: 'RECOVERY', question: '¿Qué comida le gustaba menos de niño?' });
});
