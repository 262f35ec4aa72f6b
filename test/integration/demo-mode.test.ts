/**
 * Demo mode as `npm start` composes it with no configuration: the emulator in-process, the
 * service pointed at it, and /dev/mailbox mounted — and only then.
 */
import type { AddressInfo } from 'node:net';
import { loadConfig, withOktaOrgUrl } from '../../src/config.js';
import { startDemoOkta, type DemoOkta } from '../../src/demo/demo-okta.js';
import { createLogger } from '../../src/logger.js';
import { startService, type RunningService } from '../../src/server.js';
import { demoUsers } from '../../src/emulator/index.js';
import { Browser, csrfTokenIn } from '../helpers/browser.js';
import { select } from '../helpers/html.js';
import { afterResponses } from '../helpers/service.js';

let demo: DemoOkta;
let service: RunningService;

beforeAll(async () => {
  const config = loadConfig({ PUBLIC_URL: 'http://127.0.0.1:3000', LOG_LEVEL: 'silent' });
  expect(config.demoMode).toBe(true);
  demo = await startDemoOkta(config);
  service = await startService(withOktaOrgUrl(config, demo.emulator.url), {
    extraRouters: demo.routers,
    logger: createLogger({ level: 'silent' }),
    port: 0,
    host: '127.0.0.1',
  });
});
afterAll(async () => {
  await service.close();
  await demo.close();
});

it('runs the whole flow in one browser tab through the mailbox', async () => {
  // Settled after each answer: Okta is asked to send the email after the start has answered.
  const browser = new Browser(service.url, { origin: 'http://127.0.0.1:3000', settle: () => afterResponses(service.deps) });
  const empty = await browser.get('/dev/mailbox');
  expect(empty.text).toContain('No emails yet');

  const form = await browser.get('/forgot-password');
  await browser.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username: 'bob@example.com' });
  const mailbox = await browser.get('/dev/mailbox');
  const link = /class="button mail-link" href="([^"]+)"/.exec(mailbox.text)?.[1];
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1:3000\/reset-password\/[A-Za-z0-9]+$/);
  expect(mailbox.headers.get('content-security-policy')).toContain("script-src 'self'");

  expect((await browser.get(new URL(link as string).pathname)).location).toBe('/reset-password');
  const page = await browser.get('/reset-password');
  expect((await browser.postForm('/reset-password', { _csrf: csrfTokenIn(page.text) })).location).toBe('/reset-password/new-password');
  const passwordPage = await browser.get('/reset-password/new-password');
  const done = await browser.postForm('/reset-password/new-password', {
    _csrf: csrfTokenIn(passwordPage.text),
    newPassword: 'Demo-Pass-2025',
    confirmPassword: 'Demo-Pass-2025',
  });
  expect(done.location).toBe('/reset-password/done');
});

it('prints a banner naming the URL, the mailbox and the demo users with their answers', () => {
  const banner = demo.banner(service.url);
  expect(banner).toContain('http://127.0.0.1:3000/forgot-password');
  expect(banner).toContain('/dev/mailbox');
  expect(banner).toContain('alice@example.com');
  expect(banner).toContain('Brussels sprouts');
});

describe('the banner tells the truth (issue 11.10)', () => {
  it('every demo seed user says what it demonstrates, and the banner prints it under the user', () => {
    const seeds = demoUsers();
    expect(seeds.filter((seed) => !seed.demo).map((seed) => seed.login)).toEqual([]);
    const lines = demo.banner(service.url).split('\n');
    for (const seed of seeds) {
      const at = lines.findIndex((line) => line.trim().startsWith(seed.login));
      expect(lines[at + 1]?.trim()).toBe(seed.demo);
    }
  });

  it('lists every rule of the emulator\'s password policy in the pages\' words, and a user\'s own rules', () => {
    const banner = demo.banner(service.url);
    const policy = /Password policy: (.*)\./.exec(banner)?.[1]?.split('; ');
    expect(policy).toEqual([
      'At least 8 characters',
      'At least 1 lowercase letter',
      'At least 1 uppercase letter',
      'At least 1 number',
      'No parts of your username',
      'Not one of your last 4 passwords',
    ]);
    // frank's reset is always refused: the banner says why instead of listing him as just ACTIVE.
    const frank = banner.split('\n').findIndex((line) => line.includes('frank@example.com'));
    expect(banner.split('\n').slice(frank, frank + 3).join('\n')).toContain('Own password policy: At least 60 minutes since your last password change.');
  });
});

