/**
 * Per-request facts every later middleware needs: a request id, the negotiated locale, a child
 * logger, and the end user's context for Okta calls.
 *
 * The request id is ours unless TRUST_PROXY says a load balancer of ours sets X-Request-Id: a
 * client's own id would otherwise become the key of our logs and audit trail (it could make two
 * users' requests share one id, or reuse one a support ticket names). A sane client id is still
 * logged beside ours, as clientRequestId, to match a client's report.
 */
import type { Context } from 'koa';
import type { Logger } from 'pino';
import type { Catalogue } from '../i18n/catalogue.js';
import { negotiateLocale } from '../i18n/negotiate.js';
import { fillRandom } from '../random-pool.js';
import type { EndUserContext } from '../okta/context.js';
import { joinAccessLine, type AccessLine, type HeldAudit } from '../observability/audit.js';
import type { CookieJar } from './cookies.js';

export interface RequestState extends AccessLine {
  readonly requestId: string;
  /** The client's own sane X-Request-Id when it is not ours (logged beside ours). */
  readonly clientRequestId: string | undefined;
  readonly locale: string;
  /** A logger whose lines carry requestId (and clientRequestId). */
  readonly log: Logger;
}

export function state(ctx: Context): RequestState {
  return ctx.state as RequestState;
}

/**
 * The child logger is made on first use: pino serialises a child's bindings when it is made, and
 * most requests never log through it (the access line is written with the same fields by
 * access-log.ts through the root logger, and steps log through theirs).
 */
class RequestScope implements RequestState {
  #log: Logger | undefined;
  /** Until the access log writes this request's line (access-log.ts ends it). */
  answering = true;
  audit: HeldAudit | undefined = undefined;
  constructor(
    readonly requestId: string,
    readonly clientRequestId: string | undefined,
    readonly locale: string,
    private readonly root: Logger,
  ) {}

  get log(): Logger {
    this.#log ??= this.root.child(this.clientRequestId ? { requestId: this.requestId, clientRequestId: this.clientRequestId } : { requestId: this.requestId });
    return this.#log;
  }
}

/**
 * Our request ids: random (version 4) UUIDs, as crypto.randomUUID() makes them, from the same
 * CSPRNG, drawn from the shared pool (random-pool.ts). randomUUID() assembles each id from 20
 * concatenated pieces (~0.5 KiB a request in the bench's allocation profile); here its 36
 * characters are written into one scratch buffer and read out as one string.
 */
const idBytes = Buffer.alloc(16);
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const idText = Buffer.from('00000000-0000-4000-8000-000000000000', 'latin1');
/** Where each of the 16 bytes' two hex digits go in the text, around the dashes. */
const DIGITS_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

export function newRequestId(): string {
  fillRandom(idBytes);
  for (let i = 0; i < 16; i++) {
    let byte = idBytes[i] as number;
    if (i === 6) byte = (byte & 0x0f) | 0x40; // the version: 4
    else if (i === 8) byte = (byte & 0x3f) | 0x80; // the variant: RFC 9562's
    const at = DIGITS_AT[i] as number;
    idText[at] = HEX_DIGITS[byte >> 4] as number;
    idText[at + 1] = HEX_DIGITS[byte & 0x0f] as number;
  }
  return idText.toString('latin1');
}

const LANG_COOKIE_MAX_AGE_MS = 365 * 24 * 60 * 60 * 1000;

const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

export function requestContext(options: { logger: Logger; catalogue: Catalogue; cookies: CookieJar; trustProxy: boolean }): (ctx: Context) => void {
  const { locales, defaultLocale } = options.catalogue;
  // The language for the Accept-Language header seen last, when nothing else chose one: a browser
  // sends the same header on every request of a flow, and reading it again (split, weigh, sort,
  // match) cost ~0.3 KiB a request. One entry, so a stream of odd headers costs no memory.
  let lastAcceptLanguage: string | null = null;
  let lastLocale = defaultLocale;
  const byAcceptLanguage = (acceptLanguage: string): string => {
    if (acceptLanguage !== lastAcceptLanguage) {
      lastLocale = negotiateLocale({ acceptLanguage }, locales, defaultLocale);
      lastAcceptLanguage = acceptLanguage;
    }
    return lastLocale;
  };
  // The first step of the first layer of the middleware list (app.ts), not a middleware of its own.
  return (ctx) => {
    const incoming = ctx.get('x-request-id');
    const sane = incoming && SANE_REQUEST_ID.test(incoming) ? incoming : undefined;
    const requestId = options.trustProxy && sane ? sane : newRequestId();
    const clientRequestId = sane && sane !== requestId ? sane : undefined;
    // Node's setHeader, not Koa's ctx.set: Koa builds three arrays per header it is given.
    ctx.res.setHeader('X-Request-Id', requestId);
    // Without a query string there is no ?lang= to read: Koa would still parse one into an object.
    const query = ctx.querystring && typeof ctx.query.lang === 'string' ? ctx.query.lang : undefined;
    // Without a Cookie header there is no lang cookie: reading one would build the cookies library's jar.
    const cookie = ctx.headers.cookie ? options.cookies.read(ctx, 'lang') : undefined;
    const locale =
      query === undefined && cookie === undefined
        ? byAcceptLanguage(ctx.get('accept-language'))
        : negotiateLocale({ query, cookie, acceptLanguage: ctx.get('accept-language') }, locales, defaultLocale);
    // An explicit ?lang= choice is remembered, so the next pages keep it without the parameter.
    if (query && locale.toLowerCase() === query.toLowerCase()) options.cookies.write(ctx, 'lang', locale, LANG_COOKIE_MAX_AGE_MS);
    ctx.state = new RequestScope(requestId, clientRequestId, locale, options.logger);
  };
}

export function endUserContext(ctx: Context): EndUserContext {
  const scope = state(ctx);
  const context: EndUserContext = {
    userAgent: ctx.get('user-agent') || undefined,
    acceptLanguage: ctx.get('accept-language') || undefined,
    // ctx.ip honours X-Forwarded-For only when app.proxy is on, i.e. TRUST_PROXY=true.
    clientIp: ctx.ip || undefined,
    requestId: scope.requestId,
  };
  // A step's audit event, recorded with this context while the request is answered, joins its access line.
  joinAccessLine(context, scope);
  return context;
}
