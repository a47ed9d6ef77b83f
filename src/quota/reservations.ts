import type { StandingDeps } from './quota-standing.js';
import { periodEnd, periodKey } from './periods.js';
import { findBannedWord, memberLimit, resolvePolicy, type QuotaPolicy } from './policy.js';
import type {
  ChargeOutcome,
  HeldReservation,
  QuotaPeriod,
  QuotaRefusal,
  ReleaseDetails,
  ReleaseReason,
  ReservationRequest,
  ReserveResult,
  SettleDetails,
  Settlement,
  ThresholdCrossed,
} from './types.js';
import type { StoreEntry } from '../store/types.js';
import { globalUsed, type LedgerEntry, type QuotaChanges, type ReservationRecord } from './usage-repository.js';
import { BUDGET_THRESHOLDS } from '../alerts/events.js';

/** What reserve/charge/release need; assembled by `createQuotaService`. */
export interface ReservationDeps extends StandingDeps {
  /** A new reservation's id. */
  idFactory: () => string;
}

/** A budget refusal; made only when it is the answer (the judge runs for every /video). */
function budgetRefusal(
  reason: 'guild_budget' | 'member_budget',
  cost: number,
  budget: number,
  used: number,
  period: QuotaPeriod,
  resetsAt: number,
): QuotaRefusal {
  return { reason, cost, remaining: Math.max(0, budget - used), limit: budget, period, resetsAt };
}

/**
 * The refusals that need this period's figures, in the order a member is told them: a video that
 * costs more than a whole budget (the server's, the member's, the operator's daily ceiling), then
 * the server's budget, the member's own, then videos in progress (server, member). Shared by
 * {@link reserve} (under the lock, where it decides) and {@link precheck} (a look without the lock).
 */
function judge(
  deps: ReservationDeps,
  request: ReservationRequest,
  policy: QuotaPolicy,
  inFlight: Record<string, { userId: string }>,
  usage: { used: Record<string, number> },
  resetsAt: number,
): QuotaRefusal | undefined {
  const { cost, userId } = request;
  const guildUsed = sum(Object.values(usage.used));
  const limit = memberLimit(policy, request.roleIds);
  const memberUsed = usage.used[userId] ?? 0;
  // A video that costs more than a whole budget never fits: that is said first, so the member is
  // not sent to wait for a reset (of the server's budget, say) after which another one refuses it.
  if (cost > policy.limit) return budgetRefusal('guild_budget', cost, policy.limit, guildUsed, policy.period, resetsAt);
  if (limit !== null && cost > limit) return budgetRefusal('member_budget', cost, limit, memberUsed, policy.period, resetsAt);
  if (deps.globalLimit !== undefined && cost > deps.globalLimit) {
    return { reason: 'global_ceiling', resetsAt: periodEnd('day', deps.clock()), cost, aboveCeiling: true };
  }
  if (guildUsed + cost > policy.limit) return budgetRefusal('guild_budget', cost, policy.limit, guildUsed, policy.period, resetsAt);
  if (limit !== null && memberUsed + cost > limit) return budgetRefusal('member_budget', cost, limit, memberUsed, policy.period, resetsAt);
  const flights = Object.values(inFlight);
  if (flights.length >= policy.maxConcurrent) return { reason: 'guild_concurrency', max: policy.maxConcurrent };
  if (flights.filter((f) => f.userId === userId).length >= deps.maxPerMember)
    return { reason: 'member_concurrency', max: deps.maxPerMember };
  return undefined;
}

/**
 * Would {@link reserve} refuse this request now? A read-only look without the lock, for work that
 * costs the bot before the reservation can be made (Extend downloads a video and runs ffmpeg to
 * get its first frame): a member who is blocked, over budget or at the cap is told before that
 * work, with the same answer. `undefined` does not promise the reservation: {@link reserve} decides.
 *
 * @throws QuotaRecordError for a malformed stored record.
 */
