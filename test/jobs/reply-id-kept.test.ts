import { describe, expect, it } from 'vitest';
import { createJobRepository } from '../../src/jobs/job-repository.js';
import { sampleJob } from '../support/jobs.js';
import { sqliteFilePerTest } from '../support/sqlite.js';

// A job whose reads of its reply all failed learns the reply's id later, from the answer to an
// edit (JobService.learnReplyId, under the job's lock), while the poller may be writing an older
// copy of the same job that has no id. Whatever the timing, the record keeps the id and the
// poller's progress: the member's /videos links to the reply, and the reply stays reachable after
// a restart once the interaction token is too old.

const REPLY_ID = '1500000000000000009';

describe("a reply's id learned while the poller writes an older copy", () => {
  const { openSqlite } = sqliteFilePerTest('hvb-reply-id-kept-');
  // How far apart the two writes start, in turns of the microtask queue: the learning write lands
  // between the poller's read and its write for some of them.
  for (const ticks of [0, 1, 2, 3, 5, 8]) {
    it(`GIVEN the id is learned ${ticks} microtask turns after the poller starts saving WHEN both are done THEN the record has the id and the poller's progress`, async () => {
      const jobs = createJobRepository(await openSqlite());
      const job = sampleJob({ id: `jk${ticks}`, state: 'processing' });
      await jobs.save(job);
      const older = await jobs.get(job.id);
      if (!older) throw new Error('the job was not saved');
      const saving = jobs.save({ ...older, progress: { ...older.progress, percent: 40 } });
      for (let i = 0; i < ticks; i += 1) await Promise.resolve();
      const learning = jobs.update(job.id, (current) =>
        current.reply.messageId === null ? { ...current, reply: { ...current.reply, messageId: REPLY_ID } } : undefined,
      );
      await Promise.all([saving, learning]);
      const stored = await jobs.get(job.id);
      expect({ messageId: stored?.reply.messageId, percent: stored?.progress.percent }).toEqual({ messageId: REPLY_ID, percent: 40 });
    });
  }
});
