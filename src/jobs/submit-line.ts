import { z } from 'zod';
import type { Store } from '../store/types.js';
import { writeAllChecked } from '../quota/record-io.js';
import type { Job } from './job.js';
import type { JobRepository } from './job-repository.js';
import { lineOrder, NO_TURNS, startTimes, takeTurn, type LineEntry, type SubmitBudget, type Turns } from './line-order.js';

const TURNS_KEY = 'queue:turns';
const LINE_LOCK = 'queue:line';

const turnsSchema = z.object({
  count: z.number(),
  guilds: z.record(z.string(), z.number()),
  members: z.record(z.string(), z.number()),
  recent: z.array(z.number()),
});

/** A waiting job's place in line (1 = next) and when its turn should come (ms epoch). */
export interface LinePlace {
  job: Job;
  position: number;
  startsAt: number;
}

/**
 * The line of jobs waiting for the provider's submission budget, kept in the store: a job is in
 * it while its record says `waiting` (written with its reservation's record, indexed in a set);
 * the turns taken (who went last) are one record. On Redis every shard process sees the same line.
 */
export interface SubmitLine {
  /** Every waiting job in the order it will go, with estimated start times. */
  places(now: number): Promise<LinePlace[]>;
  /** True when a job waits whose guild `eligible` accepts. */
  hasWaiting(eligible: (guildId: string) => boolean): Promise<boolean>;
  /**
   * Takes the next job in fair order among those `eligible` accepts and marks it `submitting`, with
   * the turn, in one atomic write under the line's lock (shared by every process on the store) and
   * the job's lock: a cancel of that job happens wholly before (the pick skips it) or after (the
   * cancel sees it is too late). Undefined when nothing eligible waits.
   */
  pick(eligible: (guildId: string) => boolean, now: number): Promise<Job | undefined>;
}

const entryOf = (job: Job): LineEntry => ({ jobId: job.id, guildId: job.guildId, userId: job.userId, enqueuedAt: job.createdAt });

/** The line on `store`, with `budget` for its start estimates. */
export function createSubmitLine(store: Store, jobs: JobRepository, budget: SubmitBudget): SubmitLine {
  const waiting = async (): Promise<Job[]> => {
    const records = await Promise.all((await jobs.waitingIds()).map((id) => jobs.get(id)));
    return records.filter((job): job is Job => job?.state === 'waiting');
  };
  const readTurns = async (): Promise<Turns> => {
    const parsed = turnsSchema.safeParse(await store.kv.get(TURNS_KEY));
    // An unreadable record only costs fairness for a moment: everyone counts as not served yet.
    return parsed.success ? parsed.data : NO_TURNS;
  };

  return {
    async places(now) {
      const all = await waiting();
      const byId = new Map(all.map((job) => [job.id, job]));
      const turns = await readTurns();
      const order = lineOrder(all.map(entryOf), turns);
      const starts = startTimes(order.length, turns.recent, budget, now);
      return order.map((entry, i) => ({ job: byId.get(entry.jobId) as Job, position: i + 1, startsAt: starts[i] ?? now }));
    },

    async hasWaiting(eligible) {
      return (await waiting()).some((job) => eligible(job.guildId));
    },

    pick: (eligible, now) =>
      store.withLock(LINE_LOCK, async () => {
        const all = (await waiting()).map(entryOf);
        const turns = await readTurns();
        for (const entry of lineOrder(all.filter((e) => eligible(e.guildId)), turns)) {
          const taken = await jobs.withLock(entry.jobId, async () => {
            const current = await jobs.get(entry.jobId);
            if (current?.state !== 'waiting') return undefined;
            const next: Job = { ...current, state: 'submitting', updatedAt: now };
            const after = takeTurn(turns, entry, now, all.filter((e) => e.jobId !== entry.jobId), budget);
            await writeAllChecked(store.kv, [jobs.entryFor(next), { key: TURNS_KEY, value: after }]);
            await jobs.index(next);
            return next;
          });
          if (taken) return taken;
        }
        return undefined;
      }),
  };
}
