/**
 * The cookies this service sets, in one place: the sealed flow, a sealed newly opened link waiting
 * for the user's "use it?" (states.ts, ON_NEW_LINK), the CSRF secret, the language.
 * With an https PUBLIC_URL they carry the `__Host-` prefix (Secure, Path=/, no Domain), so a
 * sibling subdomain cannot plant or overwrite them.
 */
import type { Context } from 'koa';
import type { FlowSealer } from '../recovery/flow-cookie.js';
import type { FlowState } from '../recovery/states.js';

export interface CookieJar {
  readFlow(ctx: Context): Promise<FlowState | null>;
  /** Synchronous: sealing is (sealing.ts). */
  writeFlow(ctx: Context, flow: FlowState | null): void;
  /** A link opened while another flow was past its link, kept (sealed) until the user chooses. */
  readPendingLink(ctx: Context): Promise<FlowState | null>;
  writePendingLink(ctx: Context, link: FlowState | null): void;
  read(ctx: Context, name: 'csrf' | 'lang'): string | undefined;
  write(ctx: Context, name: 'csrf' | 'lang', value: string, maxAgeMs: number): void;
}

export function createCookieJar(options: { secure: boolean; sealer: FlowSealer }): CookieJar {
  const prefix = options.secure ? '__Host-' : '';
  const names = { flow: `${prefix}recovery-flow`, pending: `${prefix}recovery-pending-link`, csrf: `${prefix}recovery-csrf`, lang: `${prefix}lang` } as const;
  const base = { httpOnly: true, sameSite: 'lax', secure: options.secure, path: '/', overwrite: true } as const;

  function allowSecure(ctx: Context): void {
    // TLS usually ends at the load balancer, so ctx.secure is false even though users see https;
    // the `cookies` library refuses Secure cookies then unless told the channel is secure.
    if (options.secure) ctx.cookies.secure = true;
  }

  // The sealed cookies' attributes after their expiry, as the `cookies` library spells them.
  const sealedAttributes = `; samesite=lax${options.secure ? '; secure' : ''}; httponly`;

  /**
   * A sealed cookie's Set-Cookie line, written as the `cookies` library writes it (same text, same
   * replacement of an earlier line for the name) without it: its per-set option copy, Cookie
   * object and value check cost about 1 KiB a step, for values that are base64url by
   * construction (sealing.ts) and names that are ours.
   */
  function setSealed(ctx: Context, name: string, value: string, expiresAt: number): void {
    const line = `${name}=${value}; path=/; expires=${new Date(expiresAt).toUTCString()}${sealedAttributes}`;
    const existing = ctx.res.getHeader('Set-Cookie');
    const lines = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
    const owned = `${name}=`;
    for (let i = lines.length - 1; i >= 0; i--) if (lines[i]?.startsWith(owned)) lines.splice(i, 1);
    lines.push(line);
    ctx.res.setHeader('Set-Cookie', lines);
  }

  function writeSealed(ctx: Context, name: string, flow: FlowState | null): void {
    if (flow === null) setSealed(ctx, name, '', 0);
    else setSealed(ctx, name, options.sealer.seal(flow), flow.expiresAt);
  }

  return {
    readFlow: (ctx) => options.sealer.open(ctx.cookies.get(names.flow)),
    writeFlow: (ctx, flow) => writeSealed(ctx, names.flow, flow),
    readPendingLink: (ctx) => options.sealer.open(ctx.cookies.get(names.pending)),
    writePendingLink: (ctx, link) => writeSealed(ctx, names.pending, link),
    read(ctx, name) {
      return ctx.cookies.get(names[name]) || undefined;
    },
    write(ctx, name, value, maxAgeMs) {
      allowSecure(ctx);
      ctx.cookies.set(names[name], value, { ...base, maxAge: maxAgeMs });
    },
  };
}
