/**
 * Without a logo the header still looks like the organisation's own sign-in page (issue 11.7): a
 * monogram of the brand name's first letter beside the name, hidden from screen readers (the name
 * is read once); with BRAND_LOGO_URL the logo replaces both.
 */
import { startTestService, type ServiceUnderTest } from '../helpers/service.js';
import { select } from '../helpers/html.js';

let service: ServiceUnderTest | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

async function header(environment: Record<string, string>): Promise<string> {
  service = await startTestService(environment);
  return (await service.browser().get('/forgot-password')).text;
}

it.each([
  ['Globex', 'G'],
  ['école polytechnique', 'É'],
  ['  initech', 'I'],
])('BRAND_NAME %j shows the monogram %j, decorative, beside the name', async (name, initial) => {
  const page = await header({ BRAND_NAME: name });
  const [mark] = select(page, 'span', { class: 'brand-mark' });
  expect(mark).toEqual({ text: initial, attributes: { class: 'brand-mark', 'aria-hidden': 'true' } });
  expect(select(page, 'span', { class: 'brand' })[0]?.text).toBe(`${initial}${name.trim()}`);
  expect(select(page, 'img')).toEqual([]);
});

it('with BRAND_LOGO_URL the logo stands alone, named by its alt text', async () => {
  const page = await header({ BRAND_NAME: 'Globex', BRAND_LOGO_URL: 'https://cdn.globex.example/logo.svg' });
  expect(select(page, 'span', { class: 'brand-mark' })).toEqual([]);
  expect(select(page, 'img', { class: 'brand-logo' })[0]?.attributes.alt).toBe('Globex');
});
