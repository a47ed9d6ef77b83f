import type { JobDeps } from './deps.js';
import { giveUp } from './failures.js';
import { isFinal, reservationIdFor } from './job.js';

/** Which guilds' jobs this process serves; absent means all of them (one process, no sharding). */
export interface JobScope {
  ownsGuild?: (guildId: string) => boolean;
}

/**
 * After a start, every job that is not final continues from its stored state: jobs the
 * provider knows are polled again, finished ones are delivered, and jobs that never reached the
 * provider (or may have, without us learning the task id) are released, never submitted twice.
 * With sharding, only the jobs of guilds this process owns are touched: the index is shared.
 */
export async function recoverJobs(deps: JobDeps & JobScope): Promise<void> {
  const ownsGuild = deps.ownsGuild ?? (() => true);
  const ids = await deps.jobs.activeIds();
  const now = deps.clock();
  let resumed = 0;
  let others = 0;
  for (const id of ids) {
    const job = await deps.jobs.get(id);
    // Another shard's job, even a final one: its owner cleans it up, we must not race it.
    if (job && !ownsGuild(job.guildId)) {
      others += 1;
      continue;
    }
    if (!job) {
      // A record this version cannot read may belong to a newer one still running it (a rolling
      // upgrade of shards): left alone. One that is gone must not keep the member's credits and
      // concurrency slot held for a job nobody follows.
      if (await deps.jobs.exists(id)) {
        deps.logger.error({ jobId: id }, 'job in flight has a record this version cannot read; leaving it alone');
        others += 1;
        continue;
      }
      deps.logger.warn({ jobId: id }, 'job in flight has no record; releasing its reservation');
      await deps.quota.release(reservationIdFor(id), 'cancelled');
      await deps.jobs.delete(id).catch(() => undefined);
      continue;
    }
    // A final job still indexed as active (a crash between the two writes): re-saving fixes the
    // index and keeps the record, which the buttons under its video still read.
    if (isFinal(job.state)) {
      await deps.jobs.save(job);
      continue;
    }
    if (job.taskId) {
      deps.scheduler.schedule(id, Math.max(now, job.poll.nextAt));
      resumed += 1;
      continue;
    }
    // An `accepted` job was never acknowledged in Discord: there is no reply to tell.
    await giveUp(deps, job, { reason: 'restarted', release: 'never_submitted', tell: job.state !== 'accepted' });
  }
  if (ids.length > others) deps.logger.info({ resumed, total: ids.length - others }, 'jobs recovered from the store');
}
