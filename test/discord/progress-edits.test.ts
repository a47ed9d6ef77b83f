import { describe, expect, it } from 'vitest';
import { createProgressEdits } from '../../src/discord/progress-edits.js';
import type { ReplyChannel } from '../../src/discord/reply-channel.js';
import type { Job } from '../../src/jobs/job.js';
import { sampleJob } from '../support/jobs.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A reply channel whose edits take `ms` to land; records what each edit showed. */
function slowChannel(ms: number) {
  const shown: string[] = [];
  const channel = {
    editReply: async (_job: Job, payload: { body: { content?: string } }) => {
      await pause(ms);
      shown.push(payload.body.content ?? '');
      return 'ok' as const;
    },
  } as unknown as ReplyChannel;
  return { channel, shown };
}

const view = (content: string) => ({ body: { content } });

describe('progress edits', () => {
  it('GIVEN an edit in flight WHEN the same view is asked for again THEN it is not sent a second time', async () => {
    const { channel, shown } = slowChannel(40);
    const edits = createProgressEdits(channel, Date.now, 0);
    const job = sampleJob({ id: 'pe1' });
    edits.show(job, view('Generating 40%'));
    await pause(10);
    edits.show(job, view('Generating 40%'));
    await pause(120);
    expect(shown).toEqual(['Generating 40%']);
  });

  it('GIVEN an edit in flight and a newer view pending WHEN the view in flight is asked for again THEN the pending one is dropped: one edit for what the member will see', async () => {
    const { channel, shown } = slowChannel(40);
    const edits = createProgressEdits(channel, Date.now, 0);
    const job = sampleJob({ id: 'pe2' });
    edits.show(job, view('Queued'));
    await pause(10);
    edits.show(job, view('Generating 10%'));
    edits.show(job, view('Queued'));
    await pause(120);
    expect(shown).toEqual(['Queued']);
    edits.show(job, view('Generating 20%'));
    await pause(80);
    expect(shown).toEqual(['Queued', 'Generating 20%']);
  });
});
