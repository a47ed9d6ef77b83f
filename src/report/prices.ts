import { costKeyString } from '../quota/costs.js';

/**
 * The provider's published pay-as-you-go prices, in US cents per video, by
 * `"<model>:<resolution>:<duration>"` (shared/provider-notes.md: 2.3 — 768p 6 s $0.28, 768p 10 s
 * $0.56, 1080p 6 s $0.49; 2.3-Fast — $0.19, $0.32, $0.33). Cents keep the sums exact.
 */
export const PUBLISHED_PRICE_CENTS: Readonly<Record<string, number>> = Object.freeze({
  'MiniMax-Hailuo-2.3:768p:6': 28,
  'MiniMax-Hailuo-2.3:768p:10': 56,
  'MiniMax-Hailuo-2.3:1080p:6': 49,
  'MiniMax-Hailuo-2.3-Fast:768p:6': 19,
  'MiniMax-Hailuo-2.3-Fast:768p:10': 32,
  'MiniMax-Hailuo-2.3-Fast:1080p:6': 33,
});

/** The price of one video in cents, or undefined when the settings are unknown (lines from before Ledger v2). */
export function priceCents(model: string | null, resolution: string | null, duration: number | null): number | undefined {
  if (model === null || resolution === null || duration === null) return undefined;
  return PUBLISHED_PRICE_CENTS[costKeyString({ model, resolution, duration })];
}
