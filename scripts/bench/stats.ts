import { setTimeout as sleep } from 'node:timers/promises';
/** Nearest-rank percentile (p in 0..100) of a list of numbers; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export const sum = (values: readonly number[]): number => values.reduce((total, v) => total + v, 0);

export const median = (values: readonly number[]): number => percentile(values, 50);

/** Polls `probe` every 10 ms until it is true; throws with `what` after `timeoutMs`. */
export async function waitUntil(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

export const ms = (value: number): string => (Number.isFinite(value) ? `${Math.round(value)} ms` : Number.isNaN(value) ? 'n/a' : 'never');
export const seconds = (valueMs: number): string => (Number.isFinite(valueMs) ? `${(valueMs / 1000).toFixed(2)} s` : 'n/a');
export const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
export const kilobytes = (bytes: number): string => `${(bytes / 1e3).toFixed(1)} kB`;
export const mebibytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export { sleep };
