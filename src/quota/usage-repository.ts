import { z } from 'zod';
import type { CommitOptions, Store, StoreEntry } from '../store/types.js';
import { readValidated, validated } from './record-io.js';
import { policyKey } from './policy-repository.js';
import { storedPolicySchema, type StoredPolicy } from './policy.js';
import { LEDGER_OUTCOMES } from './types.js';
import { DAY_MS } from '../time.js';

// Keyv expiries run on the wall clock; these only bound growth, they never decide a budget.
const HISTORY_TTL_MS = 400 * DAY_MS;
const RESERVATION_TTL_MS = 90 * DAY_MS;
const GLOBAL_TTL_MS = 8 * DAY_MS;

const credits = z.number().finite().min(0);

export const reservationSchema = z.object({
  id: z.string().min(1),
  guildId: z.string().min(1),
  userId: z.string().min(1),
  jobId: z.string().min(1),
  cost: credits,
  /** The period it was reserved in: a charge counts there even if it settles after roll-over. */
  periodKey: z.string().min(1),
  /** The UTC day counted against the operator's ceiling; null when no ceiling was set. */
  globalDayKey: z.string().min(1).nullable(),
  state: z.enum(['held', 'charged', 'released']),
  reservedAt: z.number(),
  settledAt: z.number().optional(),
  /** A ChargeOutcome when charged, a ReleaseReason when released. */
  outcome: z.string().optional(),
  /** What the ledger line of the settlement says (records settled before Ledger v2 have none). */
  settlement: z.enum(LEDGER_OUTCOMES).optional(),
  /** The request's settings, copied into the ledger line (null on records made before Ledger v2). */
  model: z.string().nullable().default(null),
  resolution: z.string().nullable().default(null),
  duration: z.number().nullable().default(null),
});
/** `quota:reservation:<id>`: lets charge/release find what they settle, and settle it once. */
export type ReservationRecord = z.infer<typeof reservationSchema>;

const usageSchema = z.object({ used: z.record(z.string(), credits) });
/** `quota:usage:<guildId>:<periodKey>`: credits counted against the period (held + charged), by member. */
export type PeriodUsage = z.infer<typeof usageSchema>;

const inFlightEntrySchema = z.object({
  userId: z.string(),
  jobId: z.string(),
  cost: credits,
  periodKey: z.string(),
  /** False once an admin reset forgave it: it still occupies a slot but no longer costs budget. */
  counted: z.boolean(),
  reservedAt: z.number(),
});
const inFlightSchema = z.record(z.string(), inFlightEntrySchema);
/**
 * `quota:inflight:<guildId>`: held reservations by id. Kept apart from the period usage because a
 * job reserved at 23:59 still occupies a concurrency slot after midnight.
 */
export type InFlight = z.infer<typeof inFlightSchema>;

const ledgerEntrySchema = z.preprocess(
  // Ledger v1 lines recorded charges only, with the charge reason in `outcome`.
  (raw) =>
    raw !== null && typeof raw === 'object' && !('reason' in raw)
      ? { ...raw, reason: (raw as { outcome?: unknown }).outcome, outcome: 'charged' }
      : raw,
  z.object({
    reservationId: z.string(),
    guildId: z.string(),
    userId: z.string(),
    jobId: z.string(),
    cost: credits,
    /** When it was settled (ms epoch). */
    at: z.number(),
    /** Only `charged` counts as spend. */
    outcome: z.enum(LEDGER_OUTCOMES),
    /** The finer reason: a ChargeOutcome or a ReleaseReason. */
    reason: z.string(),
    /** The provider's task id; null when the job never got one. */
    taskId: z.string().nullable().default(null),
    model: z.string().nullable().default(null),
    resolution: z.string().nullable().default(null),
    /** Seconds of video requested. */
    duration: z.number().nullable().default(null),
  }),
);
/** A period's ledger record (`quota:ledger:<guildId>:<periodKey>`), for readers outside this repository (the operator's report). */
export const ledgerSchema = z.array(ledgerEntrySchema);
/**
 * Ledger v2: one line per settled reservation, charged or not (`quota:ledger:<guildId>:<periodKey>`,
 * the period it was reserved in). Lines written before v2 read as `charged` with their old outcome
 * as `reason`.
 */
export type LedgerEntry = z.output<typeof ledgerEntrySchema>;

