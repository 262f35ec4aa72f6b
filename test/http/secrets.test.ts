/**
 * Secrets stay secret: over whole flows through pages and the API, the recovery token, the
 * stateToken, the answer and the passwords appear in no log line, no response body, no Location
 * header, and no cookie in readable form.
 */
import { csrfTokenIn } from '../helpers/browser.js';
import { fresh } from '../helpers/fixtures.js';
import { OktaMock, PATHS } from '../helpers/okta-nock.js';
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';

const SECRETS = {
  recoveryToken: 'SecretRecoveryTokenQ7x9',
  stateToken: '00SecretStateTokenZZZ_kd81mQ',
  answer: 'Secret-Answer-Tumbleweed',
  password: 'Secret-Password-Q7#x9',
};

const okta = new OktaMock();
let service: ServiceUnderTest;
const seen: string[] = [];

beforeEach(async () => {
  okta.reset();
  seen.length = 0;
  service = await startTestService({ LOG_LEVEL: 'trace' });
});
afterEach(async () => {
  await service.close();
});

function record(response: { text: string; location: string | null; headers: Headers }): void {
  seen.push(response.text, response.location ?? '', ...response.headers.getSetCookie());
}

function expectNoSecretIn(haystacks: string[]): void {
  for (const [name, secret] of Object.entries(SECRETS)) {
    const leaks = haystacks.filter((text) => text.includes(secret));
    if (leaks.length > 0) throw new Error(`${name} leaked into: ${leaks[0]?.slice(0, 300)}`);
  }
}

function oktaAnswers(): void {
  const now = service.clock.now();
  okta.reply(PATHS.verify, fresh('recovery-question.json', now, { stateToken: SECRETS.stateToken }));
  okta.reply(PATHS.answer, 'error-wrong-answer.json');
  okta.reply(PATHS.answer, fresh('password-reset.json', now, { stateToken: SECRETS.stateToken }));
  okta.reply(PATHS.reset, 'error-password-policy.json');
  okta.reply(PATHS.reset, 'success.json');
}

it('keeps every secret out of logs, pages, redirects and cookies over a page flow', async () => {
  oktaAnswers();
  const browser = service.browser();
  for (const path of [`/reset-password/${SECRETS.recoveryToken}`, `/reset-password?token=${SECRETS.recoveryToken}`]) record(await browser.get(path));
  let page = await browser.get('/reset-password');
  record(page);
  record(await browser.postForm('/reset-password', { _csrf: csrfTokenIn(page.text) }));
  for (const answer of ['wrong answer', SECRETS.answer]) {
    page = await browser.get('/reset-password/question');
    record(page);
    record(await browser.postForm('/reset-password/question', { _csrf: csrfTokenIn(page.text), answer }));
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    page = await browser.get('/reset-password/new-password');
    record(page);
    record(await browser.postForm('/reset-password/new-password', { _csrf: csrfTokenIn(page.text), newPassword: SECRETS.password, confirmPassword: SECRETS.password }));
  }
  record(await browser.get('/reset-password/done'));
  okta.assertAllUsed();
  expect(service.logs.length).toBeGreaterThan(10);
  expectNoSecretIn([...seen, ...service.logs]);
});

it('keeps every secret out of logs and JSON bodies over an API flow', async () => {
  oktaAnswers();
  const browser = service.browser();
  record(await browser.postJson('/api/recovery/verify', { token: SECRETS.recoveryToken }));
  record(await browser.postJson('/api/recovery/answer', { answer: 'wrong' }));
  record(await browser.postJson('/api/recovery/answer', { answer: SECRETS.answer }));
  record(await browser.postJson('/api/recovery/reset', { newPassword: SECRETS.password }));
  record(await browser.postJson('/api/recovery/reset', { newPassword: SECRETS.password }));
  okta.assertAllUsed();
  expectNoSecretIn([...seen, ...service.logs]);
});
