import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter, sleep } from '../../src/http/retry.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it.each([
    ['1', 1000],
    ['0', 0],
    ['2.5', 2500],
    [' 30 ', 30_000],
    ['-5', 0],
    [['3', '9'], 3000],
    ['Wed, 01 Jan 2025 00:00:10 GMT', 10_000],
    ['Tue, 31 Dec 2024 23:59:00 GMT', 0],
  ] as const)('%j → %d ms', (header, expected) => {
    expect(parseRetryAfter(header as string | string[], now)).toBe(expected);
  });

  it.each([[undefined], [''], ['soon'], ['1e3'], [[]]])('%j → undefined', (header) => {
    expect(parseRetryAfter(header as string | string[] | undefined, now)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  const options = { baseMs: 500, maxMs: 8000 };

  it('doubles the ceiling per attempt (full jitter scales it)', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, { ...options, random: () => 0.999 }));
    expect(delays).toEqual([500, 999, 1998, 3996, 7992, 7992]);
  });

  it('never exceeds maxMs nor goes below 0, whatever random returns', () => {
    for (const r of [0, 0.5, 1, 2, -1, Number.NaN]) {
      const delay = backoffDelay(50, { ...options, random: () => r });
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(8000);
    }
  });

  it('decorrelated jitter stays between base and 3× the previous delay, capped', () => {
    expect(backoffDelay(2, { ...options, jitter: 'decorrelated', previousMs: 1000, random: () => 0 })).toBe(500);
    expect(backoffDelay(2, { ...options, jitter: 'decorrelated', previousMs: 1000, random: () => 1 })).toBe(3000);
    expect(backoffDelay(9, { ...options, jitter: 'decorrelated', previousMs: 7000, random: () => 1 })).toBe(8000);
  });
});

describe('sleep', () => {
  it('waits about the given time', async () => {
    const started = Date.now();
    await sleep(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('rejects with the abort reason right away', async () => {
    const reason = new Error('stop');
    const controller = new AbortController();
    const pending = sleep(10_000, controller.signal);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(sleep(10, AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});
