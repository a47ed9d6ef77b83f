import { z } from 'zod';
import type { Store } from '../store/types.js';
import type { Logger } from '../log.js';
import { isFinal, type Job } from './job.js';
import type { JobRepository } from './job-repository.js';
import { DAY_MS } from '../time.js';

const indexKey = (guildId: string, userId: string) => `history:${guildId}:${userId}`;
/** Jobs created on one UTC day, so the sweep finds old records without reading every job. */
const dayKey = (day: string) => `history:day:${day}`;
/** The day buckets that exist (a set of `YYYY-MM-DD`). */
const DAYS_SET = 'history:days';
const SWEEP_LOCK = 'history:sweep';

const indexSchema = z.object({
  version: z.literal(1),
  /** Newest first. `at`: when the job was created (ms). */
  entries: z.array(z.object({ jobId: z.string(), at: z.number() })),
});
type HistoryIndex = z.infer<typeof indexSchema>;

const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** One page of a member's videos, newest first. */
export interface HistoryPage {
  jobs: Job[];
  /** How many videos the member has in the index in all (for "page 2 of 5"). */
  total: number;
  offset: number;
}

export interface JobHistory {
  /** Adds an accepted job to its member's history in its guild (idempotent). */
  record(job: Job): Promise<void>;
  /**
   * The member's videos in one guild, newest first, `limit` from `offset`. Records that are gone
   * (swept, or unreadable) are skipped and dropped from the index.
   */
  page(guildId: string, userId: string, offset: number, limit: number): Promise<HistoryPage>;
  /**
   * Removes finished jobs that ended more than the retention ago, and their index entries.
   * Jobs still in flight are kept whatever their age. Returns how many records were removed.
   */
  sweep(): Promise<number>;
}

export interface JobHistoryOptions {
  store: Store;
  jobs: JobRepository;
  /** How long a finished job's record is kept (HISTORY_DAYS), in ms. */
  retainMs: number;
  clock?: () => number;
  logger?: Logger;
}

/**
 * Members' video history: a per-guild-per-member index of job ids (newest first) plus one bucket
 * of job ids per UTC day, which the sweep walks to remove records older than the retention. All
 * of it lives in the store, under the store's locks, so every shard process sees the same history.
 */
export function createJobHistory(options: JobHistoryOptions): JobHistory {
  const { store, jobs, retainMs } = options;
  const clock = options.clock ?? Date.now;

  const readIndex = async (key: string): Promise<HistoryIndex> => {
    const parsed = indexSchema.safeParse(await store.kv.get(key));
    return parsed.success ? parsed.data : { version: 1, entries: [] };
  };

  /** Changes one member's index under its lock; `change` returns the entries to keep. */
  const updateIndex = (guildId: string, userId: string, change: (entries: HistoryIndex['entries']) => HistoryIndex['entries']) => {
    const key = indexKey(guildId, userId);
    return store.withLock(key, async (lease) => {
      const current = await readIndex(key);
      const entries = change(current.entries);
      if (entries === current.entries) return;
      // Written (or removed) only while the lock is still ours (checked with the write on Redis),
      // so a holder that stalled past its lease cannot undo what another process wrote.
      if (entries.length === 0) await store.commit([], [lease], { remove: [key] });
      else await store.commit([{ key, value: { version: 1, entries } satisfies HistoryIndex }], [lease]);
    });
  };

  const forget = (guildId: string, userId: string, ids: ReadonlySet<string>) =>
    updateIndex(guildId, userId, (entries) => {
      const kept = entries.filter((entry) => !ids.has(entry.jobId));
      return kept.length === entries.length ? entries : kept;
    });

  return {
    async record(job) {
      const day = utcDay(job.createdAt);
      await store.addToSet(dayKey(day), job.id);
      await store.addToSet(DAYS_SET, day);
      await updateIndex(job.guildId, job.userId, (entries) => {
        if (entries.some((entry) => entry.jobId === job.id)) return entries;
        return [{ jobId: job.id, at: job.createdAt }, ...entries].sort((a, b) => b.at - a.at);
      });
    },

    async page(guildId, userId, offset, limit) {
      const { entries } = await readIndex(indexKey(guildId, userId));
      const start = Math.max(0, Math.min(offset, Math.max(0, entries.length - 1)));
      const found: Job[] = [];
      const missing = new Set<string>();
      // Reads past the page when records are gone, so a page is full whenever the member has more.
      for (let i = start; i < entries.length && found.length < limit; i += 1) {
        const entry = entries[i];
        if (!entry) continue;
        const job = await jobs.get(entry.jobId);
        if (job && job.guildId === guildId && job.userId === userId) found.push(job);
        else missing.add(entry.jobId);
      }
      if (missing.size > 0) await forget(guildId, userId, missing);
      return { jobs: found, total: entries.length - missing.size, offset: start };
    },

    async sweep() {
      return store.withLock(SWEEP_LOCK, async () => {
        const now = clock();
        const cutoff = now - retainMs;
        let removed = 0;
        const days = (await store.setMembers(DAYS_SET)).sort();
        for (const day of days) {
          // A bucket holds jobs created that day; none of them can have ended before the day began.
          const dayEnd = Date.parse(`${day}T00:00:00.000Z`) + DAY_MS;
          if (!Number.isFinite(dayEnd) || dayEnd > cutoff + DAY_MS) continue;
          const ids = await store.setMembers(dayKey(day));
          let kept = 0;
          for (const id of ids) {
            const job = await jobs.get(id);
            if (job && !isFinal(job.state)) {
              kept += 1;
              continue;
            }
            if (job) {
              const endedAt = job.finishedAt ?? job.updatedAt;
              if (endedAt > cutoff) {
                kept += 1;
                continue;
              }
              await forget(job.guildId, job.userId, new Set([id]));
              await jobs.delete(id);
              removed += 1;
            } else if (await jobs.exists(id)) {
              // Unreadable by this version (a newer one may still use it): left alone.
              kept += 1;
              continue;
            }
            await store.removeFromSet(dayKey(day), id);
          }
          if (kept === 0) await store.removeFromSet(DAYS_SET, day);
        }
        if (removed > 0) options.logger?.info({ removed, retainDays: retainMs / DAY_MS }, 'old job records removed');
        return removed;
      });
    },
  };
}
