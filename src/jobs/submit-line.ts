import { z } from 'zod';
import type { Store } from '../store/types.js';
import type { Job } from './job.js';
import type { JobRepository } from './job-repository.js';
import { lineOrder, nextInLine, NO_TURNS, startTimes, takeTurn, type SubmitBudget, type Turns } from './line-order.js';

const TURNS_KEY = 'queue:turns';
/** The turns record as last read or written, by store, for stores one process owns (see `createSubmitLine`). */
const knownTurns = new WeakMap<Store, Turns>();
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
  /**
   * The waiting jobs of `eligible` guilds (default all) with their place in the whole line (every
   * guild's jobs count) and estimated start times, in line order.
   */
  places(now: number, eligible?: (guildId: string) => boolean): Promise<LinePlace[]>;
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

/** The line on `store`, with `budget` for its start estimates. */
export function createSubmitLine(store: Store, jobs: JobRepository, budget: SubmitBudget): SubmitLine {
  // On a store only this process uses (SQLite, memory), the turns it wrote last are the record:
  // read and validated once, then kept. The line reads them on every pick and every showing of
  // places; with a few hundred guilds waiting, validating the record each time was most of what
  // the bot allocated while a burst of /video waited for its acknowledgements (issue 15). On Redis
  // other processes take turns too: read every time.
  // Kept per store, not per line: every line on one store (two job engines on one memory store,
  // in tests) sees the turns any of them took.
  const ownsStore = store.kind !== 'redis';
  const readTurns = async (): Promise<Turns> => {
    const known = knownTurns.get(store);
    if (known) return known;
    const parsed = turnsSchema.safeParse(await store.kv.get(TURNS_KEY));
    // An unreadable record only costs fairness for a moment: everyone counts as not served yet.
    const turns = parsed.success ? parsed.data : NO_TURNS;
    if (ownsStore) knownTurns.set(store, turns);
    return turns;
  };

  return {
    async places(now, eligible = () => true) {
      const turns = await readTurns();
      const order = lineOrder(await jobs.waitingEntries(), turns);
      const starts = startTimes(order.length, turns.recent, budget, now);
      // Records are read only for the places asked for (this process' own jobs).
      const places = await Promise.all(
        order.map(async (entry, i) => {
          if (!eligible(entry.guildId)) return undefined;
          const job = await jobs.get(entry.jobId);
          return job?.state === 'waiting' ? { job, position: i + 1, startsAt: starts[i] ?? now } : undefined;
        }),
      );
      return places.filter((place): place is LinePlace => place !== undefined);
    },

    async hasWaiting(eligible) {
      return (await jobs.waitingEntries()).some((entry) => eligible(entry.guildId));
    },

    pick: (eligible, now) =>
      store.withLock(LINE_LOCK, async (lineLease) => {
        const all = await jobs.waitingEntries();
        const turns = await readTurns();
        let candidates = all.filter((e) => eligible(e.guildId));
        for (let entry = nextInLine(candidates, turns); entry; entry = nextInLine(candidates, turns)) {
          const chosen = entry;
          const taken = await jobs.withLock(chosen.jobId, async (jobLease) => {
            const current = await jobs.get(chosen.jobId);
            if (current?.state !== 'waiting') {
              // Cancelled, or left in the index by a crash between two writes: not in line any more.
              await jobs.unlist(chosen);
              return undefined;
            }
            const next: Job = { ...current, state: 'submitting', updatedAt: now };
            const after = takeTurn(
              turns,
              chosen,
              now,
              all.filter((e) => e.jobId !== chosen.jobId),
              budget,
            );
            await store.commit([jobs.entryFor(next), { key: TURNS_KEY, value: after }], [lineLease, jobLease]);
            // Written (a failed commit throws, leaving the record and what is kept as they were).
            if (ownsStore) knownTurns.set(store, after);
            await jobs.index(next);
            return next;
          });
          if (taken) return taken;
          candidates = candidates.filter((e) => e.jobId !== chosen.jobId);
        }
        return undefined;
      }),
  };
}
