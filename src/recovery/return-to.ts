/**
 * Where "done" may send the user. A relayState is only honoured when it resolves to an allowed
 * origin; we always emit the URL as the WHATWG parser resolved it, never the raw input, so tricks
 * such as `//evil.example`, `/\evil.example` or `https:evil.example` end up either rejected or
 * pointing at PUBLIC_URL itself (OWASP Unvalidated Redirects cheat sheet).
 */
export function safeRedirectTarget(
  candidate: string | undefined | null,
  options: { publicUrl: string; allowedOrigins: readonly string[]; fallback: string },
): string {
  if (!candidate) return options.fallback;
  let resolved: URL;
  try {
    resolved = new URL(candidate, `${options.publicUrl}/`);
  } catch {
    return options.fallback;
  }
  if (resolved.protocol !== 'https:' && resolved.protocol !== 'http:') return options.fallback;
  if (resolved.username || resolved.password) return options.fallback;
  if (!options.allowedOrigins.includes(resolved.origin)) return options.fallback;
  return resolved.href;
}
