import { escapeMarkdown } from 'discord.js';
import { languageOf, type Translator } from '../../i18n/index.js';
import { codePointLength, cutCodePoints } from '../../text/code-points.js';

const UNITS = { en: ['h ', 'm ', 'm', 's'], 'zh-CN': ['小时', '分', '分', '秒'] } as const;

/** `1m 05s`, `42s`, `1h 02m` (or `1分05秒`): elapsed time as a member reads it. */
export function formatDuration(ms: number, locale?: string): string {
  const [hours, minutesBeforeSeconds, minutes, seconds] = UNITS[languageOf(locale)];
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}${hours}${String(m).padStart(2, '0')}${minutes}`;
  if (m > 0) return `${m}${minutesBeforeSeconds}${String(s).padStart(2, '0')}${seconds}`;
  return `${s}${seconds}`;
}

/** A ten-cell bar: `▰▰▰▱▱▱▱▱▱▱ 30%`. */
export function progressBar(percent: number): string {
  const clamped = Math.max(0, Math.min(100, Math.round(percent)));
  const filled = Math.round(clamped / 10);
  return `${'▰'.repeat(filled)}${'▱'.repeat(10 - filled)} ${clamped}%`;
}

/**
 * A place in line as the member's language says it: `1st`, `2nd`, `3rd`, `4th`, `11th`, `12th`,
 * `13th`, `21st`, `111th` in English; the bare number in Chinese (the sentence says 第 … 位).
 */
export function placeInLine(position: number, locale?: string): string {
  if (languageOf(locale) === 'zh-CN') return String(position);
  const lastTwo = position % 100;
  if (lastTwo >= 11 && lastTwo <= 13) return `${position}th`;
  const suffix = ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[position % 10] ?? 'th';
  return `${position}${suffix}`;
}

/** `1 credit`, `3 credits` (videos, days, rows and characters likewise; Chinese has one form). */
export function counted(t: Translator, noun: 'credits' | 'videos' | 'days' | 'rows' | 'characters', count: number): string {
  return t(count === 1 ? `count.${noun}.one` : `count.${noun}.other`, { count });
}

/** Discord's relative timestamp (`in 2 minutes`), drawn by each member's client in their language. */
export const relativeTime = (ms: number): string => `<t:${Math.floor(ms / 1000)}:R>`;

/**
 * A member's text made safe to echo in an embed: markdown shown literally and cut to `max` code
 * points (as Discord counts) without splitting a surrogate pair. Pings are prevented by
 * allowed_mentions, not here.
 */
export function quoteUserText(text: string, max: number): string {
  const escaped = escapeMarkdown(text);
  if (codePointLength(escaped) <= max) return escaped;
  // A cut just after an escaping backslash would escape the ellipsis instead: drop the backslashes.
  return cutCodePoints(escaped, max).replace(/\\+\u2026$/u, '…'); // the regex is escaped: see scripts/bundle.ts
}
