import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Store } from '../store/types.js';
import { NO_ADMIN_EVENTS, type AdminEventSink } from '../alerts/events.js';
import { createCostTable } from './costs.js';
import { periodSchema, POLICY_BOUNDS } from './policy.js';
import { createPolicyRepository } from './policy-repository.js';
import { createQuotaAdmin, type QuotaAdmin } from './quota-admin.js';
import { createQuotaStanding, type QuotaStanding } from './quota-standing.js';
import { charge, heldReservations, release, precheck, reserve, settleWith, type ReservationDeps } from './reservations.js';
import type { QuotaGate, QuotaPeriod } from './types.js';
import { createUsageRepository } from './usage-repository.js';

/** How the operator configures the quota layer. */
export interface QuotaServiceOptions {
  store: Store;
  /** Milliseconds since the epoch; injected so tests can move through periods. */
  clock?: () => number;
  /** Where guilds that have not chosen their own budget start. */
  defaults: { limit: number; period: QuotaPeriod };
  /** Credits per UTC day across all guilds; undefined = no ceiling. */
  globalLimit?: number;
  /** Overrides merged over `DEFAULT_COSTS`, keyed `"<model>:<resolution>:<duration>"`. */
  costs?: Record<string, number>;
  /** Jobs in flight per member (default 2). */
  maxPerMember?: number;
  /** Reservation ids (default random UUIDs). */
  idFactory?: () => string;
  /** Told about admin changes, budget thresholds and banned-word refusals (the log channel). */
  events?: AdminEventSink;
}

/** The spend guard the job service calls, plus what `/quota` and `/usage` need. */
export interface QuotaService extends QuotaGate, QuotaAdmin, QuotaStanding {}

const optionsSchema = z.object({
  defaults: z.object({ limit: z.number().int().min(0).max(POLICY_BOUNDS.maxCredits), period: periodSchema }),
  globalLimit: z.number().int().min(0).optional(),
  maxPerMember: z.number().int().min(1).max(POLICY_BOUNDS.maxConcurrent),
});

/**
 * Builds the quota service on the shared store. Throws on invalid options (they come from the
 * operator's configuration and should stop startup); never throws for a refused request.
 */
export function createQuotaService(options: QuotaServiceOptions): QuotaService {
  const checked = optionsSchema.safeParse({ ...options, maxPerMember: options.maxPerMember ?? 2 });
  if (!checked.success) {
    throw new Error(`Invalid quota options: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const { defaults, globalLimit, maxPerMember } = checked.data;
  const costOf = createCostTable(options.costs);
  const policies = createPolicyRepository(options.store);
  const usage = createUsageRepository(options.store);
  const clock = options.clock ?? Date.now;
  const deps: ReservationDeps = {
    policies,
    usage,
    clock,
    defaults,
    globalLimit,
    maxPerMember,
    idFactory: options.idFactory ?? randomUUID,
  };
  const events = options.events ?? NO_ADMIN_EVENTS;
  return {
    costOf,
    precheck: (request) => precheck(deps, request),
    reserve: async (request) => {
      const result = await reserve(deps, request);
      if (result.ok && result.threshold) {
        events.emit(request.guildId, { kind: 'budget_threshold', ...result.threshold });
      } else if (!result.ok && result.refusal.reason === 'banned_word') {
        // Who and where, and the rule that matched; never the prompt itself.
        events.emit(request.guildId, {
          kind: 'banned_word',
          memberId: request.userId,
          channelId: request.channelId,
          word: result.refusal.word,
        });
      }
      return result;
    },
    charge: (reservationId, outcome, details) => charge(deps, reservationId, outcome, details),
    release: (reservationId, reason, details) => release(deps, reservationId, reason, details),
    settleAlong: (guildId, reservationId, settlement, also, held) => settleWith(deps, guildId, reservationId, settlement, also, held),
    heldReservations: (guildId) => heldReservations(deps, guildId),
    heldGuildOf: async (reservationId) => {
      const record = await usage.readReservation(reservationId);
      return record?.state === 'held' ? record.guildId : undefined;
    },
    ...createQuotaAdmin({ policies, usage, clock, defaults, events }),
    ...createQuotaStanding({ policies, usage, clock, defaults, globalLimit, maxPerMember }),
  };
}
