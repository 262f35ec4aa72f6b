/**
 * The end user's headers forwarded to Okta (src/okta/context.ts): control characters dropped,
 * values bounded, empty ones left out. The pattern is one object for the module, so every call
 * here runs after others, with and without matches.
 */
import { endUserHeaders } from '../../src/okta/context.js';

describe('the end user headers sent to Okta', () => {
  it('drops control characters, bounds the length and leaves out what is empty, call after call', () => {
    for (let round = 0; round < 3; round++) {
      expect(endUserHeaders({ userAgent: 'Firefox/130\r\nX-Evil: 1', acceptLanguage: 'fr\u0000\u007f', clientIp: '203.0.113.9' }, 'svc')).toEqual([
        'user-agent', 'Firefox/130X-Evil: 1', 'accept-language', 'fr', 'x-forwarded-for', '203.0.113.9',
      ]);
      expect(endUserHeaders({ userAgent: 'Firefox/130', acceptLanguage: 'de' }, 'svc')).toEqual(['user-agent', 'Firefox/130', 'accept-language', 'de']);
      expect(endUserHeaders({ userAgent: '\t\n', clientIp: '\u0001' }, 'svc')).toEqual(['user-agent', 'svc']);
      expect(endUserHeaders({ userAgent: `${'a\u0002'.repeat(400)}b` }, 'svc')).toEqual(['user-agent', `${'a'.repeat(400)}b`]);
      expect(endUserHeaders({ userAgent: 'x'.repeat(600) }, 'svc')[1]).toHaveLength(512);
    }
  });
});
