import type { QuotaPeriod } from './types.js';
import { DAY_MS } from '../time.js';

/** 00:00 UTC of the day holding `now`. */
function dayStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/** One period: when it began and ends (ms epoch) and its key (made when first asked for). */
interface Span {
  start: number;
  end: number;
  key?: string;
}

// The last span worked out for each kind of period. Every /video asks for its period's key and
// end (the reservation, its refusal's reset time): Date arithmetic and an ISO string each time
// were a measurable part of a burst's CPU (issue 15), and the answer changes once a day at most.
const lastSpans: Partial<Record<QuotaPeriod, Span>> = {};

/** The period of kind `period` holding `now`. */
function spanOf(period: QuotaPeriod, now: number): Span {
  const last = lastSpans[period];
  if (last !== undefined && now >= last.start && now < last.end) return last;
  const start = startOf(period, now);
  const span: Span = { start, end: endOf(period, start) };
  // A time that is not one (NaN) gives NaN bounds, as before; only real spans are remembered.
  if (Number.isFinite(start)) lastSpans[period] = span;
  return span;
}

function startOf(period: QuotaPeriod, now: number): number {
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

function endOf(period: QuotaPeriod, start: number): number {
  if (period === 'day') return start + DAY_MS;
  if (period === 'week') return start + 7 * DAY_MS;
  const d = new Date(start);
  // Date.UTC rolls month 12 over into January of the next year.
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/**
 * When the period holding `now` began (ms epoch). Every period starts at 00:00 UTC; weeks start
 * on Monday (ISO), months on the 1st.
 */
export function periodStart(period: QuotaPeriod, now: number): number {
  return spanOf(period, now).start;
}

/** When the period holding `now` ends, i.e. when the next one starts and budgets reset (ms epoch). */
export function periodEnd(period: QuotaPeriod, now: number): number {
  return spanOf(period, now).end;
}

/**
 * A stable name for the period holding `now`, used in store keys: `day:2026-11-25`,
 * `week:2026-11-23` (its Monday), `month:2026-11`.
 */
export function periodKey(period: QuotaPeriod, now: number): string {
  const span = spanOf(period, now);
  if (span.key === undefined) {
    // toISOString throws a RangeError for a time that is not one, as it always did here.
    const iso = new Date(span.start).toISOString();
    span.key = period === 'month' ? `month:${iso.slice(0, 7)}` : `${period}:${iso.slice(0, 10)}`;
  }
  return span.key;
}
