/**
 * The pages as HTML, without a browser: what the server renders must already carry the policy
 * checklist, the labels and error links, the step in the title, the language, and no secret; the
 * branding arrives through /assets/brand.css because the CSP forbids inline style.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ManualClock } from '../../src/clock.js';
import { demoUsers, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { messagesDir } from '../../src/paths.js';
import { contrastRatio, DARK_BACKGROUNDS, LIGHT_BACKGROUNDS } from '../../src/web/brand.js';
import { csrfTokenIn, type Browser } from '../helpers/browser.js';
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';

const PUBLIC_URL = 'http://127.0.0.1:3000';
let clock: ManualClock;
let emulator: RunningEmulator;
let service: ServiceUnderTest;

async function start(environment: Record<string, string> = {}) {
  clock = new ManualClock(Date.now());
  emulator = await startEmulator({ publicUrl: PUBLIC_URL, clock, users: demoUsers() });
  service = await startTestService({ PUBLIC_URL, ...environment }, { oktaOrgUrl: emulator.url, clock });
}
afterEach(async () => {
  await service?.close();
  await emulator?.close();
});

function titleOf(html: string): string {
  return /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '';
}

async function post(browser: Browser, page: string, fields: Record<string, string> = {}) {
  const form = await browser.get(page);
  return browser.postForm(page, { _csrf: csrfTokenIn(form.text), ...fields });
}

/** Opens a fresh link for `login` and verifies it, leaving the browser at the next step. */
async function atStepAfterLink(browser: Browser, login: string) {
  const token = emulator.issueRecoveryToken(login);
  expect((await browser.get(`/reset-password/${token}`)).location).toBe('/reset-password');
  return post(browser, '/reset-password');
}

describe('branding', () => {
  it('serves the primary colour as CSS variables, made readable in both schemes', async () => {
    await start({ BRAND_PRIMARY_COLOR: '#ffd500' });
    const css = await service.browser().get('/assets/brand.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    const [light, dark] = [...css.text.matchAll(/--brand: (#[0-9a-f]{6}); --on-brand: (#[0-9a-f]{6})/g)].map((m) => ({ brand: m[1] as string, on: m[2] as string }));
    // A pale yellow cannot carry white text or sit on white as a link: it is darkened until it can.
    expect(light?.brand).not.toBe('#ffd500');
    for (const bg of LIGHT_BACKGROUNDS) expect(contrastRatio(light!.brand, bg)).toBeGreaterThanOrEqual(4.5);
    for (const bg of DARK_BACKGROUNDS) expect(contrastRatio(dark!.brand, bg)).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(light!.brand, light!.on)).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(dark!.brand, dark!.on)).toBeGreaterThanOrEqual(4.5);
  });

  it('keeps a colour that already reads well', async () => {
    await start({ BRAND_PRIMARY_COLOR: '#1d4ed8' });
    const css = await service.browser().get('/assets/brand.css');
    expect(css.text).toContain(':root { --brand: #1d4ed8; --on-brand: #ffffff; }');
  });

  it('shows the logo with the brand name as its text, and lets the CSP load it', async () => {
    await start({ BRAND_NAME: 'Globex', BRAND_LOGO_URL: 'https://cdn.globex.example/logo.svg', SUPPORT_CONTACT: 'helpdesk@globex.example' });
    const page = await service.browser().get('/forgot-password');
    expect(page.text).toContain('<img class="brand-logo" src="https://cdn.globex.example/logo.svg" alt="Globex">');
    expect(page.text).toContain('helpdesk@globex.example');
    expect(titleOf(page.text)).toBe('Forgot your password? – Globex account recovery');
    expect(page.headers.get('content-security-policy')).toMatch(/img-src 'self' data: https:\/\/cdn\.globex\.example;/);
    expect(page.text).toContain('<link rel="stylesheet" href="/assets/brand.css">');
  });
});

