/**
 * Cutting text the way Discord counts it. Discord's API measures every length limit in Unicode
 * code points (its API is Python 3: `len(str)`; discord/discord-api-docs#1315), and a string cut
 * by UTF-16 `.length` can end in half a surrogate pair, which Discord refuses. Everything the bot
 * shortens goes through here.
 */

/** Length in code points (an emoji such as 🎬 counts 1, not 2). */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/**
 * `text` cut to at most `max` code points, never inside a surrogate pair. When it had to be cut,
 * the last code point kept is `ellipsis` (default `…`, pass `''` for none), so the result still
 * fits in `max`. A lone surrogate already in `text` is replaced by U+FFFD so the result is always
 * well-formed.
 */
export function cutCodePoints(text: string, max: number, ellipsis = '…'): string {
  const clean = text.replace(/[\uD800-\uDFFF]/gu, '\uFFFD');
  const limit = Math.max(0, Math.floor(max));
  if (codePointLength(clean) <= limit) return clean;
  const tail = codePointLength(ellipsis) <= limit ? ellipsis : '';
  const keep = limit - codePointLength(tail);
  let kept = 0;
  let end = 0;
  for (const char of clean) {
    if (kept === keep) break;
    kept += 1;
    end += char.length;
  }
  return clean.slice(0, end) + tail;
}
