/**
 * The cookies this service sets, in one place: the sealed flow, the CSRF secret, the language.
 * With an https PUBLIC_URL they carry the `__Host-` prefix (Secure, Path=/, no Domain), so a
 * sibling subdomain cannot plant or overwrite them.
 */
import type { Context } from 'koa';
import type { FlowSealer } from '../recovery/flow-cookie.js';
import type { FlowState } from '../recovery/states.js';

export interface CookieJar {
  readFlow(ctx: Context): Promise<FlowState | null>;
  writeFlow(ctx: Context, flow: FlowState | null): Promise<void>;
  read(ctx: Context, name: 'csrf' | 'lang'): string | undefined;
  write(ctx: Context, name: 'csrf' | 'lang', value: string, maxAgeMs: number): void;
}

export function createCookieJar(options: { secure: boolean; sealer: FlowSealer }): CookieJar {
  const prefix = options.secure ? '__Host-' : '';
  const names = { flow: `${prefix}recovery-flow`, csrf: `${prefix}recovery-csrf`, lang: `${prefix}lang` } as const;
  const base = { httpOnly: true, sameSite: 'lax', secure: options.secure, path: '/', overwrite: true } as const;

  function allowSecure(ctx: Context): void {
    // TLS usually ends at the load balancer, so ctx.secure is false even though users see https;
    // the `cookies` library refuses Secure cookies then unless told the channel is secure.
    if (options.secure) ctx.cookies.secure = true;
  }

  return {
    async readFlow(ctx) {
      return options.sealer.open(ctx.cookies.get(names.flow));
    },
    async writeFlow(ctx, flow) {
      allowSecure(ctx);
      if (flow === null) {
        ctx.cookies.set(names.flow, '', { ...base, expires: new Date(0) });
        return;
      }
      ctx.cookies.set(names.flow, await options.sealer.seal(flow), { ...base, expires: new Date(flow.expiresAt) });
    },
    read(ctx, name) {
      return ctx.cookies.get(names[name]) || undefined;
    },
    write(ctx, name, value, maxAgeMs) {
      allowSecure(ctx);
      ctx.cookies.set(names[name], value, { ...base, maxAge: maxAgeMs });
    },
  };
}
