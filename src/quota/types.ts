import type { BudgetThreshold } from '../alerts/events.js';
import type { VideoDuration, VideoModel, VideoResolution } from '../provider/types.js';
import type { StoreEntry } from '../store/types.js';

export type QuotaPeriod = 'day' | 'week' | 'month';

/** What a request costs is decided by these three settings alone. */
export interface CostKey {
  model: VideoModel;
  resolution: VideoResolution;
  duration: VideoDuration;
}

/** Everything the quota layer needs to decide on one request; plain values, no Discord objects. */
export interface ReservationRequest extends CostKey {
  jobId: string;
  guildId: string;
  userId: string;
  channelId: string;
  /** The channel `channelId` is a thread of, if it is one: allowing a channel allows its threads. */
  parentChannelId?: string | null;
  /** The member's role ids, for role overrides of the per-member limit. */
  roleIds: readonly string[];
  cost: number;
  /** The prompt as typed, checked against the guild's banned words. */
  prompt: string;
  /**
   * The id the reservation will have, chosen by the caller so it can be recorded before the
   * reservation is made (releasing an id that was never reserved is a no-op).
   */
  reservationId?: string;
  /**
   * Records written in the same atomic step as the reservation, and only when it is granted (the
   * job's own record): a crash leaves the job and its reservation together or neither.
   */
  alongside?: readonly StoreEntry[];
  /**
   * Set members added with the reservation, only when it is granted (the job's index entry), in
   * the same atomic step (one Redis script, one SQLite transaction; see `CommitOptions.addToSets`).
   */
  alongsideSets?: ReadonlyArray<readonly [key: string, member: string]>;
}

export type QuotaRefusal =
  | { reason: 'blocked' }
  | { reason: 'disabled' }
  | { reason: 'channel_not_allowed'; allowedChannelIds: string[] }
  | { reason: 'banned_word'; word: string }
  | { reason: 'guild_budget'; cost: number; remaining: number; limit: number; period: QuotaPeriod; resetsAt: number }
  | { reason: 'member_budget'; cost: number; remaining: number; limit: number; period: QuotaPeriod; resetsAt: number }
  /** `aboveCeiling`: the video costs more than the whole daily ceiling (never fits; the ceiling itself is the operator's). */
  | { reason: 'global_ceiling'; resetsAt: number; cost: number; aboveCeiling: boolean }
  | { reason: 'guild_concurrency'; max: number }
  | { reason: 'member_concurrency'; max: number };

/** A budget threshold this reservation crossed first in its period (see `BUDGET_THRESHOLDS`). */
export interface ThresholdCrossed {
  percent: BudgetThreshold;
  used: number;
  limit: number;
  period: QuotaPeriod;
  resetsAt: number;
}

export type ReserveResult =
  { ok: true; reservationId: string; cost: number; threshold?: ThresholdCrossed } | { ok: false; refusal: QuotaRefusal };

/**
 * What a ledger line says happened to a reservation (Ledger v2). Only `charged` is spend; the
 * others gave the credits back: `released` (nothing was made), `undelivered` (the provider made a
 * video the member never received, so the provider may still have billed it), `ambiguous` (the bot
 * cannot know whether the provider started the task; the operator should check).
 */
export const LEDGER_OUTCOMES = ['charged', 'released', 'undelivered', 'ambiguous'] as const;
export type LedgerOutcome = (typeof LEDGER_OUTCOMES)[number];
/** The finer reason of a charge: the member received the video as an upload or as a working link. */
export type ChargeOutcome = 'delivered' | 'delivered_as_link';
/** The finer reason of a release. */
export type ReleaseReason =
  | 'submit_rejected'
  | 'task_failed'
  | 'expired'
  | 'never_submitted'
  | 'cancelled'
  | 'restarted'
  | 'download_failed'
  | 'delivery_failed'
  | 'vanished'
  | 'reconciled';

/** Extra facts a settlement records in its ledger line. */
export interface SettleDetails {
  /** The provider's task id, when the job got one (null or absent: never submitted, or unknown). */
  taskId?: string | null;
}
/** A release's details; `outcome` defaults to `released`. */
export interface ReleaseDetails extends SettleDetails {
  outcome?: Exclude<LedgerOutcome, 'charged'>;
}

/**
 * How a reservation is settled: `charged` keeps its credits spent; every other outcome gives them
 * back. `reason` is the finer ChargeOutcome / ReleaseReason; all of it goes into the ledger line.
 */
export type Settlement =
  | { outcome: 'charged'; reason: ChargeOutcome; taskId?: string | null }
  | { outcome: Exclude<LedgerOutcome, 'charged'>; reason: ReleaseReason; taskId?: string | null };

/** A reservation still held: it occupies a concurrency slot (and its credits) until settled. */
export interface HeldReservation {
  reservationId: string;
  guildId: string;
  userId: string;
  jobId: string;
  reservedAt: number;
}

/**
 * The spend guard the job service calls. `reserve` is atomic per guild (and for the global
 * ceiling); `charge` and `release` each settle a reservation exactly once, later calls are no-ops.
 */
export interface QuotaGate {
  costOf(key: CostKey): number;
  reserve(request: ReservationRequest): Promise<ReserveResult>;
  /**
   * Would `reserve` refuse this request now (blocked, banned word, channel, budgets, caps, the
   * global ceiling)? A read-only look without the lock, for work that costs the bot before the
   * reservation can be made; `undefined` does not promise it: `reserve` decides.
   */
  precheck(request: ReservationRequest): Promise<QuotaRefusal | undefined>;
  /** The member received the video: the credits stay spent; the ledger line says `charged`. */
  charge(reservationId: string, outcome: ChargeOutcome, details?: SettleDetails): Promise<boolean>;
  /**
   * The member did not receive a video: the credits go back; the ledger line says
   * `details.outcome` (default `released`).
   */
  release(reservationId: string, reason: ReleaseReason, details?: ReleaseDetails): Promise<boolean>;
  /**
   * Settles `reservationId` (when it is still held) under its guild's lock and commits `also()`'s
   * records in the same atomic store write, so a job's final state and its credits never come
   * apart. When there is nothing to settle, `also(false)`'s records are still written under the
   * lock. `guildId` is the guild to lock when the reservation record is gone. `held`: the leases
   * of locks the caller holds around it (the job's, see `Store.withLock`; `[]` outside any lock);
   * nothing is written when one of them or the quota's own was lost. True when it settled.
   *
   * @throws LockLeaseLostError before writing, when a lease was lost.
   */
  settleAlong(
    guildId: string,
    reservationId: string | null,
    settlement: Settlement,
    also: (settled: boolean) => readonly StoreEntry[] | Promise<readonly StoreEntry[]>,
    held: readonly AbortSignal[],
  ): Promise<boolean>;
  /** Every reservation still held, in every guild (for the sweep that settles leaked ones). */
  heldReservations(guildId?: string): Promise<HeldReservation[]>;
  /**
   * The guild of reservation `reservationId` while it is held; undefined when it is unknown (not
   * written yet, or expired) or settled. For recovery, which must know whose a job without a
   * record is before giving its credits back.
   *
   * @throws QuotaRecordError for a malformed stored record.
   */
  heldGuildOf(reservationId: string): Promise<string | undefined>;
}
