import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStallingHarness, videoCommand, type Harness, type StoreFaults } from './harness.js';

describe('a /video whose store call fails after the early public acknowledgement', () => {
  let h: Harness;
  let control: StoreFaults;
  beforeAll(async () => {
    ({ h, faults: control } = await startStallingHarness());
  });
  afterAll(async () => {
    control?.heal();
    await h?.close();
  });

  it('GIVEN the store stalls 2.5 s then errors WHEN a member runs /video THEN the member reads "something went wrong" once, in the reply the early acknowledgement made (no second message)', async () => {
    control.failFor(2_500);
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a failing store' }));
    await new Promise((r) => setTimeout(r, 5_000));
    control.heal();
    const reply = h.discord.originalResponse(id);
    // The guard acknowledged publicly (a /video reply is public); the error is said in that reply,
    // which a later ending can still edit, rather than in a second message.
    expect(reply?.content ?? '').toContain('Something went wrong');
    expect(h.discord.followUps(id).filter((m) => m.content.includes('Something went wrong'))).toHaveLength(0);
  });
});
