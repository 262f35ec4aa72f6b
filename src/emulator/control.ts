/**
 * `/__emulator/` control endpoints: the handle over HTTP, for people testing another app against a
 * standalone emulator (see README.md). Not Okta's API: not rate limited, not recorded.
 */
import Router from '@koa/router';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { readJsonObject } from './body.js';
import type { EmulatorHandle } from './handle.js';
import { settingsPatchSchema } from './idx/index.js';
import { parseRequest } from './schemas.js';

const faultsSchema = z.object({
  rateLimitSeconds: z.number().nonnegative().optional(),
  outage: z.boolean().optional(),
  latencyMs: z.number().nonnegative().optional(),
  clear: z.boolean().optional(),
});
const advanceSchema = z.object({ ms: z.number().nonnegative() });
const tokenSchema = z.object({
  login: z.string().min(1),
  recoveryType: z.enum(['PASSWORD', 'UNLOCK']).optional(),
  relayState: z.string().optional(),
});

/** A clock the control endpoint can move: ManualClock and OffsetClock both qualify. */
type MovableClock = Clock & { advance(ms: number): void };
const isMovable = (clock: Clock): clock is MovableClock =>
  typeof (clock as Partial<MovableClock>).advance === 'function';

export function controlRouter(handle: EmulatorHandle): Router {
  const router = new Router({ prefix: '/__emulator' });

  router.get('/outbox', (ctx) => {
    ctx.body = handle.outbox;
  });
  router.get('/requests', (ctx) => {
    ctx.body = handle.requests;
  });
  router.delete('/records', (ctx) => {
    handle.clearRecords();
    ctx.status = 204;
  });
  router.get('/users/:login', (ctx) => {
    const user = handle.getUser(ctx.params['login'] ?? '');
    ctx.status = user ? 200 : 404;
    ctx.body = user ?? { error: 'no such user' };
  });
  router.get('/sms/:login', (ctx) => {
    ctx.body = { passCode: handle.lastSmsPasscode(ctx.params['login'] ?? '') ?? null };
  });
  router.post('/recovery-tokens', async (ctx) => {
    const req = parseRequest(tokenSchema, await readJsonObject(ctx.req));
    if (!handle.getUser(req.login)) {
      ctx.status = 404;
      ctx.body = { error: 'no such user' };
      return;
    }
    ctx.body = { recoveryToken: handle.issueRecoveryToken(req.login, req.recoveryType, req.relayState) };
  });
  router.post('/clock/advance', async (ctx) => {
    const { ms } = parseRequest(advanceSchema, await readJsonObject(ctx.req));
    if (!isMovable(handle.clock)) {
      ctx.status = 409;
      ctx.body = { error: 'this emulator runs on a clock that cannot be moved' };
      return;
    }
    handle.clock.advance(ms);
    ctx.body = { now: new Date(handle.clock.now()).toISOString() };
  });
  router.post('/faults', async (ctx) => {
    const req = parseRequest(faultsSchema, await readJsonObject(ctx.req));
    if (req.clear) handle.clearFaults();
    if (req.rateLimitSeconds !== undefined) handle.forceRateLimit(req.rateLimitSeconds);
    if (req.outage !== undefined) handle.forceOutage(req.outage);
    if (req.latencyMs !== undefined) handle.setLatency(req.latencyMs);
    ctx.status = 204;
  });
  router.get('/idx/settings', (ctx) => {
    ctx.body = handle.idx.settings();
  });
  router.post('/idx/settings', async (ctx) => {
    ctx.body = handle.idx.configure(parseRequest(settingsPatchSchema, await readJsonObject(ctx.req)));
  });
  router.get('/idx/otp/:login', (ctx) => {
    ctx.body = { otp: handle.idx.lastOtp(ctx.params['login'] ?? '') ?? null };
  });
  return router;
}