const alertsSchema = z.object({ fired: z.array(z.number().int()) });
/**
 * `quota:alerts:<guildId>:<periodKey>`: the budget thresholds (percent) already announced this
 * period. Written in the same atomic step as the reservation that crossed them, so each is
 * announced once however many requests race, and a restart does not announce it again.
 */
export type BudgetAlerts = z.infer<typeof alertsSchema>;

const globalSchema = z.object({ charged: credits, held: z.record(z.string(), credits) });
/**
 * `quota:global:<dayKey>`: the operator's spend that day. Held credits are kept by reservation id
 * so that settling one twice (e.g. after a crash and a retry) cannot count it twice.
 */
export type GlobalUsage = z.infer<typeof globalSchema>;

/** Sum of what a global day record counts against the ceiling. */
export function globalUsed(usage: GlobalUsage): number {
  return usage.charged + Object.values(usage.held).reduce((a, b) => a + b, 0);
}

/**
 * Records that change together (a reservation made or settled, a reset). Written in one atomic step
 * (one SQLite transaction, one Redis MULTI), so a crash never leaves half of them.
 */
export interface QuotaChanges {
  reservation?: ReservationRecord;
  inFlight?: { guildId: string; value: InFlight };
  usage?: { guildId: string; periodKey: string; value: PeriodUsage };
  ledger?: { guildId: string; periodKey: string; value: LedgerEntry[] };
  global?: { dayKey: string; value: GlobalUsage };
  alerts?: { guildId: string; periodKey: string; value: BudgetAlerts };
}

/** A record read under a lock: its value, or what reading it met (a malformed record). */
export type ReadOutcome<T> = { value: T } | { error: unknown };

/** What {@link UsageRepository.withGuildRead} reads with the guild's lock. */
export interface GuildRead {
  inFlight: InFlight;
  /** The guild's stored choices (undefined: it never set any). */
  policy: ReadOutcome<StoredPolicy | undefined>;
  /** Usage in the period asked for. */
  usage: ReadOutcome<PeriodUsage>;
}

const outcomeOf = <T>(read: () => T): ReadOutcome<T> => {
  try {
    return { value: read() };
  } catch (error) {
    return { error };
  }
};

/**
 * Store access for quota usage. Every read-modify-write must run inside {@link UsageRepository.withGuild}
 * (and {@link UsageRepository.withGlobal} for the ceiling, always taken inside the guild lock,
 * never the other way round, so two requests cannot deadlock).
 */
export interface UsageRepository {
  /** Runs `fn` under the guild's quota lock; `lease` is that lock's (see `Store.withLock`). */
  withGuild<T>(guildId: string, fn: (lease: AbortSignal) => Promise<T>): Promise<T>;
  /**
   * {@link withGuild}, handing `fn` what a reservation reads first, as read under the lock: the
   * guild's reservations in flight, its stored policy and its usage in `periodKey`. On Redis the
   * lock is taken and the three read in one script (one round trip and one command instead of
   * four); on SQLite they are read in one statement.
   *
   * @throws QuotaRecordError for a malformed in-flight record (a malformed policy or usage record
   *   is handed to `fn` as its `error`, to throw only where it is used); what `withGuild` throws.
   */
  withGuildRead<T>(guildId: string, periodKey: string, fn: (lease: AbortSignal, read: GuildRead) => Promise<T>): Promise<T>;
  withGlobal<T>(fn: (lease: AbortSignal) => Promise<T>): Promise<T>;
  readUsage(guildId: string, periodKey: string): Promise<PeriodUsage>;
  readInFlight(guildId: string): Promise<InFlight>;
  readLedger(guildId: string, periodKey: string): Promise<LedgerEntry[]>;
  readReservation(id: string): Promise<ReservationRecord | undefined>;
  readGlobal(dayKey: string): Promise<GlobalUsage>;
  /** Thresholds already announced in the period (see {@link BudgetAlerts}). */
  readAlerts(guildId: string, periodKey: string): Promise<BudgetAlerts>;
  /**
   * Writes every record in `changes` at once (the only way usage is written); see {@link QuotaChanges}.
   * `also` are other records (a job's final state, its outbox entry) committed in the same write.
   * `held`: the leases of every lock held for it (the guild's, the global one, a job's); nothing
   * is written when one was lost. `options`: set members added with it, and the lock it lets go
   * of (see `CommitOptions`).
   *
   * @throws LockLeaseLostError before writing; Error when the store refused a write.
   */
  writeAll(changes: QuotaChanges, also: readonly StoreEntry[], held: readonly AbortSignal[], options?: CommitOptions): Promise<void>;
  /** Lists the guild among those that may hold reservations (before its first one is written). */
  markGuild(guildId: string): Promise<void>;
  markedGuilds(): Promise<string[]>;
}

