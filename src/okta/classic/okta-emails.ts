/**
 * The Classic start with EMAIL_DELIVERY=okta (the engine's "Okta sends it" strategy), after the response. Okta composes and sends the email
 * inside its answer to /recovery/password, so how long it takes says whether an email went out
 * (known users answered 2–3 ms slower than unknown ones, measured). So the start step answers
 * first and asks Okta afterwards, on the same after-the-response queue service delivery uses
 * (mail/queue.ts, here without SMTP), and the user's answer cannot depend on Okta at all.
 *
 * What Okta said is still recorded: the start step's audit event (recovery.start, with Okta's
 * request id, and its errorCode when it refused) is written when Okta has answered; a rate limit or
 * an outage is a warning and counts in step_outcomes_total, and the Okta budget still sees Okta's
 * X-Rate-Limit headers, so a 429 holds later starts back. A job the queue cannot take (full, or
 * shutting down) is recorded as upstream-unavailable.
 */
import type { Logger } from 'pino';
import { createMemoryMailQueue, type MailQueue } from '../../mail/queue.js';
import type { Auditor } from '../../observability/audit.js';
import type { OktaClient } from '../client.js';
import type { EndUserContext } from '../context.js';
import * as authn from './authn.js';
import { refusalOf } from './failures.js';

/** A start request Okta is to be asked about, as plain data like every queued job. */
interface OktaEmailJob {
  readonly kind: 'okta-recovery';
  readonly requestId?: string | undefined;
  readonly input: { readonly username: string; readonly relayState?: string | undefined; readonly purpose?: 'password' | 'unlock' | undefined };
  readonly context: EndUserContext;
}

export interface OktaEmails {
  readonly queue: MailQueue<OktaEmailJob>;
  /** Asks Okta to email the recovery link, once this request's response has gone. */
  request(input: { username: string; relayState?: string | undefined; purpose?: 'password' | 'unlock' | undefined }, context: EndUserContext): void;
}

export function createOktaEmails(deps: { okta: OktaClient; audit: Auditor; logger: Logger; concurrency: number }): OktaEmails {
  // Bounded like the mail queue; the Okta budget admits far fewer starts a minute than this holds.
  const queue = createMemoryMailQueue<OktaEmailJob>({
    logger: deps.logger,
    prepare: (job) => ask(job.input, job.context),
    maxAttempts: 1,
    retryBaseMs: 1,
    concurrency: deps.concurrency,
    maxPending: 10_000,
  });

  async function ask(input: OktaEmailJob['input'], context: EndUserContext): Promise<null> {
    try {
      // The unlock link is emailed the same way, after the response (contract §5).
      if (input.purpose === 'unlock') await authn.unlockAccount(deps.okta, { username: input.username, factorType: 'EMAIL', relayState: input.relayState }, context);
      else await authn.forgotPasswordByEmail(deps.okta, { username: input.username, relayState: input.relayState }, context);
      deps.audit.record('start', { kind: 'email-sent' }, { context });
    } catch (error) {
      // Never retried: the POST may have sent an email (got's rule). A refusal folds into
      // email-sent as before; a 429 or an outage is recorded as what it was.
      deps.audit.record('start', refusalOf(error, 'start') ?? { kind: 'email-sent' }, { context, error });
    }
    return null;
  }

  return {
    queue,
    request(input, context) {
      // The in-memory queue settles at once; the audit record does not wait for anything.
      void queue.enqueue({ kind: 'okta-recovery', requestId: context.requestId, input, context }).then((accepted) => {
        if (!accepted) deps.audit.record('start', { kind: 'upstream-unavailable' }, { context });
      });
    },
  };
}
