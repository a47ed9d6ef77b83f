import { z } from 'zod';
import type { CostKey } from './types.js';

/** The table key of a request: `"<model>:<resolution>:<duration>"`, e.g. `"MiniMax-Hailuo-2.3:768p:6"`. */
export function costKeyString(key: { model: string; resolution: string; duration: number }): string {
  return `${key.model}:${key.resolution}:${key.duration}`;
}

/**
 * What each combination the provider accepts costs, in credits. 1080p is 6 s only, so
 * `1080p:10` has no entry.
 */
export const DEFAULT_COSTS: Readonly<Record<string, number>> = Object.freeze({
  'MiniMax-Hailuo-2.3:768p:6': 1,
  'MiniMax-Hailuo-2.3:768p:10': 2,
  'MiniMax-Hailuo-2.3:1080p:6': 2,
  'MiniMax-Hailuo-2.3-Fast:768p:6': 1,
  'MiniMax-Hailuo-2.3-Fast:768p:10': 1,
  'MiniMax-Hailuo-2.3-Fast:1080p:6': 1,
});

const KEY_SHAPE = /^[^:\s]+:[^:\s]+:\d+$/;
const overridesSchema = z.record(z.string(), z.number().int().min(0).max(1_000_000)).superRefine((table, ctx) => {
  // Checked here rather than as the record's key schema so the message names the bad key.
  for (const key of Object.keys(table)) {
    if (!KEY_SHAPE.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'keys look like "<model>:<resolution>:<duration>"' });
  }
});

/**
 * Builds the cost function from the defaults with the operator's `overrides` merged over them.
 * Throws on malformed overrides: they come from configuration and should stop startup.
 * A combination missing from the table costs the most expensive entry, so a gap in the
 * configuration can never make a video free.
 */
export function createCostTable(overrides?: Record<string, number>): (key: CostKey) => number {
  const parsed = overridesSchema.safeParse(overrides ?? {});
  if (!parsed.success) {
    throw new Error(`Invalid cost table override: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const table = new Map<string, number>(Object.entries({ ...DEFAULT_COSTS, ...parsed.data }));
  const fallback = Math.max(...table.values());
  return (key) => table.get(costKeyString(key)) ?? fallback;
}