/** Lock names, shared with anything else that must not interleave with quota writes. */
export const guildLockName = (guildId: string): string => `quota:${guildId}`;
export const GLOBAL_LOCK_NAME = 'quota:global';
/** Guilds that have made reservations, so held ones can be found without scanning keys. */
const GUILDS_SET = 'quota:guilds';

/** Builds the repository on the shared store (keys under `quota:`). */
export function createUsageRepository(store: Store): UsageRepository {
  const { kv } = store;
  const usageKey = (g: string, p: string) => `quota:usage:${g}:${p}`;
  const ledgerKey = (g: string, p: string) => `quota:ledger:${g}:${p}`;
  const inFlightKey = (g: string) => `quota:inflight:${g}`;
  const reservationKey = (id: string) => `quota:reservation:${id}`;
  const globalKey = (d: string) => `quota:global:${d}`;
  const alertsKey = (g: string, p: string) => `quota:alerts:${g}:${p}`;

  return {
    withGuild: (guildId, fn) => store.withLock(guildLockName(guildId), fn),
    withGuildRead: (guildId, periodKey, fn) => {
      const keys = [inFlightKey(guildId), policyKey(guildId), usageKey(guildId, periodKey)] as const;
      return store.withLock(
        guildLockName(guildId),
        async (lease, values) => {
          // A store wrapper that did not pass the keys on hands no values: read them here.
          const [inFlight, policy, usage] = values ?? (await kv.getMany([...keys]));
          return fn(lease, {
            inFlight: validated(keys[0], inFlight, inFlightSchema) ?? {},
            policy: outcomeOf(() => validated(keys[1], policy, storedPolicySchema)),
            usage: outcomeOf(() => validated(keys[2], usage, usageSchema) ?? { used: {} }),
          });
        },
        keys,
      );
    },
    withGlobal: (fn) => store.withLock(GLOBAL_LOCK_NAME, fn),
    readUsage: async (g, p) => (await readValidated(kv, usageKey(g, p), usageSchema)) ?? { used: {} },
    readInFlight: async (g) => (await readValidated(kv, inFlightKey(g), inFlightSchema)) ?? {},
    readLedger: async (g, p) => (await readValidated(kv, ledgerKey(g, p), ledgerSchema)) ?? [],
    readReservation: (id) => readValidated(kv, reservationKey(id), reservationSchema),
    readGlobal: async (d) => (await readValidated(kv, globalKey(d), globalSchema)) ?? { charged: 0, held: {} },
    readAlerts: async (g, p) => (await readValidated(kv, alertsKey(g, p), alertsSchema)) ?? { fired: [] },
    markGuild: (guildId) => store.addToSet(GUILDS_SET, guildId),
    markedGuilds: () => store.setMembers(GUILDS_SET),
    writeAll: async ({ reservation, inFlight, usage, ledger, global, alerts }, also, held, options = {}) => {
      const entries: StoreEntry[] = [...also];
      // A held reservation's guild is listed in the same atomic step that writes it: the sweep
      // can never miss it (on SQLite the guild's row is written once; on Redis a set add).
      const listed: CommitOptions =
        reservation?.state === 'held'
          ? { ...options, addToSets: [...(options.addToSets ?? []), [GUILDS_SET, reservation.guildId]] }
          : options;
      if (reservation) entries.push({ key: reservationKey(reservation.id), value: reservation, ttl: RESERVATION_TTL_MS });
      if (inFlight) entries.push({ key: inFlightKey(inFlight.guildId), value: inFlight.value });
      if (usage) entries.push({ key: usageKey(usage.guildId, usage.periodKey), value: usage.value, ttl: HISTORY_TTL_MS });
      if (ledger) entries.push({ key: ledgerKey(ledger.guildId, ledger.periodKey), value: ledger.value, ttl: HISTORY_TTL_MS });
      if (global) entries.push({ key: globalKey(global.dayKey), value: global.value, ttl: GLOBAL_TTL_MS });
      if (alerts) entries.push({ key: alertsKey(alerts.guildId, alerts.periodKey), value: alerts.value, ttl: HISTORY_TTL_MS });
      await store.commit(entries, held, listed);
    },
  };
}
