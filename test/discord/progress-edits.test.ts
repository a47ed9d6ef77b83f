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

/** A reply channel whose edits land only when the test lets them; records what each edit showed, per job. */
function heldChannel() {
  const sent: Array<{ jobId: string; content: string }> = [];
  const held: Array<() => void> = [];
  const channel = {
    editReply: (job: Job, payload: { body: { content?: string } }) => {
      sent.push({ jobId: job.id, content: payload.body.content ?? '' });
      return new Promise<'ok'>((resolve) => held.push(() => resolve('ok')));
    },
  } as unknown as ReplyChannel;
  const landAll = async () => {
    for (const land of held.splice(0)) land();
    await pause(5);
  };
  return { channel, sent, landAll };
}

describe('progress edits when many replies change at once', () => {
  it('GIVEN one edit slot taken WHEN another reply changes twice while it waits for the slot THEN it is edited once, with the newest view: nothing stale goes out', async () => {
    const { channel, sent, landAll } = heldChannel();
    const edits = createProgressEdits(channel, Date.now, 0, 1, 60_000);
    const a = sampleJob({ id: 'slotA' });
    const b = sampleJob({ id: 'slotB' });
    edits.show(a, view('A: 3rd in line'));
    edits.show(b, view('B: 649th in line'));
    edits.show(b, view('B: Queued 0%'));
    expect(sent).toEqual([{ jobId: 'slotA', content: 'A: 3rd in line' }]);
    await landAll();
    expect(sent.map((s) => s.content)).toEqual(['A: 3rd in line', 'B: Queued 0%']);
    await landAll();
    expect(sent).toHaveLength(2);
  });

  it('GIVEN replies waiting for a slot WHEN slots free up THEN they go in the order they asked, and one whose newest view is what it already shows is skipped', async () => {
    const { channel, sent, landAll } = heldChannel();
    const edits = createProgressEdits(channel, Date.now, 0, 1, 60_000);
    const [a, b, c] = ['ordA', 'ordB', 'ordC'].map((id) => sampleJob({ id }));
    edits.show(a!, view('A1'));
    edits.show(b!, view('B1'));
    edits.show(c!, view('C1'));
    await landAll();
    await landAll();
    await landAll();
    expect(sent.map((s) => s.content)).toEqual(['A1', 'B1', 'C1']);
    edits.show(a!, view('A2'));
    edits.show(b!, view('B2'));
    // B goes back to what it shows before its turn comes: no edit for it.
    edits.show(b!, view('B1'));
    edits.show(c!, view('C2'));
    await landAll();
    await landAll();
    await landAll();
    expect(sent.map((s) => s.content)).toEqual(['A1', 'B1', 'C1', 'A2', 'C2']);
  });

  it('GIVEN an edit that hangs (a rate-limited route) WHEN it has held its slot past the hold time THEN the next reply is edited anyway', async () => {
    const { channel, sent } = heldChannel();
    const edits = createProgressEdits(channel, Date.now, 0, 1, 30);
    edits.show(sampleJob({ id: 'hang1' }), view('first'));
    edits.show(sampleJob({ id: 'hang2' }), view('second'));
    expect(sent).toHaveLength(1);
    await pause(60);
    expect(sent.map((s) => s.content)).toEqual(['first', 'second']);
  });
});
