/**
 * Plurals through the pages (issue 11.4): the checklist counts in each language's own forms, "1
 * uppercase letter" and "2 uppercase letters", Polish's "1 wielka litera", "2 wielkie litery", "5
 * cyfr", and the screen-reader progress sentence comes written out for every count it can reach.
 * Formatted text is still escaped like any other value.
 */
import { csrfTokenIn, type Browser } from '../helpers/browser.js';
import { LENIENT_LIMITS, startEmulatedService, type EmulatedService } from '../helpers/emulated.js';
import { select } from '../helpers/html.js';

let running: EmulatedService | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** bob has no security question: his link leads straight to the new-password page, in `lang`. */
async function newPasswordPage(lang: string): Promise<{ html: string; browser: Browser }> {
  const { service, emulator } = running!;
  const browser = service.browser();
  await browser.get(`/forgot-password?lang=${lang}`);
  expect((await browser.get(`/reset-password/${emulator.issueRecoveryToken('bob@example.com')}`)).location).toBe('/reset-password');
  const link = await browser.get('/reset-password');
  expect((await browser.postForm('/reset-password', { _csrf: csrfTokenIn(link.text) })).location).toBe('/reset-password/new-password');
  return { html: (await browser.get('/reset-password/new-password')).text, browser };
}

function checklist(html: string): Record<string, string> {
  return Object.fromEntries(select(html, 'li', { 'data-rule': true }).map((row) => [row.attributes['data-rule'], row.text]));
}

describe('the password checklist', () => {
  it('says "1 uppercase letter" for one and "2 uppercase letters" for two, in English', async () => {
    running = await startEmulatedService(LENIENT_LIMITS);
    expect(checklist((await newPasswordPage('en')).html)).toMatchObject({ minUpperCase: 'At least 1 uppercase letter', minNumber: 'At least 1 number', historyCount: 'Not one of your last 4 passwords' });
    await running.close();

    running = await startEmulatedService(LENIENT_LIMITS, { policy: { complexity: { minUpperCase: 2, minNumber: 5 }, age: { historyCount: 1, minAgeMinutes: 1 } } });
    expect(checklist((await newPasswordPage('en')).html)).toMatchObject({
      minUpperCase: 'At least 2 uppercase letters',
      minNumber: 'At least 5 numbers',
      historyCount: 'Not your last password',
      minAgeMinutes: 'At least 1 minute since your last password change',
    });
  });

  it('uses all of Polish\'s forms: one, few (2–4) and many (5+), and Russian\'s genitive after "at least"', async () => {
    running = await startEmulatedService(LENIENT_LIMITS, { policy: { complexity: { minLength: 12, minUpperCase: 2, minLowerCase: 1, minNumber: 5 } } });
    expect(checklist((await newPasswordPage('pl')).html)).toMatchObject({
      minLength: 'Co najmniej 12 znaków',
      minLowerCase: 'Co najmniej 1 mała litera',
      minUpperCase: 'Co najmniej 2 wielkie litery',
      minNumber: 'Co najmniej 5 cyfr',
      historyCount: 'Inne niż 4 ostatnie hasła',
    });
    expect(checklist((await newPasswordPage('ru')).html)).toMatchObject({
      minLowerCase: 'Не менее 1 строчной буквы',
      minUpperCase: 'Не менее 2 заглавных букв',
      minNumber: 'Не менее 5 цифр',
    });
  });

  it('hands the live checklist one finished progress sentence per count it can reach', async () => {
    running = await startEmulatedService(LENIENT_LIMITS);
    const [status] = select((await newPasswordPage('en')).html, 'p', { id: 'requirements-status' });
    // The default policy: length, lower, upper, number and username are checked as the user types.
    expect(status?.attributes).toMatchObject({
      'data-progress-0': '0 of 5 requirements met',
      'data-progress-1': '1 of 5 requirements met',
      'data-progress-5': '5 of 5 requirements met',
    });
    expect(status?.attributes).not.toHaveProperty('data-progress-6');
    const [czech] = select((await newPasswordPage('cs')).html, 'p', { id: 'requirements-status' });
    expect(czech?.attributes['data-progress-2']).toBe('Splněno 2 z 5 požadavků');
  });
});

it('still escapes what a formatted message prints', async () => {
  running = await startEmulatedService({ ...LENIENT_LIMITS, BRAND_NAME: 'Tom & <b>Jerry</b>' });
  const page = await running.service.browser().get('/forgot-password');
  expect(page.text).toContain('<title>Forgot your password? – Tom &amp; &lt;b&gt;Jerry&lt;/b&gt; account recovery</title>');
  expect(select(page.text, 'b')).toEqual([]);
});
