/**
 * Flow swap (issue 16, item 3): another site makes the victim's browser GET
 * /reset-password/<the attacker's own link>, hoping the victim then sets a password on the
 * attacker's account. The account being reset is shown (masked) on the question and password
 * pages; a link opened while a flow is past its link asks before replacing it; and a made-up link
 * leaves the flow alone. Okta is the in-process emulator over real HTTP.
 */
import { csrfTokenIn, type Browser } from '../helpers/browser.js';
import { LENIENT_LIMITS, startEmulatedService, type EmulatedService } from '../helpers/emulated.js';

let emulated: EmulatedService;
beforeAll(async () => {
  emulated = await startEmulatedService(LENIENT_LIMITS);
});
afterAll(() => emulated.close());

async function post(browser: Browser, page: string, fields: Record<string, string> = {}) {
  const form = await browser.get(page);
  return browser.postForm(page, { _csrf: csrfTokenIn(form.text), ...fields });
}

/** A link for `login`, as its owner would get it from their mailbox. */
async function linkFor(login: string): Promise<string> {
  expect((await post(emulated.service.browser(), '/forgot-password', { username: login })).status).toBe(303);
  return emulated.latestLinkPath(login);
}

/** The text of the element with this id, read from the page. */
function textOf(html: string, id: string): string | undefined {
  const match = new RegExp(`<[a-z0-9]+[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</`).exec(html);
  return match?.[1]?.replace(/<[^>]+>/g, '').trim();
}

/** Alice, on her own question page. */
async function aliceAtQuestion(): Promise<Browser> {
  const browser = emulated.service.browser();
  await browser.get(await linkFor('alice@example.com'));
  expect((await post(browser, '/reset-password')).location).toBe('/reset-password/question');
  return browser;
}

it('shows whose password is being reset, masked, on the question and new-password pages', async () => {
  const browser = await aliceAtQuestion();
  const question = await browser.get('/reset-password/question');
  expect(textOf(question.text, 'account')).toBe('Account: a•••e@example.com');
  expect(question.text).not.toContain('alice@example.com');
  expect((await post(browser, '/reset-password/question', { answer: 'Brussels sprouts' })).location).toBe('/reset-password/new-password');
  expect(textOf((await browser.get('/reset-password/new-password')).text, 'account')).toBe('Account: a•••e@example.com');
});

it('asks before a newly opened link replaces a flow past its link, and keeps the flow if the user says so', async () => {
  const victim = await aliceAtQuestion();
  const attackersLink = await linkFor('bob@example.com');
  // The cross-site GET: the browser follows it with the victim's cookies.
  const opened = await victim.get(attackersLink);
  expect(opened.location).toBe('/reset-password/replace');
  // Nothing replaced yet: the victim's question page is still hers.
  expect(textOf((await victim.get('/reset-password/question')).text, 'account')).toBe('Account: a•••e@example.com');
  const asked = await victim.get('/reset-password/replace');
  expect(asked.status).toBe(200);
  expect(asked.text).toContain('a•••e@example.com');
  expect((await post(victim, '/reset-password/replace', { choice: 'keep' })).location).toBe('/reset-password/question');
  expect((await post(victim, '/reset-password/question', { answer: 'Brussels sprouts' })).location).toBe('/reset-password/new-password');
  // The choice is made once: the waiting link is gone.
  expect((await victim.get('/reset-password/replace')).location).toBe('/reset-password/new-password');
});

it('switches to the new link when the user chooses it, and then names the new account', async () => {
  const user = await aliceAtQuestion();
  const cancelsBefore = emulated.emulator.requests.filter((request) => request.path === '/api/v1/authn/cancel').length;
  await user.get(await linkFor('bob@example.com'));
  expect((await post(user, '/reset-password/replace', { choice: 'new' })).location).toBe('/reset-password');
  // Alice's Okta transaction was cancelled, not left open.
  expect(emulated.emulator.requests.filter((request) => request.path === '/api/v1/authn/cancel').length).toBe(cancelsBefore + 1);
  expect((await post(user, '/reset-password')).location).toBe('/reset-password/new-password');
  expect(textOf((await user.get('/reset-password/new-password')).text, 'account')).toBe('Account: b•••b@example.com');
});

it('replaces a flow that has not spent its link yet without asking', async () => {
  const user = emulated.service.browser();
  await user.get(await linkFor('alice@example.com'));
  expect((await user.get(await linkFor('bob@example.com'))).location).toBe('/reset-password');
  expect((await post(user, '/reset-password')).location).toBe('/reset-password/new-password');
});

it('leaves an existing flow alone when a GET carries an implausible token', async () => {
  const victim = await aliceAtQuestion();
  for (const path of ['/reset-password/not%20a%20token', '/reset-password?token=x']) {
    const dead = await victim.get(path);
    expect(dead.status).toBe(400);
    expect(dead.headers.getSetCookie().filter((line) => line.includes('recovery-flow='))).toEqual([]);
  }
  expect((await victim.get('/reset-password/question')).status).toBe(200);
});
