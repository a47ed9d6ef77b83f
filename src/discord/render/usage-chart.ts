import { AttachmentBuilder } from 'discord.js';
import { renderUsageChart, type ChartSeries } from '../../charts/usage-chart.js';
import { bucketSpend, total } from '../../charts/usage-buckets.js';
import { translatorFor, type Translator } from '../../i18n/index.js';
import type { SpendTimeline } from '../../quota/quota-standing.js';

/** The chart's file name, as the issue names it. */
export const CHART_FILENAME = 'usage.png';
/** Members shown by name on the admins' chart; the rest are summed as "everyone else". */
const TOP_MEMBERS = 5;

/** Whose use the chart shows: the whole server stacked by its top members, or one member within the server. */
export type ChartView = { kind: 'guild'; names: ReadonlyMap<string, string> } | { kind: 'member'; userId: string };

function bucketLabel(t: Translator, unit: 'hour' | 'day', start: number): string {
  const d = new Date(start);
  return unit === 'hour'
    ? t('chart.hour', { hour: String(d.getUTCHours()).padStart(2, '0') })
    : t('chart.day', { month: d.getUTCMonth() + 1, day: d.getUTCDate() });
}

/** The members with the most credits in the period, most first (ties by id, for a stable chart). */
export function topMembers(timeline: SpendTimeline, n = TOP_MEMBERS): string[] {
  const totals = new Map<string, number>();
  for (const s of timeline.spend) totals.set(s.userId, (totals.get(s.userId) ?? 0) + s.credits);
  return [...totals.entries()]
    .filter(([, credits]) => credits > 0)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .slice(0, n)
    .map(([id]) => id);
}

/**
 * `usage.png` of the current period in the reader's language: credits per hour (daily budgets) or
 * per day, stacked by the top members (admins) or as "you" and "the rest of the server"
 * (members), with the running total and the budget line.
 */
export function usageChartAttachment(timeline: SpendTimeline, view: ChartView, locale: string): AttachmentBuilder {
  const t = translatorFor(locale);
  const buckets = bucketSpend(timeline.period, timeline.start, timeline.end, timeline.now, timeline.spend);
  const zeros = () => buckets.starts.map(() => 0);
  const sum = (ids: Iterable<string>) => {
    const out = zeros();
    for (const id of ids) buckets.byUser.get(id)?.forEach((v, i) => (out[i] = (out[i] ?? 0) + v));
    return out;
  };
  const everyone = [...buckets.byUser.keys()];
  let series: ChartSeries[];
  if (view.kind === 'guild') {
    const top = topMembers(timeline);
    const rest = sum(everyone.filter((id) => !top.includes(id)));
    series = top.map((id) => ({ label: view.names.get(id) ?? `…${id.slice(-4)}`, values: buckets.byUser.get(id) ?? zeros() }));
    if (total(rest) > 0) series.push({ label: t('chart.others'), values: rest });
  } else {
    series = [
      { label: t('chart.you'), values: buckets.byUser.get(view.userId) ?? zeros() },
      { label: t('chart.rest_of_server'), values: sum(everyone.filter((id) => id !== view.userId)) },
    ];
  }
  const when = t(`quota.this.${timeline.period}`);
  const png = renderUsageChart({
    title: view.kind === 'guild' ? t('chart.title_guild', { when }) : t('chart.title_member', { when }),
    buckets: buckets.starts.map((start) => bucketLabel(t, buckets.unit, start)),
    series,
    limit: timeline.limit > 0 ? timeline.limit : null,
    limitLabel: t('chart.limit', { limit: timeline.limit }),
    cumulativeLabel: t('chart.cumulative'),
    lastBucket: buckets.nowIndex,
    yAxisLabel: t('chart.credits'),
  });
  return new AttachmentBuilder(png, { name: CHART_FILENAME });
}
