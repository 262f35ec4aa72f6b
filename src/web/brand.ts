/**
 * The brand's colour as CSS custom properties, served as /assets/brand.css. The CSP forbids inline
 * style, so configuration reaches the pages through this generated stylesheet rather than a
 * <style> tag. Whatever colour is configured, the shade we serve is nudged darker (light scheme)
 * or lighter (dark scheme) until it has WCAG 2.2 AA contrast (4.5:1) with the page and card
 * backgrounds, and button text takes whichever of white or near-black reads best on it: a pale
 * brand colour must not make the one button on the page unreadable.
 */
import type { Middleware } from 'koa';
import { ASSETS_PREFIX } from './assets.js';

/** The stylesheet's address: under the assets' prefix, so the assets' layer (app.ts) lets it through. */
const BRAND_STYLESHEET = `${ASSETS_PREFIX}brand.css`;

type Rgb = readonly [number, number, number];

/** Backgrounds in public/app.css that brand-coloured text and links sit on. */
export const LIGHT_BACKGROUNDS: readonly string[] = ['#ffffff', '#f3f4f6'];
export const DARK_BACKGROUNDS: readonly string[] = ['#1e293b', '#0f172a'];
const LIGHT_TEXT = '#ffffff';
const DARK_TEXT = '#0f172a';
const AA_TEXT = 4.5;

function parse(hex: string): Rgb {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

function format(rgb: Rgb): string {
  return `#${rgb.map((channel) => Math.round(channel).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG 2.2 relative luminance. */
function luminance(hex: string): number {
  const [r, g, b] = parse(hex).map((channel) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

function mix(hex: string, toward: Rgb, amount: number): string {
  const rgb = parse(hex);
  return format(rgb.map((channel, i) => channel + ((toward[i] as number) - channel) * amount) as unknown as Rgb);
}

/** The colour moved toward black or white in small steps until it reads on every background. */
function readableOn(hex: string, backgrounds: readonly string[], toward: Rgb): string {
  for (let step = 0; step <= 20; step++) {
    const candidate = mix(hex, toward, step / 20);
    if (backgrounds.every((background) => contrastRatio(candidate, background) >= AA_TEXT)) return candidate;
  }
  return format(toward);
}

function textOn(background: string): string {
  return contrastRatio(LIGHT_TEXT, background) >= contrastRatio(DARK_TEXT, background) ? LIGHT_TEXT : DARK_TEXT;
}

export interface BrandColours {
  readonly light: { readonly brand: string; readonly onBrand: string };
  readonly dark: { readonly brand: string; readonly onBrand: string };
}

export function brandColours(primaryColor: string): BrandColours {
  const light = readableOn(primaryColor, LIGHT_BACKGROUNDS, [0, 0, 0]);
  const dark = readableOn(primaryColor, DARK_BACKGROUNDS, [255, 255, 255]);
  return { light: { brand: light, onBrand: textOn(light) }, dark: { brand: dark, onBrand: textOn(dark) } };
}

export function brandStylesheet(primaryColor: string): string {
  const { light, dark } = brandColours(primaryColor);
  return [
    '/* Generated from BRAND_PRIMARY_COLOR, adjusted for contrast. */',
    `:root { --brand: ${light.brand}; --on-brand: ${light.onBrand}; }`,
    `@media (prefers-color-scheme: dark) { :root { --brand: ${dark.brand}; --on-brand: ${dark.onBrand}; } }`,
    '',
  ].join('\n');
}

export function serveBrandStylesheet(primaryColor: string): Middleware {
  const body = brandStylesheet(primaryColor);
  return (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.path !== BRAND_STYLESHEET) return next();
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = body;
  };
}
