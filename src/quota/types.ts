import type { VideoDuration, VideoModel, VideoResolution } from '../provider/types.js';

export type QuotaPeriod = 'day' | 'week' | 'month';

/** What a request costs is decided by these three settings alone. */
export interface CostKey {
  model: VideoModel;
  resolution: VideoResolution;
  duration: VideoDuration;
}

/** Everything the quota layer needs to decide on one request; plain values, no Discord objects. */
export interface ReservationRequest {
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
}

export type QuotaRefusal =
  | { reason: 'disabled' }
  | { reason: 'channel_not_allowed'; allowedChannelIds: string[] }
  | { reason: 'banned_word'; word: string }
  | { reason: 'guild_budget'; cost: number; remaining: number; limit: number; resetsAt: number }
  | { reason: 'member_budget'; cost: number; remaining: number; limit: number; resetsAt: number }
  | { reason: 'global_ceiling'; resetsAt: number }
  | { reason: 'guild_concurrency'; max: number }
  | { reason: 'member_concurrency'; max: number };

export type ReserveResult = { ok: true; reservationId: string; cost: number } | { ok: false; refusal: QuotaRefusal };

/** How a job that held a reservation ended; recorded in the ledger. */
export type ChargeOutcome = 'delivered' | 'delivered_as_link' | 'delivery_failed';
export type ReleaseReason = 'submit_rejected' | 'task_failed' | 'expired' | 'never_submitted' | 'cancelled';

/**
 * The spend guard the job service calls. `reserve` is atomic per guild (and for the global
 * ceiling); `charge` and `release` each settle a reservation exactly once, later calls are no-ops.
 */
export interface QuotaGate {
  costOf(key: CostKey): number;
  reserve(request: ReservationRequest): Promise<ReserveResult>;
  /** The provider made the video: the reservation becomes a ledger entry. */
  charge(reservationId: string, outcome: ChargeOutcome): Promise<boolean>;
  /** Nothing was made: the credits go back. */
  release(reservationId: string, reason: ReleaseReason): Promise<boolean>;
}