describe('the way back to sign in', () => {
  function backLink(html: string): string | undefined {
    return /<p class="back-to-sign-in"><a href="([^"]+)">Back to sign in<\/a><\/p>/.exec(html)?.[1];
  }

  it('is under every page, to SIGN_IN_URL, but not on "done", whose own button leads on', async () => {
    await start({ SIGN_IN_URL: 'https://acme.example/login', SUCCESS_REDIRECT_URL: 'https://acme.example/home' });
    const browser = service.browser();
    expect(backLink((await browser.get('/forgot-password')).text)).toBe('https://acme.example/login');
    expect(backLink((await browser.get('/reset-password/question')).text)).toBe('https://acme.example/login');
    expect(backLink((await browser.get('/no-such-page')).text)).toBe('https://acme.example/login');
    await atStepAfterLink(browser, 'bob@example.com');
    expect(backLink((await browser.get('/reset-password/new-password')).text)).toBe('https://acme.example/login');
    await post(browser, '/reset-password/new-password', { newPassword: 'Fresh-Start-99', confirmPassword: 'Fresh-Start-99' });
    const done = (await browser.get('/reset-password/done')).text;
    expect(backLink(done)).toBeUndefined();
    expect(done).toContain('href="https://acme.example/home"');
  });

  it('defaults to the success redirect, in the user\'s language', async () => {
    await start({ SUCCESS_REDIRECT_URL: 'https://acme.example/home' });
    const page = await service.browser().get('/forgot-password?lang=de');
    expect(page.text).toContain('<p class="back-to-sign-in"><a href="https://acme.example/home">Zurück zur Anmeldung</a></p>');
  });
});

describe('favicon and footer links', () => {
  it('serves our own favicon by default, linked from every page', async () => {
    await start();
    const browser = service.browser();
    const page = await browser.get('/forgot-password');
    expect(page.text).toContain('<link rel="icon" href="/assets/favicon.svg">');
    const icon = await browser.get('/assets/favicon.svg');
    expect([icon.status, icon.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
    // No footer links unless configured: no dead "Privacy" link.
    expect(page.text).not.toContain('class="footer-links"');
  });

  it('uses BRAND_FAVICON_URL (its origin allowed by the CSP), and PRIVACY_URL and HELP_URL in the footer, translated', async () => {
    await start({ BRAND_FAVICON_URL: 'https://cdn.globex.example/icon.png', PRIVACY_URL: 'https://globex.example/privacy', HELP_URL: 'https://help.globex.example/' });
    const page = await service.browser().get('/forgot-password?lang=de');
    expect(page.text).toContain('<link rel="icon" href="https://cdn.globex.example/icon.png">');
    expect(page.headers.get('content-security-policy')).toMatch(/img-src 'self' data: https:\/\/cdn\.globex\.example;/);
    expect(page.text).toContain('<ul class="footer-links"><li><a href="https://globex.example/privacy">Datenschutz</a></li><li><a href="https://help.globex.example/">Hilfe</a></li></ul>');
  });
});

describe('every page', () => {
  beforeEach(() => start());

  it('names its step in the title, and says "Error" first when something went wrong', async () => {
    const browser = service.browser();
    expect(titleOf((await browser.get('/forgot-password')).text)).toBe('Forgot your password? – Acme account recovery');
    expect(titleOf((await post(browser, '/forgot-password', { username: '' })).text)).toBe('Error: Forgot your password? – Acme account recovery');
    expect(titleOf((await browser.get('/forgot-password/sent')).text)).toBe('Check your email – Acme account recovery');
    expect((await atStepAfterLink(browser, 'alice@example.com')).location).toBe('/reset-password/question');
    expect(titleOf((await browser.get('/reset-password/question')).text)).toBe('Answer your security question – Acme account recovery');
    await post(browser, '/reset-password/question', { answer: 'Brussels sprouts' });
    expect(titleOf((await browser.get('/reset-password/new-password')).text)).toBe('Choose a new password – Acme account recovery');
    expect(titleOf((await service.browser().get('/reset-password')).text)).toBe('Error: Your session has expired – Acme account recovery');
  });

  it('carries no inline script or style (the CSP would block them)', async () => {
    const browser = service.browser();
    const pages = [await browser.get('/forgot-password'), await post(browser, '/forgot-password', { username: '' }), await browser.get('/nope')];
    await atStepAfterLink(browser, 'bob@example.com');
    pages.push(await browser.get('/reset-password/new-password'));
    for (const page of pages) {
      expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)/);
      expect(page.text).not.toMatch(/<style|\sstyle=/);
    }
  });

  it('ties a field error to its field, says what to enter, and links the summary to it', async () => {
    const page = await post(service.browser(), '/forgot-password', { username: '' });
    expect(page.status).toBe(400);
    expect(page.text).toContain('<a href="#username">Enter your username or email address.</a>');
    expect(page.text).toMatch(/<p class="field-error" id="username-error">.*Enter your username or email address\.<\/p>/);
    expect(page.text).toMatch(/id="username"[^>]*aria-invalid="true" aria-describedby="username-error"/);
    expect(page.text).toMatch(/<label for="username">/);
  });
});

