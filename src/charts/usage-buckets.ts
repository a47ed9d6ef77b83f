import type { QuotaPeriod } from '../quota/types.js';
import { DAY_MS, HOUR_MS } from '../time.js';

/** Spend sorted into the chart's buckets: hours of a one-day period, else days. */
export interface UsageBuckets {
  unit: 'hour' | 'day';
  /** Start of each bucket (ms epoch, UTC). */
  starts: number[];
  /** Credits per bucket, by user id. */
  byUser: Map<string, number[]>;
  /** Index of the bucket holding `now` (later buckets have not happened yet). */
  nowIndex: number;
}

/**
 * Sorts `spend` into the buckets of the period `[start, end)`: 24 hours for a daily budget, else
 * one bucket per UTC day (7 for a week, 28–31 for a month). Spend outside the period is ignored.
 */
export function bucketSpend(
  period: QuotaPeriod,
  start: number,
  end: number,
  now: number,
  spend: ReadonlyArray<{ userId: string; credits: number; at: number }>,
): UsageBuckets {
  const unit = period === 'day' ? 'hour' : 'day';
  const size = unit === 'hour' ? HOUR_MS : DAY_MS;
  const count = Math.max(1, Math.round((end - start) / size));
  const starts = Array.from({ length: count }, (_, i) => start + i * size);
  const byUser = new Map<string, number[]>();
  for (const { userId, credits, at } of spend) {
    if (at < start || at >= end) continue;
    const index = Math.min(count - 1, Math.floor((at - start) / size));
    const values = byUser.get(userId) ?? new Array<number>(count).fill(0);
    values[index] = (values[index] ?? 0) + credits;
    byUser.set(userId, values);
  }
  const nowIndex = Math.max(0, Math.min(count - 1, Math.floor((now - start) / size)));
  return { unit, starts, byUser, nowIndex };
}

/** Total credits of one user's bucket values. */
export const total = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
