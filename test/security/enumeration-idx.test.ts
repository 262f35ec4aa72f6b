/**
 * Account enumeration at the start step over the Identity Engine (IDX contract §6.3), with the
 * org's user enumeration prevention (UEP) off — Okta then answers unknown users with
 * `idx.unknown.user` — and on. The page form and the JSON API answer the same for every kind of
 * user, as test/security/enumeration.test.ts checks for Classic, with one difference: IDX starts
 * set the sealed flow cookie, whose value is random per request (our `state`, the IV). So
 * Set-Cookie is compared by name, attributes and value length, among usernames of one length
 * (the flow keeps the typed username, which the asker knows anyway). The cookie then behaves
 * alike too: a code typed for any of them is "wrong", after one Okta call each.
 */
import { csrfTokenIn, type BrowserResponse } from '../helpers/browser.js';
import { LENIENT_LIMITS, startEmulatedService, type EmulatedService } from '../helpers/emulated.js';

const REQUEST_ID = 'enumeration-idx-probe-1';
// TRUST_PROXY: the probe's own X-Request-Id is adopted, so that header compares as sent.
const IDX_ENV = { ...LENIENT_LIMITS, TRUST_PROXY: 'true', OKTA_ENGINE: 'idx', OKTA_CLIENT_ID: '0oa1recoveryemulator' };
let world: EmulatedService;
afterEach(async () => world?.close());

interface Fingerprint {
  status: number;
  location: string | null;
  body: string;
  headers: Array<[string, string]>;
  cookies: string[];
}

function fingerprint(response: BrowserResponse): Fingerprint {
  const headers = [...response.headers.entries()].filter(([name]) => name !== 'date' && name !== 'set-cookie').sort();
  return {
    status: response.status,
    location: response.location,
    body: response.text.replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value="[csrf]"'),
    headers,
    // The sealed value is random per request; its length and every attribute are compared.
    cookies: response.headers.getSetCookie().map((line) => line.replace(/^([^=]+)=([^;]*)/, (_all, name: string, value: string) => `${name}=[${value.length} chars]`)),
  };
}

async function viaPage(username: string): Promise<Fingerprint[]> {
  const browser = world.service.browser({ 'x-request-id': REQUEST_ID });
  const form = await browser.get('/forgot-password');
  const posted = await browser.postForm('/forgot-password', { _csrf: csrfTokenIn(form.text), username });
  const next = await browser.get(posted.location ?? '/');
  // The flow each got behaves the same: any code is wrong, after the same one call to Okta.
  const before = world.emulator.requests.length;
  const typed = await browser.postForm('/reset-password/code', { _csrf: csrfTokenIn(next.text), code: '000000' });
  expect(world.emulator.requests.length - before).toBe(1);
  return [fingerprint(posted), fingerprint(next), { ...fingerprint(typed), cookies: [] }];
}

async function viaApi(username: string): Promise<Fingerprint[]> {
  const browser = world.service.browser({ 'x-request-id': REQUEST_ID });
  const started = await browser.postJson('/api/recovery/start', { username });
  const typed = await browser.postJson('/api/recovery/verify-code', { code: '000000' });
  return [fingerprint(started), { ...fingerprint(typed), cookies: [] }];
}

/** Usernames of one length per group, so the sealed cookie's length may be compared. */
const GROUPS = [
  [
    ['an active user', 'alice@example.com'],
    ['an unknown user', 'nobod@example.com'],
    ['a LOCKED_OUT user', 'carol@example.com'],
  ],
  [
    ['an active user', 'bob@example.com'],
    ['an unknown user', 'bo0@example.com'],
  ],
  [
    ['a SUSPENDED user', 'dave@example.com'],
    ['a DEPROVISIONED user', 'erin@example.com'],
    ['an unknown user', 'nobo@example.com'],
  ],
] as const;

describe.each([
  ['user enumeration prevention off (Okta says idx.unknown.user)', false],
  ['user enumeration prevention on (Okta answers everyone alike)', true],
] as const)('%s', (_name, userEnumerationPrevention) => {
  describe.each([
    ['the page form', viaPage],
    ['the JSON API', viaApi],
  ] as const)('%s', (_surface, start) => {
    it('answers every kind of user the same: status, body, headers and cookies', async () => {
      world = await startEmulatedService(IDX_ENV, { pipeline: 'idx', idx: { userEnumerationPrevention, securityQuestion: false } });
      // A start answers before Okta is asked, naming the code's format once Okta has shown it to
      // this process (any plausible code before that): one earlier recovery, as in any running service.
      await world.service.browser().postJson('/api/recovery/start', { username: 'alice@example.com' });
      const warmUpMails = world.emulator.outbox.length;
      for (const group of GROUPS) {
        const answers = new Map<string, Fingerprint[]>();
        for (const [name, username] of group) answers.set(name, await start(username));
        const baseline = answers.get(group[0][0]);
        expect(baseline?.[0]?.status).toBe(start === viaApi ? 202 : 303);
        expect(baseline?.[0]?.cookies.some((line) => line.startsWith('recovery-flow='))).toBe(true);
        for (const [name, answer] of answers) expect({ name, answer }).toEqual({ name, answer: baseline });
      }
      // The sameness is not a dead Okta: the active users got their code, nobody else did.
      const recipients = world.emulator.outbox.slice(warmUpMails).map((mail) => mail.to);
      expect(recipients.filter((to) => to.includes('alice@example.com') || to.includes('bob@example.com'))).toHaveLength(2);
      expect(recipients.some((to) => /nobo|bo0|dave|erin/.test(to))).toBe(false);
      // With UEP off, Okta really told the unknown users apart (and we folded it).
      const identifies = world.emulator.requests.filter((request) => request.path === '/idp/idx/identify').map((request) => request.status);
      if (userEnumerationPrevention) expect(new Set(identifies)).toEqual(new Set([200]));
      else expect(identifies).toContain(400);
    });
  });
});
