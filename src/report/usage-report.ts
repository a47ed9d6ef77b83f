import { ledgerSchema, type LedgerEntry } from '../quota/usage-repository.js';
import type { Store } from '../store/types.js';
import { csvField } from '../quota/ledger-csv.js';
import { priceCents } from './prices.js';

/** One server's line of the operator's report. */
export interface GuildReport {
  guildId: string;
  /** Videos the provider made: charged, plus made but undelivered (the provider bills those too). */
  videos: number;
  /** Credits charged to the server (charged lines only). */
  credits: number;
  /** What the provider bills for `videos` at its published prices, in US cents. */
  costCents: number;
  undelivered: number;
  /** Lines where the bot cannot know whether the provider started the task: worth checking on the provider's side. */
  ambiguous: number;
  /** Videos whose settings are unknown (ledger lines from before Ledger v2): not in `costCents`. */
  unpriced: number;
}

export interface UsageReport {
  guilds: GuildReport[];
  total: Omit<GuildReport, 'guildId'>;
}

const LEDGER_KEY = /(?:^|:)quota:ledger:(\d+):(.+)$/;

/**
 * Every ledger line in the store (SQLite or Redis), read with the store's own key iterator; lines
 * settled before `since` (ms epoch) are left out. Throws when the backend cannot list its keys, or
 * on a malformed ledger record (a bug or a hand-edited store: better stopped than miscounted).
 */
export async function readAllLedgerLines(store: Store, since = 0): Promise<LedgerEntry[]> {
  const iterate = store.kv.iterator;
  if (!iterate) throw new Error(`the ${store.kind} store cannot list its keys`);
  const lines: LedgerEntry[] = [];
  for await (const [key, value] of iterate.call(store.kv, undefined)) {
    if (typeof key !== 'string' || !LEDGER_KEY.test(key)) continue;
    const parsed = ledgerSchema.safeParse(value);
    if (!parsed.success) throw new Error(`ledger record ${key} is malformed: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    lines.push(...parsed.data.filter((line) => line.at >= since));
  }
  return lines;
}

/** Sums ledger lines per server (ordered by credits, then id) and in total. */
export function summarize(lines: readonly LedgerEntry[]): UsageReport {
  const byGuild = new Map<string, GuildReport>();
  for (const line of lines) {
    const row = byGuild.get(line.guildId) ?? {
      guildId: line.guildId,
      videos: 0,
      credits: 0,
      costCents: 0,
      undelivered: 0,
      ambiguous: 0,
      unpriced: 0,
    };
    byGuild.set(line.guildId, row);
    if (line.outcome === 'ambiguous') row.ambiguous += 1;
    if (line.outcome === 'charged') row.credits += line.cost;
    if (line.outcome === 'undelivered') row.undelivered += 1;
    if (line.outcome !== 'charged' && line.outcome !== 'undelivered') continue;
    row.videos += 1;
    const cents = priceCents(line.model, line.resolution, line.duration);
    if (cents === undefined) row.unpriced += 1;
    else row.costCents += cents;
  }
  const guilds = [...byGuild.values()].sort((a, b) => b.credits - a.credits || (a.guildId < b.guildId ? -1 : 1));
  const total = { videos: 0, credits: 0, costCents: 0, undelivered: 0, ambiguous: 0, unpriced: 0 };
  for (const g of guilds) for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += g[k];
  return { guilds, total };
}

const dollars = (cents: number) => (cents / 100).toFixed(2);
const HEADER = ['guild_id', 'videos', 'credits', 'provider_cost_usd', 'undelivered', 'ambiguous', 'unpriced'];
const cells = (id: string, r: Omit<GuildReport, 'guildId'>) =>
  [id, r.videos, r.credits, dollars(r.costCents), r.undelivered, r.ambiguous, r.unpriced].map(String);

/** The report as CSV: a header, one row per server, and a `total` row. */
export function reportCsv(report: UsageReport): string {
  const rows = [HEADER, ...report.guilds.map((g) => cells(g.guildId, g)), cells('total', report.total)];
  return rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

/** The report as an aligned text table for a terminal. */
export function reportTable(report: UsageReport): string {
  const rows = [HEADER, ...report.guilds.map((g) => cells(g.guildId, g)), cells('total', report.total)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(HEADER), rule, ...rows.slice(1, -1).map(line), rule, line(rows.at(-1) ?? [])].join('\n') + '\n';
}
