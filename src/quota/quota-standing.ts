import { periodEnd, periodKey, periodStart } from './periods.js';
import { memberLimit, resolvePolicy, type PolicyDefaults, type QuotaPolicy } from './policy.js';
import type { PolicyRepository } from './policy-repository.js';
import type { QuotaPeriod } from './types.js';
import { globalUsed, type LedgerEntry, type UsageRepository } from './usage-repository.js';

/** What `/usage` shows a member. Credits held by jobs in flight count as used. */
export interface MemberStanding {
  period: QuotaPeriod;
  periodKey: string;
  /** The member's credits this period. */
  used: number;
  /** The member's limit this period (role overrides applied); null = none. */
  limit: number | null;
  /** What the member may still spend on their own limit; null = no member limit. */
  remaining: number | null;
  guildUsed: number;
  /** 0 means generation is off for the guild. */
  guildLimit: number;
  guildRemaining: number;
  /** What is left today under the operator's ceiling; null = no ceiling. Resets at 00:00 UTC. */
  globalRemaining: number | null;
  /** When the guild's period ends and budgets reset (ms epoch). */
  resetsAt: number;
  /** Job ids of the member's reservations still held. */
  inFlight: string[];
  /** How many videos a member may have in progress at once (the server's own cap may be lower). */
  maxInFlight: number;
}

/** Credits spent in the current period, when, and by whom (see `spendTimeline`). */
export interface SpendTimeline {
  period: QuotaPeriod;
  /** Bounds of the period, ms epoch (end exclusive). */
  start: number;
  end: number;
  now: number;
  limit: number;
  spend: Array<{ userId: string; credits: number; at: number }>;
}

/** Ledger lines that spent credits: only `charged` ones (Ledger v2). */
const isSpend = (entry: LedgerEntry): boolean => entry.outcome === 'charged';

/** One line of `/quota show`'s leaderboard. */
export interface Spender {
  userId: string;
  credits: number;
}

/** What reading a guild's standing needs; reserving needs the same and an id factory ({@link ReservationDeps}). */
export interface StandingDeps {
  policies: PolicyRepository;
  usage: UsageRepository;
  clock: () => number;
  defaults: PolicyDefaults;
  globalLimit: number | undefined;
  maxPerMember: number;
}

/** Read-only views of usage. They take no lock: a snapshot a moment old is fine for display. */
export function createQuotaStanding(deps: StandingDeps) {
  const { policies, usage: repo } = deps;

  const period = async (guildId: string) => {
    const now = deps.clock();
    const policy = resolvePolicy(await policies.read(guildId), deps.defaults);
    return { now, policy, key: periodKey(policy.period, now) };
  };
  /** Videos one member may have in progress at once under `policy`: the bot's cap (2) or the server's when lower. */
  const perMemberAtOnce = (policy: QuotaPolicy): number => Math.min(deps.maxPerMember, policy.maxConcurrent);
  const current = async (guildId: string) => {
    const p = await period(guildId);
    return { ...p, usage: await repo.readUsage(guildId, p.key) };
  };

  return {
    /** Videos one member may have in progress at once under `policy` (see `perMemberAtOnce` above). */
    perMemberAtOnce,
    /** A member's own use and limit, the guild's budget and when it resets, and their jobs in flight. */
    memberStanding: async (guildId: string, userId: string, roleIds: readonly string[]): Promise<MemberStanding> => {
      const { now, policy, key, usage } = await current(guildId);
      const inFlight = await repo.readInFlight(guildId);
      const used = usage.used[userId] ?? 0;
      const limit = memberLimit(policy, roleIds);
      const guildUsed = Object.values(usage.used).reduce((a, b) => a + b, 0);
      const ceiling = deps.globalLimit;
      const globalRemaining =
        ceiling === undefined ? null : Math.max(0, ceiling - globalUsed(await repo.readGlobal(periodKey('day', now))));
      return {
        period: policy.period,
        periodKey: key,
        used,
        limit,
        remaining: limit === null ? null : Math.max(0, limit - used),
        guildUsed,
        guildLimit: policy.limit,
        guildRemaining: Math.max(0, policy.limit - guildUsed),
        globalRemaining,
        resetsAt: periodEnd(policy.period, now),
        inFlight: Object.values(inFlight)
          .filter((f) => f.userId === userId)
          .sort((a, b) => a.reservedAt - b.reservedAt)
          .map((f) => f.jobId),
        maxInFlight: perMemberAtOnce(policy),
      };
    },

    /** The period's biggest spenders, most credits first (ties by user id, for a stable list). */
    topSpenders: async (guildId: string, n = 5): Promise<Spender[]> => {
      const { usage } = await current(guildId);
      return Object.entries(usage.used)
        .filter(([, credits]) => credits > 0)
        .map(([userId, credits]) => ({ userId, credits }))
        .sort((a, b) => b.credits - a.credits || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0))
        .slice(0, Math.max(0, n));
    },

    /**
     * What the guild spent this period, for the usage chart: each charged ledger line, and each
     * reservation still held (it counts against the budget until it settles), with when it happened.
     */
    spendTimeline: async (guildId: string): Promise<SpendTimeline> => {
      const { now, policy, key } = await period(guildId);
      const [ledger, inFlight] = await Promise.all([repo.readLedger(guildId, key), repo.readInFlight(guildId)]);
      const spend = [
        ...ledger.filter(isSpend).map((e) => ({ userId: e.userId, credits: e.cost, at: e.at })),
        ...Object.values(inFlight)
          .filter((f) => f.counted && f.periodKey === key)
          .map((f) => ({ userId: f.userId, credits: f.cost, at: f.reservedAt })),
      ];
      return {
        period: policy.period,
        start: periodStart(policy.period, now),
        end: periodEnd(policy.period, now),
        now,
        limit: policy.limit,
        spend,
      };
    },

    /**
     * The ledger of the current period or of the one before it (by the guild's period setting
     * today), oldest line first, with the period's bounds (ms epoch, end exclusive).
     */
    periodLedger: async (guildId: string, which: 'current' | 'previous') => {
      const { now, policy } = await period(guildId);
      const at = which === 'current' ? now : periodStart(policy.period, now) - 1;
      const key = periodKey(policy.period, at);
      const entries = await repo.readLedger(guildId, key);
      return {
        period: policy.period,
        start: periodStart(policy.period, at),
        end: periodEnd(policy.period, at),
        entries: [...entries].sort((a, b) => a.at - b.at),
      };
    },

    /** The period's ledger (v2): one line per settled reservation, oldest first; only `charged` lines are spend. */
    ledger: async (guildId: string) => {
      const { key } = await period(guildId);
      return repo.readLedger(guildId, key);
    },
  };
}

/** The reading half of the quota service. */
export type QuotaStanding = ReturnType<typeof createQuotaStanding>;
