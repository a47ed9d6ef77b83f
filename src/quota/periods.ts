import type { QuotaPeriod } from './types.js';
import { DAY_MS } from '../time.js';

/** 00:00 UTC of the day holding `now`. */
function dayStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/**
 * When the period holding `now` began (ms epoch). Every period starts at 00:00 UTC; weeks start
 * on Monday (ISO), months on the 1st.
 */
export function periodStart(period: QuotaPeriod, now: number): number {
  const start = dayStart(now);
  if (period === 'day') return start;
  if (period === 'week') {
    // getUTCDay() counts from Sunday = 0; shift so Monday = 0.
    const sinceMonday = (new Date(start).getUTCDay() + 6) % 7;
    return start - sinceMonday * DAY_MS;
  }
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** When the period holding `now` ends, i.e. when the next one starts and budgets reset (ms epoch). */
export function periodEnd(period: QuotaPeriod, now: number): number {
  const start = periodStart(period, now);
  if (period === 'day') return start + DAY_MS;
  if (period === 'week') return start + 7 * DAY_MS;
  const d = new Date(start);
  // Date.UTC rolls month 12 over into January of the next year.
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/**
 * A stable name for the period holding `now`, used in store keys: `day:2026-11-25`,
 * `week:2026-11-23` (its Monday), `month:2026-11`.
 */
export function periodKey(period: QuotaPeriod, now: number): string {
  const iso = new Date(periodStart(period, now)).toISOString();
  return period === 'month' ? `month:${iso.slice(0, 7)}` : `${period}:${iso.slice(0, 10)}`;
}