export async function precheck(deps: ReservationDeps, request: ReservationRequest): Promise<QuotaRefusal | undefined> {
  const now = deps.clock();
  const { usage: repo } = deps;
  const policy = resolvePolicy(await deps.policies.read(request.guildId), deps.defaults);
  const screened = screen(policy, request);
  if (screened) return screened;
  const key = periodKey(policy.period, now);
  const [inFlight, usage] = await Promise.all([repo.readInFlight(request.guildId), repo.readUsage(request.guildId, key)]);
  const refused = judge(deps, request, policy, inFlight, usage, periodEnd(policy.period, now));
  if (refused) return refused;
  const dayKey = deps.globalLimit === undefined ? null : periodKey('day', now);
  if (deps.globalLimit !== undefined && dayKey !== null && globalUsed(await repo.readGlobal(dayKey)) + request.cost > deps.globalLimit) {
    return {
      reason: 'global_ceiling',
      resetsAt: periodEnd('day', now),
      cost: request.cost,
      aboveCeiling: request.cost > deps.globalLimit,
    };
  }
  return undefined;
}

/** Refusals that need no usage figures: cheap, and checked before anything is counted. */
function screen(policy: QuotaPolicy, request: ReservationRequest): QuotaRefusal | undefined {
  if (Object.hasOwn(policy.blocked, request.userId)) return { reason: 'blocked' };
  if (policy.limit === 0) return { reason: 'disabled' };
  const allowed = policy.allowedChannelIds;
  const inAllowed = allowed.includes(request.channelId) || (request.parentChannelId != null && allowed.includes(request.parentChannelId));
  if (allowed.length > 0 && !inAllowed) {
    return { reason: 'channel_not_allowed', allowedChannelIds: [...policy.allowedChannelIds] };
  }
  const word = findBannedWord(policy.bannedWords, request.prompt);
  return word === undefined ? undefined : { reason: 'banned_word', word };
}

const sum = (values: Iterable<number>): number => [...values].reduce((a, b) => a + b, 0);

/**
 * The highest budget threshold that `figures.used` reaches and that was not announced yet in the
 * period, with the alerts record to write along with the reservation. Thresholds passed over in
 * one step are marked too, so a jump from 40 % to 100 % announces only 100 %.
 */
async function crossedThreshold(
  deps: ReservationDeps,
  guildId: string,
  key: string,
  figures: Omit<ThresholdCrossed, 'percent'>,
): Promise<{ crossed: ThresholdCrossed; alerts: NonNullable<QuotaChanges['alerts']> } | undefined> {
  if (figures.limit <= 0) return undefined;
  const reached = BUDGET_THRESHOLDS.filter((percent) => figures.used * 100 >= percent * figures.limit);
  if (reached.length === 0) return undefined;
  const { fired } = await deps.usage.readAlerts(guildId, key);
  const fresh = reached.filter((percent) => !fired.includes(percent));
  const highest = fresh.at(-1);
  if (highest === undefined) return undefined;
  return { crossed: { ...figures, percent: highest }, alerts: { guildId, periodKey: key, value: { fired: [...fired, ...fresh] } } };
}

/**
 * Checks every limit and takes the cost in one step under the guild lock (and the global lock,
 * nested inside it, for the operator's ceiling), so N simultaneous requests against K credits
 * start exactly min(N, K) jobs. Asking again for a job that still holds a reservation returns it.
 *
 * @param request.cost credits (a whole or fractional number ≥ 0, from the cost table).
 * @returns `{ ok: true, reservationId, cost }` or `{ ok: false, refusal }` (the member's answer).
 * @throws RangeError for a negative or non-finite cost; LockTimeoutError when the guild lock stayed
 *   busy past 60 s (Redis); LockLeaseLostError when its lease was lost (nothing written);
 *   QuotaRecordError for a malformed stored record; ClosingError once the store is closing.
 */
