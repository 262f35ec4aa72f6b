/**
 * The emailed link's first page (issue 11.8): a link Okta could never have issued is dead at
 * once on its GET, with no "Continue" step and no Okta call; a plausible one shows plain words
 * and is still not spent by the GET. "Check your email" says how long the link lives.
 */
import { csrfTokenIn } from '../helpers/browser.js';
import { LENIENT_LIMITS, startEmulatedService, type EmulatedService } from '../helpers/emulated.js';
import { select } from '../helpers/html.js';

let running: EmulatedService | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const oktaTokenCalls = () => running!.emulator.requests.filter((request) => request.path === '/api/v1/authn/recovery/token').length;

describe('a link Okta could never have issued', () => {
  it.each([
    ['cut short by a mail client', '/reset-password/VBQ0gwBp5L'],
    ['with characters Okta never uses', '/reset-password/VBQ0gwBp5LyJJFdbmWC%21'],
    ['far too long', `/reset-password/${'a'.repeat(65)}`],
    ['in the query form', '/reset-password?token=abc'],
  ])('%s goes straight to "this link has expired", with no Continue step, no flow and no Okta call', async (_name, path) => {
    running = await startEmulatedService(LENIENT_LIMITS);
    const browser = running.service.browser();
    for (const method of ['HEAD', 'GET']) {
      const dead = await browser.request(method, path);
      expect(dead.status).toBe(400);
      expect(dead.headers.getSetCookie().filter((line) => line.startsWith('recovery-flow='))).toEqual([]);
    }
    const page = (await browser.get(path)).text;
    expect(select(page, 'h1').map((h1) => h1.text)).toEqual(['This link has expired or was already used']);
    expect(select(page, 'form', { action: '/reset-password' })).toEqual([]);
    expect(select(page, 'a', { href: '/forgot-password' }).map((link) => link.text)).toContain('Send me a new link');
    expect(oktaTokenCalls()).toBe(0);
  });
});

describe('a link Okta could have issued', () => {
  it('is not spent by its GET, and its page says what to do in plain words', async () => {
    running = await startEmulatedService(LENIENT_LIMITS);
    const browser = running.service.browser();
    const token = running.emulator.issueRecoveryToken('bob@example.com');
    expect(token).toMatch(/^[A-Za-z0-9]{20}$/);
    expect((await browser.request('HEAD', `/reset-password/${token}`)).status).toBe(303);
    expect((await browser.get(`/reset-password/${token}`)).location).toBe('/reset-password');
    const page = (await browser.get('/reset-password')).text;
    expect(select(page, 'p').map((p) => p.text)).toContain('Thanks for opening the link from your email. Select Continue to choose your new password.');
    expect(select(page, 'button', { type: 'submit' }).map((button) => button.text)).toContain('Continue');
    expect(oktaTokenCalls()).toBe(0);
    expect((await browser.postForm('/reset-password', { _csrf: csrfTokenIn(page) })).location).toBe('/reset-password/new-password');
    expect(oktaTokenCalls()).toBe(1);
  });
});

describe('"check your email" says how long the link lives', () => {
  function notice(html: string): string {
    return select(html, 'div', { class: 'notice' })[0]?.text ?? '';
  }

  it('Okta\'s default of 1 hour unless RESET_LINK_LIFETIME_MINUTES says otherwise, in the user\'s language', async () => {
    running = await startEmulatedService(LENIENT_LIMITS);
    const browser = running.service.browser();
    expect(notice((await browser.get('/forgot-password/sent')).text)).toContain('The link works once and expires in 1 hour.');
    expect(notice((await browser.get('/forgot-password/sent?lang=de')).text)).toContain('Der Link funktioniert nur einmal und läuft in 1 Stunde ab.');
    expect(notice((await browser.get('/forgot-password/sent?lang=pl')).text)).toContain('wygaśnie za 1 godzinę.');
    await running.close();

    running = await startEmulatedService({ ...LENIENT_LIMITS, RESET_LINK_LIFETIME_MINUTES: '10080' });
    expect(notice((await running.service.browser().get('/forgot-password/sent')).text)).toContain('expires in 7 days.');
    expect(notice((await running.service.browser().get('/forgot-password/sent?lang=ja')).text)).toContain('7 日後に有効期限が切れます');
  });
});
