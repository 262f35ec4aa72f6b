/**
 * Demo mode with RECOVERY_METHODS=email,sms,call: the texted code shows in /dev/mailbox as a text
 * message, so an SMS recovery runs in one browser tab like the emailed one.
 */
import { loadConfig, withOktaOrgUrl } from '../../src/config.js';
import { startDemoOkta, type DemoOkta } from '../../src/demo/demo-okta.js';
import { createLogger } from '../../src/logger.js';
import { startService, type RunningService } from '../../src/server.js';
import { Browser, csrfTokenIn } from '../helpers/browser.js';

let demo: DemoOkta;
let service: RunningService;

beforeAll(async () => {
  const config = loadConfig({ PUBLIC_URL: 'http://127.0.0.1:3000', LOG_LEVEL: 'silent', RECOVERY_METHODS: 'email,sms,call' });
  demo = await startDemoOkta(config);
  service = await startService(withOktaOrgUrl(config, demo.emulator.url), { extraRouters: demo.routers, logger: createLogger({ level: 'silent' }), port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await service.close();
  await demo.close();
});

it('shows the texted code in the demo mailbox, and the code takes the user on to the question', async () => {
  const browser = new Browser(service.url, { origin: 'http://127.0.0.1:3000' });
  const form = await browser.get('/forgot-password');
  await browser.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username: 'alice@example.com', method: 'sms' });
  const mailbox = await browser.get('/dev/mailbox');
  expect(mailbox.text).toContain('Text message to +15555550101');
  const code = /class="sms-code">(\d{6})</.exec(mailbox.text)?.[1];
  expect(code).toMatch(/^\d{6}$/);

  const codePage = await browser.get('/forgot-password/sent');
  const verified = await browser.postForm('/reset-password/code', { _csrf: csrfTokenIn(codePage.text), code: code as string });
  expect(verified.location).toBe('/reset-password/question');
});
