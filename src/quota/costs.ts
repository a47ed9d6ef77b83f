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

/** The most one video may be set to cost, in credits (a typo of a few digits more is refused). */
export const COST_MAX = 1_000_000;

const EXAMPLE = '{"MiniMax-Hailuo-2.3:768p:6":1}';

/**
 * QUOTA_COSTS as the operator writes it: a JSON object of combinations the bot offers (the keys
 * of {@link DEFAULT_COSTS}, written exactly so) to whole credits from 0 to {@link COST_MAX}. A key
 * the bot never asks for (a typo, a wrong case, 1080p for 10 s, which the provider does not
 * make) is refused by name, with the keys that exist: an override nobody reads would look set
 * and change nothing. Each message starts with `QUOTA_COSTS`.
 */
export const costOverridesSchema = z
  .record(z.string(), z.unknown(), {
    error: `QUOTA_COSTS must be a JSON object of "model:resolution:duration" to credits, for example ${EXAMPLE}`,
  })
  .superRefine((table, ctx) => {
    for (const [key, value] of Object.entries(table)) {
      // Checked here rather than as the record's key schema so the message names the bad key.
      if (!Object.hasOwn(DEFAULT_COSTS, key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `QUOTA_COSTS: "${key}" is not a video the bot offers; the keys are ${Object.keys(DEFAULT_COSTS).join(', ')}`,
        });
      }
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > COST_MAX) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `QUOTA_COSTS: "${key}" must cost a whole number of credits from 0 to ${COST_MAX}, for example ${EXAMPLE}`,
        });
      }
    }
  })
  .transform((table) => table as Record<string, number>);

/**
 * Builds the cost function from the defaults with the operator's `overrides` merged over them.
 * Throws on overrides {@link costOverridesSchema} refuses (loadConfig refuses them first, so
 * the operator reads which key is wrong and the bot exits 78).
 * A combination missing from the table costs the most expensive entry, so a gap in the
 * configuration can never make a video free.
 */
export function createCostTable(overrides?: Record<string, number>): (key: CostKey) => number {
  const parsed = costOverridesSchema.safeParse(overrides ?? {});
  if (!parsed.success) throw new Error(`Invalid cost table override: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  const table = new Map<string, number>(Object.entries({ ...DEFAULT_COSTS, ...parsed.data }));
  const fallback = Math.max(...table.values());
  return (key) => table.get(costKeyString(key)) ?? fallback;
}
