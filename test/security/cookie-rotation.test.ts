/**
 * Rotating COOKIE_SECRET (flow-cookie.ts): with the old secret as COOKIE_SECRET_PREVIOUS, a flow
 * sealed before the rotation finishes after it, and the next cookie is sealed under the new
 * secret only; a cookie no secret we hold sealed is "start again", never a 500.
 */
import { createDecipheriv, hkdfSync } from 'node:crypto';
import { CompactEncrypt } from 'jose';
import { ManualClock } from '../../src/clock.js';
import { fresh } from '../helpers/fixtures.js';
import { OktaMock, PATHS } from '../helpers/okta-nock.js';
import { startTestService, TEST_COOKIE_SECRET, type ServiceUnderTest } from '../helpers/service.js';

const NEW_SECRET = 'a-new-cookie-secret-rotated-in-of-32-bytes-or-more';
const OTHER_SECRET = 'a-secret-this-service-never-held-of-32-bytes-plus';
const STATE_TOKEN = '00lMJySRYNz3u_rKQrsLvLrzxiARgivP8FB_1gpmVb';
const okta = new OktaMock();
const clock = new ManualClock(Date.now());
const running: ServiceUnderTest[] = [];

async function service(environment: Record<string, string> = {}): Promise<ServiceUnderTest> {
  const started = await startTestService(environment, { clock });
  running.push(started);
  return started;
}

/** A flow past its emailed link, sealed by `before`: the cookie the user's browser holds. */
async function flowAwaitingAnswer(before: ServiceUnderTest): Promise<string> {
  okta.reply(PATHS.verify, fresh('recovery-question.json', clock.now(), { stateToken: STATE_TOKEN }));
  const browser = before.browser();
  expect((await browser.postJson('/api/recovery/verify', { token: 'VBQ0gwBp5LyJJFdbmWCM' })).status).toBe(200);
  return browser.cookies.get('recovery-flow') as string;
}

beforeEach(() => okta.reset());
afterEach(async () => {
  await Promise.all(running.splice(0).map((started) => started.close()));
});

describe('COOKIE_SECRET rotation', () => {
  it('finishes a flow sealed under the previous secret, and seals what follows under the new one', async () => {
    const sealed = await flowAwaitingAnswer(await service());
    const rotated = await service({ COOKIE_SECRET: NEW_SECRET, COOKIE_SECRET_PREVIOUS: TEST_COOKIE_SECRET });
    const browser = rotated.browser();
    browser.cookies.set('recovery-flow', sealed);

    okta.reply(PATHS.answer, fresh('password-reset-no-rules.json', clock.now()));
    const answered = await browser.postJson('/api/recovery/answer', { answer: 'Annie Oakley' });
    expect(answered.status).toBe(200);
    expect(okta.callsTo(PATHS.answer)[0]?.body).toEqual({ stateToken: STATE_TOKEN, answer: 'Annie Oakley' });
    const resealed = browser.cookies.get('recovery-flow') as string;
    expect(resealed).not.toBe(sealed);

    // The new cookie opens with the new secret alone: the previous one can now be retired.
    const retired = await service({ COOKIE_SECRET: NEW_SECRET });
    const later = retired.browser();
    later.cookies.set('recovery-flow', resealed);
    okta.reply(PATHS.reset, 'success.json');
    const reset = await later.postJson('/api/recovery/reset', { newPassword: 'Correct-Horse-Battery-9' });
    expect(reset.status).toBe(200);
    expect(okta.callsTo(PATHS.reset)).toHaveLength(1);
  });

  it('answers a cookie sealed under a secret it does not hold with "start again", without calling Okta', async () => {
    const sealed = await flowAwaitingAnswer(await service());
    const stranger = await service({ COOKIE_SECRET: NEW_SECRET, COOKIE_SECRET_PREVIOUS: OTHER_SECRET });

    const api = stranger.browser();
    api.cookies.set('recovery-flow', sealed);
    const answered = await api.postJson('/api/recovery/answer', { answer: 'Annie Oakley' });
    expect(answered.status).toBe(401);
    expect(answered.json()).toMatchObject({ error: { code: 'FLOW_EXPIRED' } });

    const pages = stranger.browser();
    pages.cookies.set('recovery-flow', sealed);
    const page = await pages.get('/reset-password/question');
    expect(page.status).toBeLessThan(500);
    expect(page.text).not.toContain('name="answer"');
    expect(page.text).toContain('href="/forgot-password');
    expect(okta.callsTo(PATHS.answer)).toHaveLength(0);
  });

  it('treats a cookie naming a key id of ours but altered on the way as no flow', async () => {
    const sealed = await flowAwaitingAnswer(await service());
    const [version, keyId, body] = sealed.split('.') as [string, string, string];
    const flipped = `${body.slice(0, 20)}${body[20] === 'A' ? 'B' : 'A'}${body.slice(21)}`;
    const same = await service();
    for (const forged of [`${version}.${keyId}.${flipped}`, `${version}.AAAAAAAA.${body}`, `v9.${keyId}.${body}`, `${version}.${keyId}`]) {
      const browser = same.browser();
      browser.cookies.set('recovery-flow', forged);
      const answered = await browser.postJson('/api/recovery/answer', { answer: 'Annie Oakley' });
      expect({ forged: forged.slice(0, 12), status: answered.status }).toEqual({ forged: forged.slice(0, 12), status: 401 });
    }
    expect(okta.callsTo(PATHS.answer)).toHaveLength(0);
  });

  it('still opens a flow sealed by the release before (JWE), so an upgrade sends no one back to the start', async () => {
    const sealed = await flowAwaitingAnswer(await service());
    // The same flow as the previous release sealed it: dir + A256GCM JWE under the v1 key.
    const [version, keyId, body] = sealed.split('.') as [string, string, string];
    const bytes = Buffer.from(body, 'base64url');
    const key = (info: string) => Buffer.from(hkdfSync('sha256', TEST_COOKIE_SECRET, 'okta-recovery', info, 32));
    const decipher = createDecipheriv('aes-256-gcm', key('flow-cookie-v2'), bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(`${version}.${keyId}`));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    const plain = Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
    const legacy = await new CompactEncrypt(plain).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(new Uint8Array(key('flow-cookie-v1')));

    const upgraded = await service();
    const browser = upgraded.browser();
    browser.cookies.set('recovery-flow', legacy);
    okta.reply(PATHS.answer, fresh('password-reset-no-rules.json', clock.now()));
    const answered = await browser.postJson('/api/recovery/answer', { answer: 'Annie Oakley' });
    expect(answered.status).toBe(200);
    expect(browser.cookies.get('recovery-flow')).toMatch(/^v2\./);
  });
});