export async function reserve(deps: ReservationDeps, request: ReservationRequest): Promise<ReserveResult> {
  const { cost, guildId, userId } = request;
  if (!Number.isFinite(cost) || cost < 0) throw new RangeError(`reservation cost must be a non-negative number, got ${cost}`);
  const { usage: repo } = deps;
  // The period's usage is read with the lock for the default period, and again only for a guild
  // whose policy has another period.
  const usageKeyGuess = periodKey(deps.defaults.period, deps.clock());
  // The guild is listed on every attempt: the sweep finds its held reservations through that list,
  // also those an older version left (its next attempt, even a refused one, lists the guild). A
  // granted reservation lists it in its own write (see `writeAll`); an answer that writes nothing
  // lists it once the guild lock is let go of (a set add needs no lock), before it is given.
  let listSeparately = false;
  const answer = (result: ReserveResult): ReserveResult => {
    listSeparately = true;
    return result;
  };
  const result = await repo.withGuildRead<ReserveResult>(
    guildId,
    usageKeyGuess,
    async (guildLease, { inFlight, policy: storedRead, usage: usageRead }) => {
      const now = deps.clock();
      // Idempotent per job: a job service that died between reserving and recording the id gets
      // the same reservation back instead of paying twice.
      const existing = Object.entries(inFlight).find(([, f]) => f.jobId === request.jobId);
      if (existing) return answer({ ok: true, reservationId: existing[0], cost: existing[1].cost });

      if ('error' in storedRead) throw storedRead.error;
      const policy = resolvePolicy(storedRead.value, deps.defaults);
      const screened = screen(policy, request);
      if (screened) return answer({ ok: false, refusal: screened });

      const key = periodKey(policy.period, now);
      const resetsAt = periodEnd(policy.period, now);
      const usage = key === usageKeyGuess && 'value' in usageRead ? usageRead.value : await repo.readUsage(guildId, key);
      const guildUsed = sum(Object.values(usage.used));
      const memberUsed = usage.used[userId] ?? 0;
      const refused = judge(deps, request, policy, inFlight, usage, resetsAt);
      if (refused) return answer({ ok: false, refusal: refused });

      const id = request.reservationId ?? deps.idFactory();
      const record: ReservationRecord = {
        id,
        guildId,
        userId,
        jobId: request.jobId,
        cost,
        periodKey: key,
        globalDayKey: deps.globalLimit === undefined ? null : periodKey('day', now),
        state: 'held',
        reservedAt: now,
        model: request.model,
        resolution: request.resolution,
        duration: request.duration,
      };
      // One atomic write of every record the reservation touches: a crash leaves all or none.
      const changes: QuotaChanges = {
        reservation: record,
        inFlight: {
          guildId,
          value: { ...inFlight, [id]: { userId, jobId: request.jobId, cost, periodKey: key, counted: true, reservedAt: now } },
        },
        usage: { guildId, periodKey: key, value: { used: { ...usage.used, [userId]: memberUsed + cost } } },
      };
      const threshold = await crossedThreshold(deps, guildId, key, {
        used: guildUsed + cost,
        limit: policy.limit,
        period: policy.period,
        resetsAt,
      });
      if (threshold) changes.alerts = threshold.alerts;
      const alongside = request.alongside ?? [];
      const addToSets = request.alongsideSets ?? [];
      const ceiling = deps.globalLimit;
      const dayKey = record.globalDayKey;
      if (ceiling !== undefined && dayKey !== null) {
        const taken = await repo.withGlobal(async (globalLease) => {
          const global = await repo.readGlobal(dayKey);
          if (globalUsed(global) + cost > ceiling) return false;
          await repo.writeAll(
            { ...changes, global: { dayKey, value: { ...global, held: { ...global.held, [id]: cost } } } },
            alongside,
            [guildLease, globalLease],
            { addToSets },
          );
          return true;
        });
        if (!taken) {
          const refusal = { reason: 'global_ceiling', resetsAt: periodEnd('day', now), cost, aboveCeiling: cost > ceiling } as const;
          return answer({ ok: false, refusal });
        }
      } else {
        // The reservation's write is the last thing done under the guild lock: it lets go of it too.
        await repo.writeAll(changes, alongside, [guildLease], { addToSets, release: guildLease });
      }
      return { ok: true, reservationId: id, cost, ...(threshold && { threshold: threshold.crossed }) };
    },
  );
  if (listSeparately) await repo.markGuild(guildId);
  return result;
}

/**
 * Settles the reservation `reservationId` once, under the lock of its guild (`guildId` is used when
 * no record exists), and commits `also()`'s records in the same atomic write as the settlement, so
 * e.g. a job's final state and its credits can never come apart. When the reservation is unknown or
 * already settled, only `also(false)`'s records are written (still under the lock) and the result
 * is false. A ledger line is written for every outcome (Ledger v2), at most once per reservation.
 * `callerLeases`: leases of locks the caller holds around it (a job's), checked with the quota's own
 * before the write.
 */
