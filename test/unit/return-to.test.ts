/** Where "done" may send the user: only allowed origins, always as the parser resolved it. */
import { safeRedirectTarget } from '../../src/recovery/return-to.js';

const options = { publicUrl: 'https://account.acme.com', allowedOrigins: ['https://account.acme.com', 'https://intranet.acme.com'], fallback: 'https://acme.okta.com/' };

it.each([
  ['https://intranet.acme.com/home?x=1', 'https://intranet.acme.com/home?x=1'],
  ['/welcome', 'https://account.acme.com/welcome'],
  ['//evil.example/x', options.fallback],
  ['/\\evil.example', options.fallback],
  ['https:evil.example', 'https://account.acme.com/evil.example'],
  ['https://evil.example', options.fallback],
  ['https://intranet.acme.com.evil.example/', options.fallback],
  ['https://user:pass@intranet.acme.com/', options.fallback],
  ['javascript:alert(1)', options.fallback],
  ['%2F%2Fevil.example', 'https://account.acme.com/%2F%2Fevil.example'],
  ['\t//evil.example', options.fallback],
  ['', options.fallback],
])('%j → %s', (candidate, expected) => {
  expect(safeRedirectTarget(candidate, options)).toBe(expected);
});
