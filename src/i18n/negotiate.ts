/**
 * Which language a request gets: `?lang=`, then the `lang` cookie, then Accept-Language, then
 * English. Matching is case-insensitive and falls back from a region to its language
 * ("pt" → "pt-BR", "nl" → "nl-NL", "zh-Hant" → "zh-TW").
 */
const SCRIPT_ALIASES: Readonly<Record<string, string>> = { 'zh-hant': 'zh-TW', 'zh-hans': 'zh-CN', 'zh-hk': 'zh-TW', 'zh-sg': 'zh-CN', no: 'nb', nn: 'nb' };

export function matchLocale(candidate: string | undefined, supported: readonly string[]): string | undefined {
  if (!candidate) return undefined;
  const wanted = candidate.trim().toLowerCase().replace(/_/g, '-');
  if (!/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/.test(wanted)) return undefined;
  const exact = supported.find((locale) => locale.toLowerCase() === wanted);
  if (exact) return exact;
  const alias = SCRIPT_ALIASES[wanted] ?? SCRIPT_ALIASES[wanted.split('-').slice(0, 2).join('-')];
  if (alias && supported.includes(alias)) return alias;
  const language = wanted.split('-')[0];
  return (
    supported.find((locale) => locale.toLowerCase() === language) ??
    supported.find((locale) => locale.toLowerCase().split('-')[0] === language)
  );
}

/** Accept-Language entries ordered by q, best first (RFC 9110 §12.5.4). */
export function parseAcceptLanguage(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .slice(0, 1024)
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q ? Number(q.slice(2)) : 1;
      return { tag: tag.trim(), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((entry) => entry.tag && entry.tag !== '*' && entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index)
    .map((entry) => entry.tag);
}

export function negotiateLocale(
  sources: { query?: string | undefined; cookie?: string | undefined; acceptLanguage?: string | undefined },
  supported: readonly string[],
  fallback = 'en',
): string {
  return (
    matchLocale(sources.query, supported) ??
    matchLocale(sources.cookie, supported) ??
    parseAcceptLanguage(sources.acceptLanguage)
      .map((tag) => matchLocale(tag, supported))
      .find(Boolean) ??
    fallback
  );
}
