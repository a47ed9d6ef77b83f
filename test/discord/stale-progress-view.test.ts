import { describe, expect, it } from 'vitest';
import { createProgressEdits } from '../../src/discord/progress-edits.js';
import type { ReplyChannel } from '../../src/discord/reply-channel.js';
import type { Job } from '../../src/jobs/job.js';
import { sampleJob } from '../support/jobs.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a progress view drawn from a record read before the job ended', () => {
  it('GIVEN the final "cancelled" message was written (settle) WHEN the dispatcher\'s stale "2nd in line [Cancel]" view arrives THEN it must not overwrite the final message', async () => {
    const shown: string[] = [];
    const channel = {
      editReply: async (_job: Job, payload: { body: { content?: string } }) => {
        shown.push(payload.body.content ?? '');
        return 'ok' as const;
      },
    } as unknown as ReplyChannel;
    const edits = createProgressEdits(channel, Date.now, 0);
    const waiting = sampleJob({ id: 'stale1', state: 'waiting', updatedAt: 1_000 });
    edits.show(waiting, { body: { content: '1st in line [Cancel]' } });
    await pause(20);
    // line.places() read `waiting` ... meanwhile the member pressed Cancel: endJob → reporter.failed
    await edits.settle(waiting.id);
    shown.push('FINAL: cancelled by @member'); // what writeFinal put in the reply
    // ... and now the dispatcher's show() calls reporter.progress with the record it read before
    edits.show(waiting, { body: { content: '1st in line [Cancel]' } });
    await pause(50);
    expect(shown.at(-1)).toBe('FINAL: cancelled by @member');
  });
});
