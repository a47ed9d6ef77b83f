import type { Translator } from '../../i18n/index.js';
import type { QuotaPolicy } from '../../quota/policy.js';
import type { QuotaPeriod } from '../../quota/types.js';
import { counted, quoteUserText } from './format.js';

/** Embed colours: green for a saved change, blurple for information, yellow for a refusal. */
export const QUOTA_COLORS = Object.freeze({ saved: 0x57f287, info: 0x5865f2, refused: 0xfee75c });

/** Discord's limit on an embed field value. */
export const FIELD_MAX = 1024;

/** `today`, `this week`, `this month`. */
export function thisPeriod(t: Translator, period: QuotaPeriod): string {
  return t(`quota.this.${period}`);
}

/** `20 credits per day`; `off` when the limit is 0. */
export function budget(t: Translator, limit: number, period: QuotaPeriod): string {
  return t('quota.budget', { credits: counted(t, 'credits', limit), per: t(`quota.per.${period}`) });
}

/**
 * Joins lines up to `max` characters, ending with `… and N more` when they do not all fit, so a
 * long list (100 channels, 50 words) never breaks Discord's embed limits.
 */
export function fitLines(t: Translator, lines: readonly string[], separator: string, max = FIELD_MAX): string {
  const tail = (count: number) => t('quota.and_more', { count });
  let out = '';
  for (const [index, line] of lines.entries()) {
    const candidate = out === '' ? line : `${out}${separator}${line}`;
    const rest = lines.length - index - 1;
    // Keep room for the tail naming what is left, so the cut-off list still fits.
    const reserve = rest > 0 ? separator.length + tail(rest).length : 0;
    if (candidate.length + reserve > max) return out === '' ? tail(lines.length) : `${out}${separator}${tail(lines.length - index)}`;
    out = candidate;
  }
  return out;
}

/**
 * Banned words as admins typed them, each hidden in a spoiler (so a glance at /quota show does not
 * put offensive words on screen) with markdown escaped so a word cannot break out of it.
 */
export function spoilerWords(t: Translator, words: readonly string[], max = FIELD_MAX): string {
  return fitLines(
    t,
    words.map((w) => `||${quoteUserText(w, 60)}||`),
    ', ',
    max,
  );
}

/** The allowed channels as mentions, or "every channel". */
export function channelList(t: Translator, policy: QuotaPolicy, max = FIELD_MAX): string {
  if (policy.allowedChannelIds.length === 0) return t('quota.all_channels');
  return fitLines(
    t,
    policy.allowedChannelIds.map((id) => `<#${id}>`),
    ', ',
    max,
  );
}

/** Role overrides as `@role: 5 credits` lines, most generous first. */
export function roleOverrideList(t: Translator, policy: QuotaPolicy, max = FIELD_MAX): string {
  const entries = Object.entries(policy.roleOverrides).sort(([, a], [, b]) => b - a);
  if (entries.length === 0) return t('quota.none');
  return fitLines(
    t,
    entries.map(([roleId, limit]) => t('quota.role_line', { role: `<@&${roleId}>`, credits: counted(t, 'credits', limit) })),
    '\n',
    max,
  );
}

/** The per-member limit, or a note that members share the server's budget. */
export function perMember(t: Translator, policy: QuotaPolicy): string {
  return policy.perUser === null ? t('quota.no_member_limit') : budget(t, policy.perUser, policy.period);
}

/** The server's budget line, or "off" for a limit of 0. */
export function guildBudget(t: Translator, policy: QuotaPolicy): string {
  return policy.limit === 0 ? t('quota.off') : budget(t, policy.limit, policy.period);
}
