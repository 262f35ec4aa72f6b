/** The email templates: both parts from one view, Okta's profile text escaped in HTML, the brand applied. */
import { loadCatalogue } from '../../src/i18n/catalogue.js';
import { createMailRenderer } from '../../src/mail/messages.js';
import { messagesDir, templatesDir } from '../../src/paths.js';

const catalogue = loadCatalogue(messagesDir);
const brand = { name: 'Acme & Sons', logoUrl: undefined, primaryColor: '#123456', supportContact: undefined };
const renderer = createMailRenderer(templatesDir, catalogue, brand);
const view = {
  link: 'https://account.acme.example/reset-password/abcDEF123_-x',
  login: 'mallory@example.com',
  firstName: '<img src=x onerror=alert(1)>',
  expiresAt: 'January 15, 2025 at 11:00 AM GMT',
  minutes: 60,
};

it('escapes what Okta’s profile holds in the HTML part, and keeps the text part literal', () => {
  const mail = renderer.render('recovery', 'en', view);
  expect(mail.html).not.toContain('<img src=x');
  expect(mail.html).toContain('Hello &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;,');
  expect(mail.text).toContain('Hello <img src=x onerror=alert(1)>,');
  // The subject is text, not HTML: the brand's ampersand stays an ampersand.
  expect(mail.subject).toBe('Reset your Acme & Sons password');
  expect(mail.html).toContain('<title>Reset your Acme &amp; Sons password</title>');
});

it('shows the brand name where there is no logo, the brand colour, and no support line without a contact', () => {
  const mail = renderer.render('recovery', 'en', view);
  expect(mail.html).toContain('color:#123456;">Acme &amp; Sons</p>');
  expect(mail.html).not.toContain('<img');
  expect(mail.text).not.toContain('Questions?');
  expect(mail.text.startsWith('Acme & Sons\n\nHello')).toBe(true);
});

it('says the configured lifetime, without a moment, when Okta gave no expiresAt', () => {
  const mail = renderer.render('recovery', 'en', { ...view, expiresAt: undefined, minutes: undefined, expiresIn: 'in 1 hour' });
  expect(mail.text).toContain('The link works once and expires in 1 hour.');
  expect(mail.html).toContain('The link works once and expires in 1 hour.');
  expect(mail.text).not.toContain('undefined');
});

it('renders the notice without a link, and with the generic "this wasn’t me" line when no contact is configured', () => {
  const mail = renderer.render('password-changed', 'en', { login: 'bob@example.com', firstName: 'Bob', changedAt: 'June 1, 2025 at 4:30 AM EDT' });
  expect(mail.subject).toBe('Your Acme & Sons password was changed');
  expect(mail.text).toContain("If this wasn't you, contact your IT support immediately");
  expect(mail.html).not.toContain('href=');
});
