import { createUsageRepository } from '../quota/usage-repository.js';
import type { QuotaGate } from '../quota/types.js';
import type { Store } from '../store/types.js';
import type { BotMetrics } from './metrics.js';

/**
 * The same quota service, counting credits spent by guild on each charge (alone or along a job's ending). The guild and the cost
 * are read back from the reservation record, so charges of jobs resumed after a restart count too.
 */
export function instrumentQuota<Q extends QuotaGate>(quota: Q, metrics: BotMetrics, store: Store): Q {
  const usage = createUsageRepository(store);
  return {
    ...quota,
    async charge(reservationId, outcome, details) {
      const charged = await quota.charge(reservationId, outcome, details);
      if (charged) {
        const record = await usage.readReservation(reservationId).catch(() => undefined);
        if (record) metrics.creditsSpent.inc({ guild: record.guildId }, record.cost);
      }
      return charged;
    },
    async settleAlong(guildId, reservationId, settlement, also, held) {
      const settled = await quota.settleAlong(guildId, reservationId, settlement, also, held);
      if (settled && reservationId && settlement.outcome === 'charged') {
        const record = await usage.readReservation(reservationId).catch(() => undefined);
        if (record) metrics.creditsSpent.inc({ guild: record.guildId }, record.cost);
      }
      return settled;
    },
  };
}
