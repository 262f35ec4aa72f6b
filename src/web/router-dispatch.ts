/**
 * The routers, mounted so that a request passes only the routers that have a route for its first
 * path segment (`api`, `reset-password`, `healthz`, …), not every router's routes() and
 * allowedMethods() in turn: each router tests the path against all of its layers, and each of the
 * ten layers costs every request a bound function and a promise.
 *
 * The answers stay those of the whole list. A router skipped for a path has no route there, so
 * its routes() would only have passed the request on, adding at most method-less layers
 * (router.use) to ctx.matched, which allow no method; the allowedMethods() of the routers that
 * do run read the same ctx.matched and answer 405 / 501 / OPTIONS exactly as before. A path no
 * router has a route for meets no router at all and stays a plain 404 (with every router, it
 * was a 404 too, or a 501 with an empty Allow that errors.ts turns into the same not-found).
 *
 * Heads are read from the routers' layers once, here: routes registered later are not seen
 * (ours are all registered when their router is made). A route whose first segment is not a
 * plain word (a parameter, a pattern, a RegExp) puts its router on every path.
 */
import type Router from '@koa/router';
import type { Middleware, Next, ParameterizedContext } from 'koa';

/** A first segment that a route matches literally (matched in any case, as our routers do). */
const LITERAL_HEAD = /^[A-Za-z0-9._~-]*$/;

type Mounted = readonly Middleware[];

/** The first path segment, lower-cased: `/API/recovery/start` → `api`, `/` → ``. */
function headOf(path: string): string {
  const end = path.indexOf('/', 1);
  return (end === -1 ? path.slice(1) : path.slice(1, end)).toLowerCase();
}

/** The heads a router has routes under, or 'any' when some route's head is not a literal word. */
function routeHeads(router: Router): ReadonlySet<string> | 'any' {
  const heads = new Set<string>();
  for (const layer of router.stack) {
    if (layer.methods.length === 0) continue; // router.use(): runs only beside a route of its router
    if (typeof layer.path !== 'string') return 'any';
    const head = layer.path.split('/')[1] ?? '';
    if (!LITERAL_HEAD.test(head)) return 'any';
    heads.add(head.toLowerCase());
  }
  return heads;
}

/** Runs `chain` in order, then `next`: what koa-compose does, for a list fixed at start-up. */
function run(chain: Mounted, ctx: ParameterizedContext, next: Next): Promise<unknown> {
  const step = (index: number): Promise<unknown> => {
    const middleware = chain[index];
    if (!middleware) return next();
    try {
      return Promise.resolve(middleware(ctx, () => step(index + 1)));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return step(0);
}

export function mountRouters(routers: readonly Router[]): Middleware {
  const mounted = routers.map((router) => ({ heads: routeHeads(router), middleware: [router.routes(), router.allowedMethods()] as Middleware[] }));
  const chainFor = (head: string | undefined): Mounted =>
    mounted.filter(({ heads }) => heads === 'any' || (head !== undefined && heads.has(head))).flatMap(({ middleware }) => middleware);
  const byHead = new Map<string, Mounted>();
  for (const { heads } of mounted) if (heads !== 'any') for (const head of heads) byHead.set(head, chainFor(head));
  // Paths under no known head still meet the routers that may match anything.
  const elsewhere = chainFor(undefined);

  return (ctx, next) => {
    const chain = byHead.get(headOf(ctx.path)) ?? elsewhere;
    return chain.length === 0 ? next() : run(chain, ctx, next);
  };
}
