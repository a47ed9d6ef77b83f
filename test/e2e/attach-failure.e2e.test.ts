import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { stallingStore } from '../support/stalling-store.js';
import { startHarness, videoCommand, type Harness } from './harness.js';

describe('one failed store call between the deferral and joining the line', () => {
  let h: Harness;
  let control: ReturnType<typeof stallingStore>;
  const dir = mkdtempSync(join(tmpdir(), 'hvb-review-'));
  beforeAll(async () => {
    h = await startHarness({
      env: { QUOTA_DEFAULT_LIMIT: '5' },
      store: async () => {
        control = stallingStore(await openStore(`sqlite://${join(dir, 'b.sqlite')}`));
        return control.store;
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('GIVEN attachMessage fails once WHEN the member ran /video THEN the job is ended and its credits released while the bot runs', async () => {
    control.failNextLock('job:');
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'blip after the deferral' }));
    await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    await new Promise((r) => setTimeout(r, 1_500));
    const standing = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
    // Given up at once: no credit held, nothing sent to the provider, and the member was told.
    expect(standing.guildUsed).toBe(0);
    expect(h.provider.submissions.length).toBe(0);
    expect(h.discord.originalResponse(id)?.content).toContain('Something went wrong');
  });
});