describe('"check your email"', () => {
  it('says the email went to the address on the account, not "we have sent it an email"', async () => {
    await start();
    const browser = service.browser();
    expect((await post(browser, '/forgot-password', { username: 'bob@example.com' })).location).toBe('/forgot-password/sent');
    const page = (await browser.get('/forgot-password/sent')).text;
    expect(page).toContain('If what you entered matches an account, we have emailed a link to reset its password to the address on that account.');
    expect(page).not.toContain('sent it');
  });
});

describe('an empty field says what to enter there', () => {
  beforeEach(() => start());

  it('the answer, in German', async () => {
    const browser = service.browser();
    await browser.get('/forgot-password?lang=de');
    await atStepAfterLink(browser, 'alice@example.com');
    const page = await post(browser, '/reset-password/question', { answer: '' });
    expect(page.status).toBe(400);
    expect(page.text).toMatch(/<p class="field-error" id="answer-error">.*Geben Sie Ihre Antwort ein\.<\/p>/);
  });

  it('the new password and its confirmation', async () => {
    const browser = service.browser();
    await atStepAfterLink(browser, 'bob@example.com');
    const empty = await post(browser, '/reset-password/new-password', { newPassword: '', confirmPassword: '' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Enter a new password.');
    expect(empty.text).not.toContain('Enter a value.');
  });
});

describe('the new-password page', () => {
  beforeEach(() => start());

  it('renders the policy checklist, a hidden username for password managers, and "sign me out" checked', async () => {
    const browser = service.browser();
    expect((await atStepAfterLink(browser, 'bob@example.com')).location).toBe('/reset-password/new-password');
    const page = (await browser.get('/reset-password/new-password')).text;
    expect(page).toContain('<li data-rule="minLength" data-count="8">');
    expect(page).toContain('At least 8 characters');
    expect(page).toContain('<li data-rule="minUpperCase" data-count="1">');
    expect(page).toContain('<li data-rule="excludeUsername">');
    expect(page).toContain('Not one of your last 4 passwords');
    expect(page).toMatch(/<input type="text" name="username" autocomplete="username" value="bob@example.com"/);
    expect(page).toMatch(/id="newPassword" name="newPassword" type="password" autocomplete="new-password"[^>]*aria-describedby="requirements"/);
    expect(page).toMatch(/id="confirmPassword" name="confirmPassword" type="password" autocomplete="new-password"/);
    expect(page).toMatch(/id="revokeSessions" name="revokeSessions" type="checkbox" value="on" aria-describedby="revokeSessions-hint" checked>/);
    expect(page).toMatch(/<button type="button" class="toggle-visibility"[^>]*hidden>Show password<\/button>/);
  });

  it('marks the unmet rules when JavaScript did not, and keeps "sign me out" as the user left it', async () => {
    const browser = service.browser();
    await atStepAfterLink(browser, 'bob@example.com');
    const page = await post(browser, '/reset-password/new-password', { newPassword: 'short', confirmPassword: 'short' });
    expect(page.status).toBe(422);
    expect(page.text).toContain('<li data-rule="minLength" data-count="8" class="unmet"><span class="requirement-state visually-hidden">Not yet:</span>');
    expect(page.text).toMatch(/id="revokeSessions"[^>]*aria-describedby="revokeSessions-hint">/);
    expect(page.text).not.toContain('short');
  });

  it('sends revokeSessions to Okta as the checkbox says', async () => {
    const browser = service.browser();
    await atStepAfterLink(browser, 'bob@example.com');
    const done = await post(browser, '/reset-password/new-password', { newPassword: 'Fresh-Start-99', confirmPassword: 'Fresh-Start-99', revokeSessions: 'on' });
    expect(done.location).toBe('/reset-password/done');
    expect(emulator.getUser('bob@example.com')?.lastRevokeSessions).toBe(true);

    const other = service.browser();
    await atStepAfterLink(other, 'alice@example.com');
    await post(other, '/reset-password/question', { answer: 'Brussels sprouts' });
    await post(other, '/reset-password/new-password', { newPassword: 'Another-Start-98', confirmPassword: 'Another-Start-98' });
    expect(emulator.getUser('alice@example.com')?.lastRevokeSessions).toBe(false);
  });
});

describe("Okta's reasons for refusing a password", () => {
  beforeEach(() => start());

  /** At alice's or frank's new-password step, in `lang`, then submits `password` to Okta. */
  async function refused(login: string, answer: string, lang: string, password: string) {
    const browser = service.browser();
    await browser.get(`/forgot-password?lang=${lang}`);
    await atStepAfterLink(browser, login);
    expect((await post(browser, '/reset-password/question', { answer })).location).toBe('/reset-password/new-password');
    const page = await post(browser, '/reset-password/new-password', { newPassword: password, confirmPassword: password });
    expect(page.status).toBe(422);
    return page.text;
  }

  function unmetRows(html: string): string[] {
    return [...html.matchAll(/<li data-rule="(\w+)"[^>]*class="unmet"/g)].map((match) => match[1] as string);
  }

  function newPasswordError(html: string): string {
    return /<p class="field-error" id="newPassword-error">([\s\S]*?)<\/p>/.exec(html)?.[1]?.replace(/<[^>]+>/g, '').trim() ?? '';
  }

  it('a recently used password: the history sentence in German, the history row marked, Okta\'s English only in the log', async () => {
    const page = await refused('alice@example.com', 'Brussels sprouts', 'de', 'Wonderland-2023');
    expect(newPasswordError(page)).toContain('Sie haben dieses Passwort vor Kurzem verwendet.');
    expect(unmetRows(page)).toEqual(['historyCount']);
    expect(page).not.toMatch(/used too recently|Password requirements/i);
    const audit = service.logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.event === 'recovery.reset');
    expect(audit).toMatchObject({ outcome: 'password-rejected', oktaCauses: ['Password has been used too recently'] });
  });

  it('the current password is named as such', async () => {
    const page = await refused('alice@example.com', 'Brussels sprouts', 'en', 'Wonderland-2024');
    expect(newPasswordError(page)).toBe('Error: The new password cannot be your current password.');
    expect(unmetRows(page)).toEqual(['historyCount']);
  });

  it('a password changed too recently: Okta\'s whole-policy sentence becomes the minimum-age row, in Japanese', async () => {
    const page = await refused('frank@example.com', 'Green', 'ja', 'Brand-New-Pass-7');
    expect(newPasswordError(page)).toContain(service.deps.catalogue.t('ja', 'error.password-rejected.min-age'));
    expect(unmetRows(page)).toEqual(['minAgeMinutes']);
    expect(page).not.toContain('Password requirements');
  });

  it('the JSON API gives the reasons as codes and translated sentences', async () => {
    const browser = service.browser({ 'accept-language': 'fr' });
    await atStepAfterLink(browser, 'alice@example.com');
    await browser.postJson('/api/recovery/answer', { answer: 'Brussels sprouts' });
    const response = await browser.postJson('/api/recovery/reset', { newPassword: 'Wonderland-2023' });
    expect(response.status).toBe(422);
    expect(JSON.parse(response.text)).toEqual({
      error: {
        code: 'PASSWORD_POLICY',
        message: 'Vous avez utilisé ce mot de passe récemment. Choisissez-en un que vous n\'avez jamais utilisé.',
        causes: ['Vous avez utilisé ce mot de passe récemment. Choisissez-en un que vous n\'avez jamais utilisé.'],
        reasons: ['history'],
        unmet: [],
      },
    });
  });
});

describe('error pages', () => {
  beforeEach(() => start());

  /** A browser holding bob's freshly opened link, ready to verify it. */
  async function holdingLink(): Promise<Browser> {
    const browser = service.browser();
    expect((await browser.get(`/reset-password/${emulator.issueRecoveryToken('bob@example.com')}`)).location).toBe('/reset-password');
    return browser;
  }

  // Okta's 429 and outages surface at the steps after the link: the start answers before Okta.
  it('says in plain words and in minutes when to come back after a long rate limit, with Retry-After and no button', async () => {
    const browser = await holdingLink();
    emulator.forceRateLimit(600);
    const page = await post(browser, '/reset-password');
    expect(page.status).toBe(429);
    expect(Number(page.headers.get('retry-after'))).toBeGreaterThanOrEqual(540);
    expect(page.text).toContain('<h1>Please wait before trying again</h1>');
    expect(page.text).toMatch(/There were too many attempts in a short time, so they are paused for a while to keep accounts safe\. You can try again in (10|11) minutes\./);
    expect(page.text).not.toContain('Try again</a>');
    expect(page.text).not.toContain('class="button"');
  });

  // Okta's reset time is read to the second and rounded up, so the wait may be a unit longer.
  it.each([
    ['ja', 599, /(10|11) 分後にもう一度お試しください。/],
    ['de', 44, /Sie können es in 4[45] Sekunden erneut versuchen\./],
    ['ru', 1320, /Повторить попытку можно через 2[23] минуты\./],
    ['ht', 300, /Ou ka eseye ankò nan [56] minit\./],
  ])('says when to come back in %s in its own units and plurals (%i s)', async (lang, seconds, sentence) => {
    const browser = await holdingLink();
    await browser.get(`/forgot-password?lang=${lang}`);
    emulator.forceRateLimit(seconds);
    const page = await post(browser, '/reset-password');
    expect(page.status).toBe(429);
    expect(page.text).toMatch(sentence);
  });

  it('says "try again" when Okta is down, and that nothing changed', async () => {
    const browser = await holdingLink();
    emulator.forceOutage(true);
    const page = await post(browser, '/reset-password');
    expect(page.status).toBe(503);
    expect(page.text).toContain('<h1>Service temporarily unavailable</h1>');
    expect(page.text).toContain('Nothing was changed.');
    expect(page.text).toContain('href="/reset-password">Try again</a>');
  });

  it('a link spent by wrong answers says so, not that the account is locked, and offers a new link', async () => {
    const browser = service.browser();
    await atStepAfterLink(browser, 'alice@example.com');
    let page = await post(browser, '/reset-password/question', { answer: 'no' });
    for (let i = 0; i < 10 && page.status === 422; i++) page = await post(browser, '/reset-password/question', { answer: `no ${i}` });
    expect(page.status).toBe(403);
    // MAX_WRONG_ANSWERS (3 by default) fires before Okta's lockout (5 in the emulator).
    expect(page.text).toContain('<h1>This link can no longer be used</h1>');
    expect(page.text).toContain('Your account is not locked');
    expect(page.text).toContain('<a class="button" href="/forgot-password">Send me a new link</a>');
    expect(emulator.getUser('alice@example.com')?.status).toBe('ACTIVE');
  });

  it('never prints the emailed token, in the path or the query, even in the language links', async () => {
    const browser = service.browser();
    for (const path of ['/reset-password/not-a-real-token!!', '/reset-password?token=not-a-real-token!!']) {
      const page = await browser.get(path);
      expect(page.text).not.toContain('not-a-real-token');
      // Handlebars writes "=" in attributes as &#x3D;, which browsers read back as "=".
      expect(page.text).toMatch(/href="\/(forgot|reset)-password\?lang&#x3D;ja"/);
    }
  });
});

describe('wrong answers and lockout', () => {
  /** Answers wrong until the question page stops coming back; returns every page seen. */
  async function answerWrongUntilTheEnd(browser: Browser) {
    const pages = [];
    for (let i = 0; i < 10; i++) {
      const page = await post(browser, '/reset-password/question', { answer: `wrong ${i}` });
      pages.push(page);
      if (page.status !== 422) break;
    }
    return pages;
  }

  /** The answer field's own error message, tags stripped. */
  function answerError(html: string): string {
    return /<p class="field-error" id="answer-error">([\s\S]*?)<\/p>/.exec(html)?.[1]?.replace(/<[^>]+>/g, '').trim() ?? '';
  }

  it('counts the last tries out in the user\'s language before the link is spent', async () => {
    await start({ MAX_WRONG_ANSWERS: '4' });
    const browser = service.browser();
    await browser.get('/forgot-password?lang=de');
    await atStepAfterLink(browser, 'alice@example.com');
    const pages = await answerWrongUntilTheEnd(browser);
    expect(pages.map((page) => page.status)).toEqual([422, 422, 422, 403]);
    const wrongAnswer = service.deps.catalogue.t('de', 'error.wrong-answer');
    // The first wrong answer of four says nothing of a count; the 2nd and 3rd count down.
    expect(answerError(pages[0]!.text)).toMatch(new RegExp(`${wrongAnswer}$`));
    expect(answerError(pages[1]!.text)).toMatch(/Sie haben noch 2 Versuche\.$/);
    expect(answerError(pages[2]!.text)).toContain('Sie haben noch 1 Versuch:');
  });

  it('the JSON API says the same, with the count in its message once few remain', async () => {
    await start();
    const browser = service.browser();
    await atStepAfterLink(browser, 'alice@example.com');
    const answer = await browser.postJson('/api/recovery/answer', { answer: 'wrong' });
    expect(answer.status).toBe(422);
    expect(JSON.parse(answer.text)).toEqual({ error: { code: 'WRONG_ANSWER', message: 'That answer does not match our records. Try again. You have 2 tries left.' } });
  });

  it('an account Okta locked says so, who unlocks it, and offers no link that cannot work', async () => {
    // Our limit set above the emulated Okta's lockout (5), so Okta locks first (E0000069).
    await start({ MAX_WRONG_ANSWERS: '10', SUPPORT_CONTACT: 'helpdesk@acme.example' });
    const browser = service.browser();
    await atStepAfterLink(browser, 'alice@example.com');
    const locked = (await answerWrongUntilTheEnd(browser)).at(-1)!;
    expect(locked.status).toBe(403);
    expect(emulator.getUser('alice@example.com')?.status).toBe('LOCKED_OUT');
    expect(locked.text).toContain('<h1>Your account is locked</h1>');
    expect(locked.text).toContain('A new link will not work until it is unlocked.');
    expect(locked.text).toContain('To unlock it sooner, contact helpdesk@acme.example.');
    expect(locked.text).not.toContain('Send me a new link');
    expect(locked.text).not.toContain('class="button"');
  });

  it('without SUPPORT_CONTACT the locked page names the administrator, in the user\'s language', async () => {
    await start({ MAX_WRONG_ANSWERS: '10' });
    const browser = service.browser();
    await browser.get('/forgot-password?lang=ja');
    await atStepAfterLink(browser, 'alice@example.com');
    const locked = (await answerWrongUntilTheEnd(browser)).at(-1)!;
    expect(locked.status).toBe(403);
    expect(locked.text).toContain('<h1>アカウントがロックされています</h1>');
    expect(locked.text).toContain('すぐに解除するには、管理者にお問い合わせください。');
  });

  it('the JSON API names the lock ACCOUNT_LOCKED, apart from a spent link', async () => {
    await start({ MAX_WRONG_ANSWERS: '10' });
    const browser = service.browser();
    await atStepAfterLink(browser, 'alice@example.com');
    let answer = await browser.postJson('/api/recovery/answer', { answer: 'wrong' });
    for (let i = 0; i < 10 && answer.status === 422; i++) answer = await browser.postJson('/api/recovery/answer', { answer: `wrong ${i}` });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'ACCOUNT_LOCKED' } });
  });
});

