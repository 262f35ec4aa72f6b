/**
 * Choosing the Okta engine (OKTA_ENGINE) and the Identity Engine's settings: validated at
 * start-up, every refusal naming its variable; auto reads the org once, and an answer it cannot
 * read stops start-up naming OKTA_ENGINE. The org is a real HTTP server here, not a mock.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, withEngine } from '../../src/config.js';
import { detectEngine } from '../../src/okta/detect.js';
import { configErrorFor } from '../helpers/config-error.js';

const ORG = 'https://acme.okta.example';

const errorFor = configErrorFor;

describe('OKTA_ENGINE and the Identity Engine settings', () => {
  it('defaults to auto; derives the redirect and magic-link URIs from PUBLIC_URL; the org AS by default', () => {
    const config = loadConfig({ OKTA_ORG_URL: ORG, PUBLIC_URL: 'https://id.acme.example/' });
    expect(config.okta.engine).toBe('auto');
    expect(config.okta.idx).toEqual({
      clientId: undefined,
      clientSecret: undefined,
      authServerPath: 'oauth2',
      redirectUri: 'https://id.acme.example/reset-password/callback',
      emailVerifyUri: 'https://id.acme.example/reset-password/verify-email',
    });
  });

  it('takes a custom authorization server on the org URL', () => {
    expect(loadConfig({ OKTA_ORG_URL: ORG, OKTA_ISSUER: `${ORG}/oauth2/aus1custom` }).okta.idx.authServerPath).toBe('oauth2/aus1custom');
    expect(loadConfig({ OKTA_ORG_URL: ORG, OKTA_ISSUER: ORG }).okta.idx.authServerPath).toBe('oauth2');
  });

  it.each([
    [{ OKTA_ENGINE: 'v2' }, 'OKTA_ENGINE'],
    [{ OKTA_ENGINE: 'idx' }, 'OKTA_CLIENT_ID: required for an Identity Engine org'],
    [{ OKTA_ENGINE: 'idx', OKTA_CLIENT_ID: 'has spaces in it' }, 'OKTA_CLIENT_ID'],
    [{ OKTA_ISSUER: 'https://elsewhere.example/oauth2/default' }, 'OKTA_ISSUER: must be OKTA_ORG_URL itself'],
    [{ OKTA_ISSUER: `${ORG}/not-oauth` }, 'OKTA_ISSUER'],
    [
      { OKTA_ENGINE: 'idx', OKTA_CLIENT_ID: '0oa1app', EMAIL_DELIVERY: 'service', SMTP_URL: 'smtp://localhost:25', MAIL_FROM: 'a@b.example' },
      'OKTA_API_TOKEN: required when EMAIL_DELIVERY=service',
    ],
  ])('refuses %j naming the variable', (environment, expected) => {
    expect(errorFor({ OKTA_ORG_URL: ORG, ...environment })).toContain(expected);
  });

  it('takes the Identity Engine with EMAIL_DELIVERY=service once the API token, SMTP and sender are set (idx contract §3.3)', () => {
    const environment = { OKTA_ORG_URL: ORG, OKTA_ENGINE: 'idx', OKTA_CLIENT_ID: '0oa1app', EMAIL_DELIVERY: 'service', OKTA_API_TOKEN: 'ssws-token', SMTP_URL: 'smtp://localhost:25', MAIL_FROM: 'a@b.example' };
    const config = loadConfig(environment);
    expect(config.okta.engine).toBe('idx');
    expect(config.email.delivery).toBe('service');
    expect(withEngine(loadConfig({ ...environment, OKTA_ENGINE: 'auto' }), 'idx').email.delivery).toBe('service');
  });

  it('demo mode with OKTA_ENGINE=idx needs nothing else: the emulator client is the default', () => {
    expect(loadConfig({ OKTA_ENGINE: 'idx' }).okta.idx.clientId).toBe('0oa1recoveryemulator');
  });

  it('checks the rest of the configuration against the engine auto found', () => {
    const config = loadConfig({ OKTA_ORG_URL: ORG });
    expect(withEngine(config, 'classic').okta.engine).toBe('classic');
    expect(() => withEngine(config, 'idx')).toThrow(/OKTA_CLIENT_ID/);
    expect(withEngine(loadConfig({ OKTA_ORG_URL: ORG, OKTA_CLIENT_ID: '0oa1app' }), 'idx').okta.engine).toBe('idx');
  });
});

describe('detectEngine (OKTA_ENGINE=auto)', () => {
  let server: Server;
  let answer: { status: number; body: string };
  let url: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      expect(request.url).toBe('/.well-known/okta-organization');
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ['idx', 'idx'],
    ['v1', 'classic'],
  ])('pipeline %s → %s', async (pipeline, engine) => {
    answer = { status: 200, body: JSON.stringify({ id: '00o1', pipeline }) };
    expect(await detectEngine(url, 2000)).toBe(engine);
  });

  it.each([
    [{ status: 200, body: '{"pipeline":"v3"}' }, 'pipeline "v3"'],
    [{ status: 404, body: '{}' }, 'HTTP 404'],
    [{ status: 200, body: 'not json' }, 'not JSON'],
  ])('stops start-up naming OKTA_ENGINE when the answer is %j', async (given, why) => {
    answer = given;
    await expect(detectEngine(url, 2000)).rejects.toThrow(new RegExp(`OKTA_ENGINE: auto could not read .*${why}.*Set OKTA_ENGINE=classic or OKTA_ENGINE=idx`));
  });

  it('stops start-up naming OKTA_ENGINE when the org cannot be reached', async () => {
    await expect(detectEngine('http://127.0.0.1:1', 2000)).rejects.toThrow(/OKTA_ENGINE: auto could not read .* could not be reached/);
  });
});
