/**
 * Okta mocked at the boundary only (nock), answering with the recorded fixtures. Every request
 * the service sends is captured, so tests assert the body and headers that reached "Okta".
 */
import nock from 'nock';
import { fixture, type RecordedResponse } from './fixtures.js';

export const OKTA_ORG = 'https://acme.okta.example';

export interface CapturedOktaCall {
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string | string[]>;
}

function bodyOf(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return text as unknown as Record<string, unknown>;
  }
}

export class OktaMock {
  readonly calls: CapturedOktaCall[] = [];

  /**
   * Jest runs several test files in one worker, each with its own copy of nock patching the same
   * node:http globals; so each mock activates itself here and restores the globals after its file.
   */
  constructor() {
    beforeAll(() => {
      if (!nock.isActive()) nock.activate();
      nock.disableNetConnect();
      nock.enableNetConnect((host) => host.startsWith('127.0.0.1') || host.startsWith('localhost'));
    });
    afterAll(() => {
      nock.cleanAll();
      nock.enableNetConnect();
      nock.restore();
    });
  }

  /** The next POST (or GET) to `path` answers with this recorded response (and optional headers). */
  reply(path: string, recorded: RecordedResponse | string, headers: Record<string, string> = {}, method: 'POST' | 'GET' = 'POST'): this {
    this.intercept(path, method, recorded, headers, Promise.resolve());
    return this;
  }

  /**
   * The next POST to `path` is recorded as it arrives and answered only when the returned function
   * is called: a test holds a request at Okta for exactly as long as it needs to.
   */
  hold(path: string, recorded: RecordedResponse | string): () => void {
    let release!: () => void;
    this.intercept(path, 'POST', recorded, {}, new Promise<void>((resolve) => (release = resolve)));
    return release;
  }

  /** Records the call, then answers once `answerAfter` settles. */
  private intercept(path: string, method: 'POST' | 'GET', recorded: RecordedResponse | string, headers: Record<string, string>, answerAfter: Promise<void>): void {
    const response = typeof recorded === 'string' ? fixture(recorded) : recorded;
    const calls = this.calls;
    nock(OKTA_ORG)
      .intercept(path, method)
      // nock 15 hands the reply function the intercepted request as a Fetch API Request. JSON
      // bodies are parsed; a form-encoded one (IDX interact) is kept as its text, as nock 14 did.
      .reply(async (request: Request) => {
        calls.push({ path, body: bodyOf(await request.text()), headers: Object.fromEntries(request.headers) });
        await answerAfter;
        return [response.status, response.body, { 'x-okta-request-id': 'reqTest123', ...headers }] as const;
      });
  }

  /** The next POST to `path` fails at the network level. */
  failConnection(path: string): this {
    nock(OKTA_ORG).post(path).replyWithError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' });
    return this;
  }

  /** The next POST to `path` answers only after `ms`. */
  delay(path: string, ms: number, recorded: RecordedResponse | string): this {
    const response = typeof recorded === 'string' ? fixture(recorded) : recorded;
    // Not nock's .delay(): under nock 15 got sees the delayed socket as aborted (ECONNRESET).
    nock(OKTA_ORG)
      .post(path)
      .reply(async () => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        return [response.status, response.body] as const;
      });
    return this;
  }

  callsTo(path: string): CapturedOktaCall[] {
    return this.calls.filter((call) => call.path === path);
  }

  assertAllUsed(): void {
    if (!nock.isDone()) throw new Error(`unused Okta mocks: ${nock.pendingMocks().join(', ')}`);
  }

  reset(): void {
    nock.cleanAll();
    this.calls.length = 0;
  }
}

export const PATHS = {
  start: '/api/v1/authn/recovery/password',
  verify: '/api/v1/authn/recovery/token',
  answer: '/api/v1/authn/recovery/answer',
  reset: '/api/v1/authn/credentials/reset_password',
  cancel: '/api/v1/authn/cancel',
} as const;
