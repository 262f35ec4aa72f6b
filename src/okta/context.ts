/**
 * The end user's request context, forwarded on every Okta call so Okta's policies and System Log
 * see the person, not our server (contract §7, COREAPI "Client request context"). Built in one
 * place, as guardian/gateway's okta/api/headers.ts does.
 */
export interface EndUserContext {
  readonly userAgent?: string | undefined;
  readonly acceptLanguage?: string | undefined;
  /** Only meaningful to Okta when our egress IP is on the org's trusted-proxy allowlist. */
  readonly clientIp?: string | undefined;
  /** Our request id, so Okta calls can be matched to our log lines. */
  readonly requestId?: string | undefined;
}

/** Header values are bounded: a 64 KiB User-Agent should not travel on to Okta. */
const MAX_HEADER_LENGTH = 512;

/**
 * Control characters, dropped so a hostile header can never split the outgoing request. One
 * object for the module: a regular-expression literal inside the function is a new RegExp each
 * time it runs (three per Okta call). Shared safely: replace with a global pattern starts at 0.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point here
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

function bounded(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const cleaned = value.replace(CONTROL_CHARACTERS, '').slice(0, MAX_HEADER_LENGTH);
  return cleaned || undefined;
}

/**
 * The end user's headers as one flat list (name, value, name, value …), names in lower case: the
 * form the transport hands to Node, so a call builds no header object to copy from.
 */
export function endUserHeaders(context: EndUserContext, serviceUserAgent: string): string[] {
  const headers = ['user-agent', bounded(context.userAgent) ?? serviceUserAgent];
  const language = bounded(context.acceptLanguage);
  if (language) headers.push('accept-language', language);
  const ip = bounded(context.clientIp);
  if (ip) headers.push('x-forwarded-for', ip);
  return headers;
}