export async function settleWith(
  deps: ReservationDeps,
  guildId: string,
  reservationId: string | null,
  settlement: Settlement,
  also: (settled: boolean) => readonly StoreEntry[] | Promise<readonly StoreEntry[]> = () => [],
  callerLeases: readonly AbortSignal[] = [],
): Promise<boolean> {
  const { usage: repo } = deps;
  // Read once outside the lock only to learn which guild's lock to take; re-read inside it.
  const peek = reservationId === null ? undefined : await repo.readReservation(reservationId);
  return repo.withGuild(peek?.guildId ?? guildId, async (guildLease) => {
    const record = reservationId === null ? undefined : await repo.readReservation(reservationId);
    if (!record || record.state !== 'held') {
      await repo.writeAll({}, await also(false), [...callerLeases, guildLease]);
      return false;
    }
    const now = deps.clock();
    const id = record.id;
    const { userId, cost, periodKey: reservedIn } = record;
    const charged = settlement.outcome === 'charged';
    const changes: QuotaChanges = {
      reservation: {
        ...record,
        state: charged ? 'charged' : 'released',
        settledAt: now,
        outcome: settlement.reason,
        settlement: settlement.outcome,
      },
    };
    const inFlight = await repo.readInFlight(record.guildId);
    const entry = inFlight[id];
    if (entry) {
      const { [id]: _settled, ...rest } = inFlight;
      changes.inFlight = { guildId: record.guildId, value: rest };
    }
    const ledger = await repo.readLedger(record.guildId, reservedIn);
    // A settlement retried after a crash must not write (or bill) the same reservation twice.
    if (!ledger.some((e) => e.reservationId === id)) {
      const line: LedgerEntry = {
        reservationId: id,
        guildId: record.guildId,
        userId,
        jobId: record.jobId,
        cost,
        at: now,
        outcome: settlement.outcome,
        reason: settlement.reason,
        taskId: settlement.taskId ?? null,
        model: record.model,
        resolution: record.resolution,
        duration: record.duration,
      };
      changes.ledger = { guildId: record.guildId, periodKey: reservedIn, value: [...ledger, line] };
    }
    if (!charged && entry?.counted) {
      // Only an entry still in flight and not forgiven by a reset was counted; give exactly that back.
      const usage = await repo.readUsage(record.guildId, reservedIn);
      const { [userId]: used = 0, ...others } = usage.used;
      const left = Math.max(0, used - cost);
      changes.usage = {
        guildId: record.guildId,
        periodKey: reservedIn,
        value: { used: left > 0 ? { ...others, [userId]: left } : others },
      };
    }
    // Everything the settlement changes is written at once, so it happens once or not at all.
    const dayKey = record.globalDayKey;
    if (dayKey === null) {
      await repo.writeAll(changes, await also(true), [...callerLeases, guildLease]);
      return true;
    }
    await repo.withGlobal(async (globalLease) => {
      const global = await repo.readGlobal(dayKey);
      const { [id]: held, ...stillHeld } = global.held;
      const globalChange =
        held === undefined ? {} : { global: { dayKey, value: { charged: global.charged + (charged ? held : 0), held: stillHeld } } };
      await repo.writeAll({ ...changes, ...globalChange }, await also(true), [...callerLeases, guildLease, globalLease]);
    });
    return true;
  });
}

/** Settles alone; false, changing nothing, when the reservation is unknown or already settled. */
async function settle(deps: ReservationDeps, reservationId: string, settlement: Settlement): Promise<boolean> {
  const peek = await deps.usage.readReservation(reservationId);
  if (!peek || peek.state !== 'held') return false;
  return settleWith(deps, peek.guildId, reservationId, settlement);
}

/** The member received the video: the credits stay spent; the ledger line says `charged`. */
export const charge = (
  deps: ReservationDeps,
  reservationId: string,
  reason: ChargeOutcome,
  details: SettleDetails = {},
): Promise<boolean> => settle(deps, reservationId, { outcome: 'charged', reason, taskId: details.taskId ?? null });

/** No video reached the member: the credits go back; the ledger line says `details.outcome` (default `released`). */
export const release = (
  deps: ReservationDeps,
  reservationId: string,
  reason: ReleaseReason,
  details: ReleaseDetails = {},
): Promise<boolean> => settle(deps, reservationId, { outcome: details.outcome ?? 'released', reason, taskId: details.taskId ?? null });

/** Every reservation still held: of one guild, or of every guild that ever asked for one. */
export async function heldReservations(deps: ReservationDeps, only?: string): Promise<HeldReservation[]> {
  const held: HeldReservation[] = [];
  for (const guildId of only === undefined ? await deps.usage.markedGuilds() : [only]) {
    for (const [reservationId, f] of Object.entries(await deps.usage.readInFlight(guildId))) {
      held.push({ reservationId, guildId, userId: f.userId, jobId: f.jobId, reservedAt: f.reservedAt });
    }
  }
  return held;
}
