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
import type { Layer, default as Router } from '@koa/router';
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

/** What a router's routes() leaves on the context for a path it matches (RouterContext's fields). */
interface RoutedContext {
  router?: Router;
  routeMatched?: boolean;
  matched?: Layer[];
  captures?: string[];
  params?: Record<string, string>;
  routerPath?: string | RegExp;
  routerName?: string | undefined;
  _matchedRoute?: string | RegExp;
  _matchedRouteName?: string;
  newRouterPath?: string;
  request: { params?: Record<string, string> };
}

/**
 * A route of ours asked for by its exact registered path (`POST /api/recovery/start`, the spelling
 * every client sends): what the router would do for that path, found once at start-up instead of
 * on every request. @koa/router's routes() tests the path against each of its layers (calling
 * debug() for each, even with DEBUG unset), then builds the matched list, a closure per matched
 * layer and a composed chain for every request: ~3 KiB of a Classic API request's 65 in the
 * bench's allocation profile. The router's own match() decides here, so the routes stay the one
 * table the routers hold; any other spelling (case, trailing slash, a token in the path) takes
 * the router as before.
 */
interface ExactRoute {
  /** For each matched layer: the router's per-layer bookkeeping, then that layer's middleware; then the routers after this one on the path. */
  readonly chain: Mounted;
  readonly router: Router;
  readonly matched: readonly Layer[];
  readonly route: string | RegExp;
  readonly routeName: string | undefined;
}

/**
 * The exact route for `path` and `method` in `router`, or undefined when the path is not served
 * exactly by a route whose answer is decided by the path alone. Only a path that no layer captures
 * anything from qualifies (captures and params are then empty whatever the request), and only a
 * method the router implements other than OPTIONS: then its allowedMethods() (and those of the
 * routers before it, which never match the path) can only pass the answer through, whatever it is,
 * so skipping them changes nothing.
 */
function exactRoute(router: Router, path: string, method: string, after: Mounted): ExactRoute | undefined {
  if (method === 'OPTIONS' || !router.methods.includes(method) || router.host !== undefined || router.opts.routerPath || router.exclusive) return undefined;
  const { path: matched, pathAndMethod, route } = router.match(path, method);
  if (!route) return undefined;
  if (matched.some((layer) => Object.keys(layer.params(path, layer.captures(path), {})).length > 0)) return undefined;
  const routeLayer = [...pathAndMethod].reverse().find((layer) => layer.methods.length > 0)!;
  const chain: Middleware[] = [];
  for (const layer of pathAndMethod) {
    const routerPath = layer.path;
    const name = layer.name;
    const [first, ...rest] = layer.stack as Middleware[];
    // What the router sets before each matched layer, done on the way into the layer's first
    // middleware (one step of the chain fewer per layer). Captures and params are the same for
    // every layer of an exact path (none): serveExact makes them once per request.
    chain.push((ctx, next) => {
      const routed = ctx as unknown as RoutedContext;
      routed.routerPath = routerPath;
      routed.routerName = name || undefined;
      routed._matchedRoute = routerPath;
      if (name) routed._matchedRouteName = name;
      return first!(ctx, next);
    }, ...rest);
  }
  // Should the route pass the request on, the routers after this one on the path take it, as
  // they would have after this router's routes() and allowedMethods().
  chain.push(...after);
  return { chain, router, matched, route: routeLayer.path, routeName: routeLayer.name };
}

/** Runs an exact route as routes() would have: the context first, then the matched layers. */
function serveExact(exact: ExactRoute, ctx: ParameterizedContext, next: Next): Promise<unknown> {
  const routed = ctx as unknown as RoutedContext;
  // A copy: a router further on adds what it matches to this list.
  if (routed.matched) routed.matched.push(...exact.matched);
  else routed.matched = exact.matched.slice();
  routed.router = exact.router;
  routed.routeMatched = true;
  routed.captures = [];
  routed.params = routed.request.params = routed.params ? { ...routed.params } : {};
  routed._matchedRoute = exact.route;
  if (exact.routeName) routed._matchedRouteName = exact.routeName;
  return run(exact.chain, ctx, next);
}

export function mountRouters(routers: readonly Router[]): Middleware {
  const mounted = routers.map((router) => ({ router, heads: routeHeads(router), middleware: [router.routes(), router.allowedMethods()] as Middleware[] }));
  const chainFor = (head: string | undefined): Mounted =>
    mounted.filter(({ heads }) => heads === 'any' || (head !== undefined && heads.has(head))).flatMap(({ middleware }) => middleware);
  const byHead = new Map<string, Mounted>();
  for (const { heads } of mounted) if (heads !== 'any') for (const head of heads) byHead.set(head, chainFor(head));
  // Paths under no known head still meet the routers that may match anything.
  const elsewhere = chainFor(undefined);

  // Exact paths, by path then method, from the routes the routers hold. The first router on the
  // path's chain with any layer for the path decides, as it would have at run time; the routers
  // before it match nothing there and would only have passed the request on.
  const exact = new Map<string, Map<string, ExactRoute>>();
  for (const { router } of mounted) {
    for (const layer of router.stack) {
      if (layer.methods.length === 0 || typeof layer.path !== 'string' || exact.has(layer.path)) continue;
      const path = layer.path;
      const onPath = mounted.filter(({ heads }) => heads === 'any' || heads.has(headOf(path)));
      const first = onPath.findIndex(({ router: candidate }) => candidate.stack.some((other) => other.match(path)));
      if (first === -1) continue;
      const after = onPath.slice(first + 1).flatMap(({ middleware }) => middleware);
      const byMethod = new Map<string, ExactRoute>();
      for (const method of onPath[first]!.router.methods) {
        // The routers before the deciding one must implement the method too (else their allowedMethods would answer 501).
        if (!onPath.slice(0, first).every(({ router: before }) => before.methods.includes(method))) continue;
        const found = exactRoute(onPath[first]!.router, path, method, after);
        if (found) byMethod.set(method, found);
      }
      exact.set(path, byMethod);
    }
  }

  return (ctx, next) => {
    const found = exact.get(ctx.path)?.get(ctx.method);
    if (found && (ctx as unknown as RoutedContext).newRouterPath === undefined) return serveExact(found, ctx, next);
    const chain = byHead.get(headOf(ctx.path)) ?? elsewhere;
    return chain.length === 0 ? next() : run(chain, ctx, next);
  };
}
