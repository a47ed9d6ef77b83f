import { describe, expect, it } from 'vitest';
import { periodEnd, periodKey, periodStart } from '../../src/quota/periods.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('quota periods (UTC)', () => {
  it('GIVEN a daily budget THEN it runs from 00:00 UTC to the next 00:00 UTC', () => {
    const now = at('2026-11-25T23:59:59.999Z');
    expect(iso(periodStart('day', now))).toBe('2026-11-25T00:00:00.000Z');
    expect(iso(periodEnd('day', now))).toBe('2026-11-26T00:00:00.000Z');
    expect(periodKey('day', now)).toBe('day:2026-11-25');
    expect(periodKey('day', at('2026-11-26T00:00:00.000Z'))).toBe('day:2026-11-26');
  });

  it('GIVEN a weekly budget THEN weeks start on Monday, even when asked on a Sunday night', () => {
    expect(periodKey('week', at('2026-11-25T12:00:00Z'))).toBe('week:2026-11-23');
    expect(periodKey('week', at('2026-11-23T00:00:00Z'))).toBe('week:2026-11-23');
    const sunday = at('2026-11-29T23:59:59Z');
    expect(periodKey('week', sunday)).toBe('week:2026-11-23');
    expect(iso(periodEnd('week', sunday))).toBe('2026-11-30T00:00:00.000Z');
    expect(periodKey('week', at('2026-11-30T00:00:00Z'))).toBe('week:2026-11-30');
  });

  it('GIVEN a week spanning the new year THEN it is named after its Monday in December', () => {
    expect(periodKey('week', at('2027-01-01T08:00:00Z'))).toBe('week:2026-12-28');
    expect(iso(periodEnd('week', at('2027-01-01T08:00:00Z')))).toBe('2027-01-04T00:00:00.000Z');
  });

  it('GIVEN a monthly budget THEN it resets on the 1st, including at the year end and in February', () => {
    expect(periodKey('month', at('2026-11-30T23:59:59Z'))).toBe('month:2026-11');
    expect(iso(periodEnd('month', at('2026-11-30T23:59:59Z')))).toBe('2026-12-01T00:00:00.000Z');
    expect(iso(periodEnd('month', at('2026-12-31T23:00:00Z')))).toBe('2027-01-01T00:00:00.000Z');
    expect(iso(periodEnd('month', at('2028-02-29T12:00:00Z')))).toBe('2028-03-01T00:00:00.000Z');
    expect(iso(periodStart('month', at('2028-02-29T12:00:00Z')))).toBe('2028-02-01T00:00:00.000Z');
  });

  it('GIVEN times asked in any order across period boundaries (a clock stepped back, tests, admins reading history) THEN each gets its own period', () => {
    const times = [
      '2026-11-30T23:59:59.999Z',
      '2026-12-01T00:00:00.000Z',
      '2026-11-30T23:59:59.999Z',
      '2026-11-23T00:00:00.000Z',
      '2026-11-22T23:59:59.999Z',
      '2027-01-01T00:00:00.000Z',
      '2026-12-31T23:59:59.999Z',
    ].map(at);
    // Worked out afresh for each time, without any earlier answer (Date arithmetic only).
    const expected = (period: 'day' | 'week' | 'month', now: number): string => {
      const d = new Date(now);
      const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      if (period === 'day') return `day:${iso(day).slice(0, 10)}`;
      if (period === 'week') return `week:${iso(day - ((new Date(day).getUTCDay() + 6) % 7) * 86_400_000).slice(0, 10)}`;
      return `month:${iso(day).slice(0, 7)}`;
    };
    for (const period of ['day', 'week', 'month'] as const) {
      for (const now of [...times, ...times.reverse()]) {
        expect(periodKey(period, now), `${period} at ${iso(now)}`).toBe(expected(period, now));
        expect(periodStart(period, now)).toBeLessThanOrEqual(now);
        expect(periodEnd(period, now)).toBeGreaterThan(now);
      }
    }
  });

  it('GIVEN a time that is not one (NaN) THEN the bounds are NaN and the key throws, as always, and later real times are unaffected', () => {
    expect(periodStart('day', Number.NaN)).toBeNaN();
    expect(periodEnd('month', Number.NaN)).toBeNaN();
    expect(() => periodKey('week', Number.NaN)).toThrow(RangeError);
    expect(periodKey('week', at('2026-11-25T12:00:00Z'))).toBe('week:2026-11-23');
  });
});