describe('/dev/mailbox is one of our pages', () => {
  it('wears the layout (title, language, header, stylesheet), in the chosen language, with the email text escaped', async () => {
    const browser = new Browser(service.url, { origin: 'http://127.0.0.1:3000', settle: () => afterResponses(service.deps) });
    const form = await browser.get('/forgot-password?lang=de');
    await browser.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username: 'alice@example.com' });
    const mailbox = await browser.get('/dev/mailbox');
    expect(mailbox.status).toBe(200);
    expect(mailbox.headers.get('cache-control')).toContain('no-store');
    expect(select(mailbox.text, 'html')[0]?.attributes.lang).toBe('de');
    expect(select(mailbox.text, 'title')[0]?.text).toBe(`Demo-Postfach – ${service.deps.catalogue.t('de', 'app.title', { brand: 'Acme' })}`);
    expect(select(mailbox.text, 'link', { rel: 'stylesheet' }).map((link) => link.attributes.href)).toEqual(['/assets/app.css', '/assets/brand.css']);
    expect(select(mailbox.text, 'header', { class: 'site-header' })).toHaveLength(1);
    const [mail] = select(mailbox.text, 'li', { class: 'mail' });
    expect(mail?.text).toContain('An alice@example.com');
    expect(select(mailbox.text, 'a', { class: 'button mail-link' })[0]?.text).toBe('Link in dieser E-Mail öffnen');
    // The language links stay on the mailbox.
    expect(select(mailbox.text, 'a', { hreflang: 'ja' }).map((link) => link.attributes.href)).toEqual(['/dev/mailbox?lang=ja']);
  });
});

it('does not mount the mailbox outside demo mode', async () => {
  const config = loadConfig({ OKTA_ORG_URL: demo.emulator.url, LOG_LEVEL: 'silent' });
  const plain = await startService(config, { logger: createLogger({ level: 'silent' }), port: 0, host: '127.0.0.1' });
  try {
    const response = await fetch(`${plain.url}/dev/mailbox`);
    expect(response.status).toBe(404);
  } finally {
    await plain.close();
  }
});

describe('demo mode stays off the network unless HOST says otherwise (issue 16, item 7)', () => {
  it('listens on loopback by default and says so in the banner and /readyz', async () => {
    const config = loadConfig({ PORT: '0', PUBLIC_URL: 'http://127.0.0.1:3000', LOG_LEVEL: 'silent' });
    const ownDemo = await startDemoOkta(config);
    const own = await startService(withOktaOrgUrl(config, ownDemo.emulator.url), { extraRouters: ownDemo.routers, logger: createLogger({ level: 'silent' }) });
    try {
      expect((own.server.address() as AddressInfo).address).toBe('127.0.0.1');
      expect(ownDemo.banner(own.url)).toContain('Loopback only');
      const ready = await fetch(`${own.url}/readyz`);
      expect(ready.status).toBe(200);
      const body = (await ready.json()) as { checks: Record<string, string>; advice: Record<string, string> };
      expect(body.checks['demo-mode']).toBe('warning');
      expect(body.advice['demo-mode']).toContain('loopback only');
    } finally {
      await own.close();
      await ownDemo.close();
    }
  });

  it('binds every interface only when HOST is set, and warns that the mailbox is exposed', async () => {
    const config = loadConfig({ HOST: '0.0.0.0', PORT: '0', PUBLIC_URL: 'http://127.0.0.1:3000', LOG_LEVEL: 'silent' });
    expect(config.http.host).toBe('0.0.0.0');
    const ownDemo = await startDemoOkta(config);
    const own = await startService(withOktaOrgUrl(config, ownDemo.emulator.url), { extraRouters: ownDemo.routers, logger: createLogger({ level: 'silent' }) });
    try {
      expect((own.server.address() as AddressInfo).address).toBe('0.0.0.0');
      expect(ownDemo.banner(own.url)).toContain('reachable from the network');
      const body = (await (await fetch(`${own.url}/readyz`)).json()) as { advice: Record<string, string> };
      expect(body.advice['demo-mode']).toContain('reachable from the network');
    } finally {
      await own.close();
      await ownDemo.close();
    }
  });

  it('keeps 0.0.0.0 as the default outside demo mode', () => {
    expect(loadConfig({ OKTA_ORG_URL: 'https://acme.okta.com' }).http.host).toBe('0.0.0.0');
  });
});
