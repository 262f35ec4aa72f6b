/**
 * Demo mode as `npm start` composes it, with no RECOVERY_METHODS or SELF_SERVICE_UNLOCK: a Classic
 * demo offers every path (issue 12: one demo user with a phone, one locked out who can unlock).
 * The texted code shows in /dev/mailbox as a text message, so an SMS recovery runs in one browser
 * tab like the emailed one, and so does carol's unlock.
 */
import { loadConfig, withOktaOrgUrl } from '../../src/config.js';
import { startDemoOkta, type DemoOkta } from '../../src/demo/demo-okta.js';
import { createLogger } from '../../src/logger.js';
import { startService, type RunningService } from '../../src/server.js';
import { Browser, csrfTokenIn } from '../helpers/browser.js';
import { select } from '../helpers/html.js';
import { afterResponses } from '../helpers/service.js';

let demo: DemoOkta;
let service: RunningService;

beforeAll(async () => {
  const config = loadConfig({ PUBLIC_URL: 'http://127.0.0.1:3000', LOG_LEVEL: 'silent' });
  demo = await startDemoOkta(config);
  service = await startService(withOktaOrgUrl(config, demo.emulator.url), { extraRouters: demo.routers, logger: createLogger({ level: 'silent' }), port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await service.close();
  await demo.close();
});

function browser(): Browser {
  // Settled after each answer: Okta is asked to send unlock emails after the start has answered.
  return new Browser(service.url, { origin: 'http://127.0.0.1:3000', settle: () => afterResponses(service.deps) });
}

it('offers email, text message and voice call on the forgot page, and links to unlock, with nothing configured', async () => {
  const form = await browser().get('/forgot-password');
  expect(select(form.text, 'input', { name: 'method' }).map((input) => input.attributes.value)).toEqual(['email', 'sms', 'call']);
  expect(select(form.text, 'a', { href: '/unlock-account' })).toHaveLength(1);
  expect(demo.banner(service.url)).toContain('Recovery    by email, text message, voice call');
  expect(demo.banner(service.url)).toContain('Unlock      by email or text message');
});

it('shows the texted code in the demo mailbox, and the code takes the user on to the question', async () => {
  const tab = browser();
  const form = await tab.get('/forgot-password');
  await tab.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username: 'alice@example.com', method: 'sms' });
  const mailbox = await tab.get('/dev/mailbox');
  expect(mailbox.text).toContain('Text message to +15555550101');
  const code = /class="sms-code">(\d{6})</.exec(mailbox.text)?.[1];
  expect(code).toMatch(/^\d{6}$/);

  const codePage = await tab.get('/forgot-password/sent');
  const verified = await tab.postForm('/reset-password/code', { _csrf: csrfTokenIn(codePage.text), code: code as string });
  expect(verified.location).toBe('/reset-password/question');
});

it('lets the locked-out demo user unlock by the emailed link found in the mailbox', async () => {
  const tab = browser();
  const form = await tab.get('/unlock-account');
  expect((await tab.postForm('/unlock-account', { _csrf: csrfTokenIn(form.text), username: 'carol@example.com', method: 'email' })).location).toBe('/unlock-account/sent');
  const link = select((await tab.get('/dev/mailbox')).text, 'a', { class: 'button mail-link' })
    .map((anchor) => anchor.attributes.href ?? '')
    .find((href) => href.includes('/unlock-account/'));
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1:3000\/unlock-account\/[A-Za-z0-9]+$/);
  expect((await tab.get(new URL(link as string).pathname)).location).toBe('/reset-password');
  const page = await tab.get('/reset-password');
  expect((await tab.postForm('/reset-password', { _csrf: csrfTokenIn(page.text) })).location).toBe('/reset-password/question');
  const question = await tab.get('/reset-password/question');
  expect((await tab.postForm('/reset-password/question', { _csrf: csrfTokenIn(question.text), answer: 'Rex' })).location).toBe('/unlock-account/done');
});
