import { createJobRepository } from '../jobs/job-repository.js';
import { isFinal } from '../jobs/job.js';
import type { Store } from '../store/types.js';

// Reads in slices so a scrape with thousands of jobs in flight does not flood the store at once.
const BATCH = 100;

/**
 * Counts the jobs in flight by state, from the store's index of jobs that are not final. With
 * sharding each process counts only its own guilds, so summing the shards' series is correct.
 */
export function createJobCensus(store: Store, ownsGuild: (guildId: string) => boolean = () => true): () => Promise<Record<string, number>> {
  const jobs = createJobRepository(store);
  return async () => {
    const ids = await jobs.activeIds();
    const counts: Record<string, number> = {};
    for (let i = 0; i < ids.length; i += BATCH) {
      const slice = await Promise.all(ids.slice(i, i + BATCH).map((id) => jobs.get(id)));
      for (const job of slice) {
        if (!job || isFinal(job.state) || !ownsGuild(job.guildId)) continue;
        counts[job.state] = (counts[job.state] ?? 0) + 1;
      }
    }
    return counts;
  };
}
