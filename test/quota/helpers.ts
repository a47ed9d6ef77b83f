import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { createQuotaService, type QuotaServiceOptions } from '../../src/quota/quota-service.js';
import type { ReservationRequest, ReserveResult } from '../../src/quota/types.js';

/** A clock the test moves by hand. */
export function testClock(iso = '2026-11-25T12:00:00.000Z') {
  let now = Date.parse(iso);
  return {
    now: () => now,
    set: (next: string) => {
      now = Date.parse(next);
    },
  };
}

let jobSeq = 0;

/** A plausible request: guild g1, member u1, channel c1, 1 credit, harmless prompt. */
export function request(overrides: Partial<ReservationRequest> & { model?: ReservationRequest['model'] } = {}): ReservationRequest {
  jobSeq += 1;
  return {
    jobId: `job-${jobSeq}`,
    guildId: 'g1',
    userId: 'u1',
    channelId: 'c1',
    roleIds: [],
    cost: 1,
    prompt: 'a cat surfing a wave at sunset',
    model: 'MiniMax-Hailuo-2.3',
    resolution: '768p',
    duration: 6,
    ...overrides,
  };
}

/** A quota service on a fresh in-memory store, defaults 10 credits a day unless told otherwise. */
export async function memoryQuota(options: Partial<Omit<QuotaServiceOptions, 'store' | 'clock'>> = {}) {
  const store = await openStore('memory://');
  return { store, ...quotaOn(store, options) };
}

/** A quota service with a test clock on the given store. */
export function quotaOn(store: Store, options: Partial<Omit<QuotaServiceOptions, 'store' | 'clock'>> = {}, clock = testClock()) {
  const quota = createQuotaService({ store, clock: clock.now, defaults: { limit: 10, period: 'day' }, ...options });
  return { clock, quota };
}

/** The reservation id of a granted request; fails the test otherwise. */
export function granted(result: ReserveResult): string {
  if (!result.ok) throw new Error(`expected the reservation to be granted, got ${JSON.stringify(result.refusal)}`);
  return result.reservationId;
}