describe('LANGUAGES: the languages an org offers', () => {
  function switcherLanguages(html: string): string[] {
    return [...html.matchAll(/<a href="[^"]*" lang="([\w-]+)" hreflang/g)].map((match) => match[1] as string);
  }

  it('keeps the switcher and negotiation to them; without English, the first is the default', async () => {
    await start({ LANGUAGES: 'de, ja' });
    const browser = service.browser({ 'accept-language': 'fr-FR, en;q=0.5' });
    const page = await browser.get('/forgot-password');
    expect(page.text).toContain('<html lang="de"');
    expect(switcherLanguages(page.text)).toEqual(['de', 'ja']);
    // A language the org does not offer is not chosen by ?lang= either.
    expect((await browser.get('/forgot-password?lang=fr')).text).toContain('<html lang="de"');
    expect((await service.browser({ 'accept-language': 'ja' }).get('/forgot-password')).text).toContain('<html lang="ja"');
  });
});

describe('languages', () => {
  beforeEach(() => start());
  const locales = readdirSync(messagesDir).map((file) => path.basename(file, '.json'));

  it.each(locales)('renders %s from its own catalogue, with lang on <html> and no raw keys', async (locale) => {
    const messages = JSON.parse(readFileSync(path.join(messagesDir, `${locale}.json`), 'utf8')) as Record<string, string>;
    const page = await service.browser().get(`/forgot-password?lang=${locale}`);
    expect(page.text).toContain(`<html lang="${locale}" dir="ltr">`);
    const escaped = (text: string) => text.replace(/'/g, '&#x27;').replace(/"/g, '&quot;');
    expect(page.text).toContain(`<h1>${escaped(messages['forgot.title'] as string)}</h1>`);
    expect(page.text).toContain(escaped(messages['forgot.submit'] as string));
    expect(page.text).not.toMatch(/>\s*(app|forgot|error|language|password|policy)\.[\w.-]+\s*</);
  });

  it.each([
    ['pt', 'pt-BR'],
    ['nl-BE,nl;q=0.9', 'nl-NL'],
    ['zh-Hant-TW', 'zh-TW'],
    ['zh', 'zh-CN'],
    ['no', 'nb'],
    ['fr-CA,en;q=0.5', 'fr'],
    ['xx, ja;q=0.8', 'ja'],
    ['ar', 'en'],
  ])('picks %s → %s from Accept-Language', async (header, locale) => {
    const page = await service.browser({ 'accept-language': header }).get('/forgot-password');
    expect(page.text).toContain(`<html lang="${locale}"`);
  });

  it('remembers a ?lang= choice in a cookie, which beats Accept-Language', async () => {
    const browser = service.browser({ 'accept-language': 'de' });
    expect((await browser.get('/forgot-password')).text).toContain('<html lang="de"');
    expect((await browser.get('/forgot-password?lang=ko')).text).toContain('<html lang="ko"');
    const next = await browser.get('/forgot-password/sent');
    expect(next.text).toContain('<html lang="ko"');
    expect(titleOf(next.text)).toBe('이메일을 확인하세요 – Acme 계정 복구');
  });
});
