/**
 * Okta's X-Okta-Request-Id of the latest call made with each end-user context. A step builds one
 * context per request and passes it to every Okta call it makes, so the Okta client's observe hook
 * can note the id here and the step's audit event can name it — including for 2xx answers, which
 * carry no error to hold it. A WeakMap, so nothing outlives the request; no AsyncLocalStorage,
 * whose promise hooks would tax every promise in the process.
 */
import type { EndUserContext } from '../okta/context.js';

export class OktaRequestIds {
  readonly #latest = new WeakMap<EndUserContext, string>();

  remember(context: EndUserContext, oktaRequestId: string): void {
    this.#latest.set(context, oktaRequestId);
  }

  latest(context: EndUserContext | undefined): string | undefined {
    return context ? this.#latest.get(context) : undefined;
  }
}
