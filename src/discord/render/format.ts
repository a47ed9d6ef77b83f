import { escapeMarkdown } from 'discord.js';

/** `1m 05s`, `42s`, `1h 02m`: elapsed time as a member reads it. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** A ten-cell bar: `▰▰▰▱▱▱▱▱▱▱ 30%`. */
export function progressBar(percent: number): string {
  const clamped = Math.max(0, Math.min(100, Math.round(percent)));
  const filled = Math.round(clamped / 10);
  return `${'▰'.repeat(filled)}${'▱'.repeat(10 - filled)} ${clamped}%`;
}

/** Discord's relative timestamp (`in 2 minutes`), drawn by each member's client in their language. */
export const relativeTime = (ms: number): string => `<t:${Math.floor(ms / 1000)}:R>`;

/**
 * A member's text made safe to echo in an embed: markdown shown literally and cut to `max`
 * characters without splitting a surrogate pair. Pings are prevented by allowed_mentions, not here.
 */
export function quoteUserText(text: string, max: number): string {
  const escaped = escapeMarkdown(text);
  if (escaped.length <= max) return escaped;
  const chars = [...escaped];
  let out = '';
  for (const char of chars) {
    if (out.length + char.length > max - 1) break;
    out += char;
  }
  return `${out}…`;
}
