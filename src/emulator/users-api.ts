/**
 * `POST /api/v1/users/{id}/lifecycle/reset_password` (Users API), the admin call that hands out a
 * recovery token: with `sendEmail=false` it answers `{resetPasswordUrl}` and sends nothing, so an
 * app can email the link itself; the token then starts an IDX recovery through `recovery_token`
 * at interact (idx contract §3.3: "this returns a URL with a recovery token"). With `sendEmail`
 * true (Okta's default) it sends the Forgot Password email as the Classic recovery does.
 *
 * `GET /api/v1/users/{id}` (the id or the login) answers the user object, as the service's IDX
 * service delivery reads it for the address, first name, locale and time zone of its email.
 */
import Router from '@koa/router';
import { OktaApiError } from './errors.js';
import type { FlowDeps } from './flow-deps.js';
import { isTrustedCaller } from './routes.js';

export function usersRouter(deps: FlowDeps, apiToken: string | undefined): Router {
  const router = new Router({ prefix: '/api/v1/users' });
  router.get('/:id', (ctx) => {
    if (!isTrustedCaller(ctx, apiToken)) throw new OktaApiError('E0000011');
    const id = ctx.params['id'] ?? '';
    const user = deps.store.userById(id) ?? deps.store.findUser(id);
    if (!user) throw new OktaApiError('E0000007', [], `${id} (User)`);
    const { login, email, firstName, lastName, locale, timeZone } = user;
    ctx.body = { id: user.id, status: user.status, profile: { login, email, firstName, lastName, locale, timeZone } };
  });
  router.post('/:id/lifecycle/reset_password', async (ctx) => {
    // An admin API: no token is refused like a wrong one (401 E0000011).
    if (!isTrustedCaller(ctx, apiToken)) throw new OktaApiError('E0000011');
    const id = ctx.params['id'] ?? '';
    // The Users API takes the id or the login in the path.
    const user = deps.store.userById(id) ?? deps.store.findUser(id);
    if (!user) throw new OktaApiError('E0000007', [], `${id} (User)`);
    if (user.status === 'SUSPENDED' || user.status === 'DEPROVISIONED') throw new OktaApiError('E0000034');
    const record = deps.store.issueRecoveryToken(user, 'PASSWORD');
    const origin = `${ctx.protocol}://${ctx.host}`;
    if (ctx.query['sendEmail'] === 'false') {
      ctx.body = { summary: 'Reset password without sending email', resetPasswordUrl: `${origin}/signin/reset-password/${record.token}` };
      return;
    }
    await deps.mailer.send('ForgotPassword', user, origin, record);
    ctx.body = {};
  });
  return router;
}
