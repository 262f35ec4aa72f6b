/**
 * One audit event per recovery step and outcome: a JSON log line (`event: recovery.<step>`) with
 * our request id, the outcome, and Okta's X-Okta-Request-Id (from the error when Okta refused, or
 * noted by the Okta client's observe hook when it answered 2xx), plus the matching metrics. Outcomes are
 * logged by kind only, but for Okta's wording of a password refusal: an outcome's payload (a
 * question, a redirect) never reaches the line, and no secret is an argument here, so none can.
 */
import type { Logger } from 'pino';
import { OktaApiError, OktaUnavailableError } from '../okta/errors.js';
import type { Outcome } from '../recovery/outcomes.js';
import type { StepName } from '../recovery/states.js';
import type { EndUserContext } from '../okta/context.js';
import type { Metrics } from './metrics.js';
import type { OktaRequestIds } from './okta-request-ids.js';

/** The state table's steps, plus cancel (the user walking away, which any state allows). */
export type AuditedStep = StepName | 'cancel';

export interface Auditor {
  /**
   * `context` is the end-user context of the step's Okta calls (our request id; Okta's request id
   * is looked up by it); `error` the Okta failure the outcome came from, when there was one.
   */
  record(step: AuditedStep, outcome: Outcome, facts?: { context?: EndUserContext | undefined; error?: unknown }): void;
}

/** An audit event held for its request's access line: the facts, the message, and whether it is a warning. */
export interface HeldAudit {
  readonly facts: Record<string, unknown>;
  readonly message: string;
  readonly warn: boolean;
}

/**
 * A request whose access line is still to be written (web/access-log.ts). While `answering`, the
 * step's audit event waits in `audit` and becomes that line: one line per request instead of two,
 * which was ~1.5 KiB of pino's serialisation per step request. An event recorded once the answer
 * has gone (Classic's start, whose Okta call runs after the response) is a line of its own.
 */
export interface AccessLine {
  answering: boolean;
  audit: HeldAudit | undefined;
}

/** The access line waiting for each end-user context the web layer made (by object: no id can be shared by two requests). */
const accessLines = new WeakMap<EndUserContext, AccessLine>();

/** Called by the web layer for each end-user context it makes for a request still being answered. */
export function joinAccessLine(context: EndUserContext, line: AccessLine): void {
  accessLines.set(context, line);
}

/** Outcomes an operator should notice are warnings; the rest (the user's own doing) are info. */
const WARN_OUTCOMES = new Set<Outcome['kind']>(['rate-limited', 'upstream-unavailable', 'attempts-exhausted', 'account-locked']);

export function createAuditor(logger: Logger, metrics: Metrics, oktaRequestIds: OktaRequestIds): Auditor {
  // The event name, message and step_outcomes_total child of each step and outcome, made once: the same few every time.
  const texts = new Map<AuditedStep, Map<Outcome['kind'], { readonly event: string; readonly message: string; readonly count: () => void }>>();
  const textsOf = (step: AuditedStep, kind: Outcome['kind']) => {
    let ofStep = texts.get(step);
    if (!ofStep) texts.set(step, (ofStep = new Map()));
    let found = ofStep.get(kind);
    if (!found) {
      const { inc } = metrics.stepOutcomes.labels({ step, outcome: kind });
      ofStep.set(kind, (found = { event: `recovery.${step}`, message: `recovery ${step}: ${kind}`, count: () => inc() }));
    }
    return found;
  };

  return {
    record(step, outcome, { context, error } = {}) {
      const { event, message, count } = textsOf(step, outcome.kind);
      const facts: Record<string, unknown> = {
        event,
        outcome: outcome.kind,
        requestId: context?.requestId,
        oktaRequestId: oktaRequestIds.latest(context),
      };
      if (error instanceof OktaApiError) {
        facts.oktaStatus = error.status;
        facts.oktaErrorCode = error.errorCode;
        facts.oktaErrorId = error.errorId;
        facts.oktaRequestId = error.requestId ?? facts.oktaRequestId;
      }
      if (error instanceof OktaUnavailableError) {
        facts.oktaStatus = error.status;
        facts.oktaRequestId = error.requestId ?? facts.oktaRequestId;
      }
      if (outcome.kind === 'rate-limited') facts.retryAfterSeconds = outcome.retryAfterSeconds;
      // Okta's own words for a refused password: the pages show our translation of them, so the
      // operator reads the original here (policy wording, never the password).
      if (outcome.kind === 'password-rejected' && outcome.oktaCauses.length > 0) facts.oktaCauses = outcome.oktaCauses;
      const warn = WARN_OUTCOMES.has(outcome.kind);
      const line = context ? accessLines.get(context) : undefined;
      if (line?.answering && line.audit === undefined) line.audit = { facts, message, warn };
      else if (warn) logger.warn(facts, message);
      else logger.info(facts, message);

      count();
      if (step === 'start' && outcome.kind === 'email-sent') metrics.flowsStarted.inc();
      if (step === 'reset' && outcome.kind === 'password-changed') metrics.flowsCompleted.inc();
    },
  };
}
