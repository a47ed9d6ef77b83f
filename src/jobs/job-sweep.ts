import type { JobDeps } from './deps.js';
import { carryOutOutbox } from './job-ending.js';
import { isFinal } from './job.js';
import type { JobScope } from './job-recovery.js';

/** What one sweep found and mended. */
export interface SweepReport {
  /** Reservations still held whose job had ended or whose record was gone: settled now. */
  settled: number;
  /** Endings whose message was still owed: carried out now. */
  told: number;
}

/**
 * Reconciles held reservations with job records, so no path, whatever its cause (a crash of an
 * older version between two writes, a hand-edited store), can keep a concurrency slot or credits
 * held for a job nobody follows: a reservation whose job is final is settled as the job ended
 * (charged when delivered, else released); one whose job record is gone is released. Unreadable
 * records (maybe a newer version's) and jobs of guilds another shard owns are left alone. Runs at
 * start, periodically, and before `/quota reset` (`guildId` limits it to one guild).
 */
export async function sweepJobs(deps: JobDeps & JobScope, guildId?: string): Promise<SweepReport> {
  const ownsGuild = deps.ownsGuild ?? (() => true);
  const report: SweepReport = { settled: 0, told: 0 };
  for (const held of await deps.quota.heldReservations(guildId)) {
    if ((guildId !== undefined && held.guildId !== guildId) || !ownsGuild(held.guildId)) continue;
    const job = await deps.jobs.get(held.jobId);
    if (!job) {
      // Being accepted right now (the record is written first), or unreadable: not ours to settle.
      if (await deps.jobs.exists(held.jobId)) continue;
      if (deps.clock() - held.reservedAt < 60_000) continue;
      const released = await deps.quota.release(held.reservationId, 'vanished');
      if (released) {
        report.settled += 1;
        deps.logger.warn({ jobId: held.jobId, guildId: held.guildId }, 'sweep: released the reservation of a job whose record is gone');
      }
      continue;
    }
    if (!isFinal(job.state)) continue;
    const settled =
      job.state === 'delivered'
        ? await deps.quota.charge(held.reservationId, job.result?.delivery === 'link' ? 'delivered_as_link' : 'delivered', {
            taskId: job.taskId,
          })
        : await deps.quota.release(held.reservationId, 'reconciled', { taskId: job.taskId });
    if (settled) {
      report.settled += 1;
      deps.logger.warn({ jobId: job.id, guildId: job.guildId, state: job.state }, 'sweep: settled the reservation of a job that had ended');
    }
  }
  if (guildId === undefined) {
    for (const id of await deps.jobs.activeIds()) {
      if (deps.scheduler.has(id)) continue;
      const job = await deps.jobs.get(id);
      if (!job || !ownsGuild(job.guildId) || !isFinal(job.state) || !job.outbox) continue;
      await carryOutOutbox(deps, job);
      report.told += 1;
    }
  }
  return report;
}
