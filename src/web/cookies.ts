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
  writeFlow(ctx: Context, flow: FlowState | null): Promise<void>;
  /** A link opened while another flow was past its link, kept (sealed) until the user chooses. */
  readPendingLink(ctx: Context): Promise<FlowState | null>;
  writePendingLink(ctx: Context, link: FlowState | null): Promise<void>;
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

  async function writeSealed(ctx: Context, name: string, flow: FlowState | null): Promise<void> {
    allowSecure(ctx);
    if (flow === null) {
      ctx.cookies.set(name, '', { ...base, expires: new Date(0) });
      return;
    }
    ctx.cookies.set(name, await options.sealer.seal(flow), { ...base, expires: new Date(flow.expiresAt) });
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
