import { z } from 'zod';
import { cutCodePoints } from '../text/code-points.js';
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

/** A key as an error message shows it: quoted and escaped (a newline cannot fake a line), at most 60 code points. */
const shownKey = (key: string): string => JSON.stringify(cutCodePoints(key, 60));

/** `"a", "b", "c" and 4 more`: a few of `keys`, so a long bad table still gives a short message. */
function someKeys(keys: readonly string[]): string {
  const shown = keys.slice(0, 3).map(shownKey).join(', ');
  return keys.length > 3 ? `${shown} and ${keys.length - 3} more` : shown;
}

/**
 * QUOTA_COSTS as the operator writes it: a JSON object of combinations the bot offers (the keys
 * of {@link DEFAULT_COSTS}, written exactly so) to whole credits from 0 to {@link COST_MAX}. Keys
 * the bot never asks for (a typo, a wrong case, 1080p for 10 s, which the provider does not
 * make, `__proto__`) are refused by name, with the keys that exist: an override nobody reads would
 * look set and change nothing. At most two messages, each starting with `QUOTA_COSTS`, whatever
 * the table's size. The keys are read from the parsed JSON itself (zod's record drops
 * `__proto__`), so no key escapes the check.
 */
export const costOverridesSchema = z
  .custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), {
    error: `QUOTA_COSTS must be a JSON object of "model:resolution:duration" to credits, for example ${EXAMPLE}`,
  })
  .superRefine((table, ctx) => {
    const keys = Object.keys(table);
    const unknown = keys.filter((key) => !Object.hasOwn(DEFAULT_COSTS, key));
    const badCost = keys.filter((key) => {
      const cost = table[key];
      return typeof cost !== 'number' || !Number.isInteger(cost) || cost < 0 || cost > COST_MAX;
    });
    if (unknown.length > 0) {
      // The likeliest slip is the letter case (or a space): name the key it meant.
      const loose = (key: string) => key.replace(/\s+/g, '').toLowerCase();
      const meant = unknown
        .map((key) => Object.keys(DEFAULT_COSTS).find((known) => loose(known) === loose(key)))
        .find((known) => known !== undefined);
      ctx.addIssue({
        code: 'custom',
        message: `QUOTA_COSTS: ${someKeys(unknown)} ${unknown.length === 1 ? 'is not a video' : 'are not videos'} the bot offers${meant ? ` (did you mean "${meant}"? keys are written exactly, case included)` : ''}; the keys are ${Object.keys(DEFAULT_COSTS).join(', ')}`,
      });
    }
    if (badCost.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `QUOTA_COSTS: ${someKeys(badCost)} must cost a whole number of credits from 0 to ${COST_MAX}, for example ${EXAMPLE}`,
      });
    }
  })
  .transform((table) => Object.fromEntries(Object.entries(table)) as Record<string, number>);

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
