/**
 * The few static files the pages use (CSS, the enhancement script), read once at start-up and
 * served from memory under /assets/. Everything is ours: no third-party origin in the CSP.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Middleware } from 'koa';

const TYPES: Readonly<Record<string, string>> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Where every static file is served, the brand stylesheet (brand.ts) too: nothing else lives under it. */
export const ASSETS_PREFIX = '/assets/';

export function serveAssets(publicDir: string, files: readonly string[]): Middleware {
  const assets = new Map(
    files.map((file) => [`${ASSETS_PREFIX}${file}`, { body: readFileSync(path.join(publicDir, file)), type: TYPES[path.extname(file)] ?? 'application/octet-stream' }]),
  );
  return (ctx, next) => {
    const asset = (ctx.method === 'GET' || ctx.method === 'HEAD') && assets.get(ctx.path);
    if (!asset) return next();
    ctx.type = asset.type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = asset.body;
  };
}
