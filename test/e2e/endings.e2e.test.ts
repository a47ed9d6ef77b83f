import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { createQuotaService } from '../../src/quota/quota-service.js';
import type { Store } from '../../src/store/types.js';
import type { FakeMessage } from '../fakes/discord/index.js';
import { dyingStore, writesJobIn } from '../support/dying-store.js';
import { eventually } from '../support/job-engine.js';
import { startHarness, videoCommand, type Harness } from './harness.js';

const text = (message: FakeMessage | undefined) => JSON.stringify([message?.content, message?.embeds]);
const promptOf = (body: unknown) => (body as { prompt: string }).prompt;
type DiesAt = Parameters<typeof dyingStore>[1];

/**
 * The failing cases of issue 11 (and 12.2), each reproduced in-process: the bot's store "dies"
 * at the write where the process was SIGKILLed (nothing after it reaches the store), the bot is
 * stopped and started again on the same SQLite file, and the test checks what the member finally
 * sees and what was charged.
 */
describe('job endings survive a death at the worst moment (real client, fakes)', () => {
  let h: Harness;
  let dir: string;
  let nextDeath: DiesAt | undefined;
  let file: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hvb-endings-'));
    file = join(dir, 'bot.sqlite');
    // The first boot may get a store that dies; every later boot (the restart) a healthy one.
    const store = async (): Promise<Store> => {
      const opened = await openStore(`sqlite://${file}`);
      const dies = nextDeath;
      nextDeath = undefined;
      return dies ? dyingStore(opened, dies).store : opened;
    };
    nextDeath = undefined;
    h = await startHarness({ provider: { pollsToComplete: null }, env: { STORE_URL: `sqlite://${file}` }, store });
  });
  afterEach(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const guild = () => h.discord.defaultGuildId;
  const member = () => h.discord.defaultUser.id;
  /** Restarts the bot, whose next store dies at `diesAt` (the "process" of this run). */
  const rebootDyingAt = async (diesAt: DiesAt) => {
    nextDeath = diesAt;
    await h.restart();
  };
  const start = async (prompt: string, who?: { id: string; username: string }) => {
    const { id } = h.discord.dispatchInteraction({ ...videoCommand({ prompt }), ...(who ? { user: who } : {}) });
    const taskId = await h.discord.waitFor(() => h.provider.submissions.find((s) => promptOf(s.body) === prompt)?.taskId);
    return { id, taskId };
  };
  const uploads = () => h.discord.requests.filter((r) => r.files.length > 0 && r.status < 300);

  it('case 1 + 5: GIVEN a server allowing 1 video at once WHEN the bot dies right after the video was posted (before its ending was saved) THEN after restart the video is not posted or pinged again, it is charged once and the server can make the next video', async () => {
    await h.bot.context.quota.setPolicy(guild(), { maxConcurrent: 1 });
    await rebootDyingAt((w) => writesJobIn(w, 'delivered'));
    const { id, taskId } = await start('posted just before the kill');
    h.provider.completeTask(taskId);
    const delivered = await h.discord.waitFor(() =>
      h.discord.originalResponse(id)?.attachments.length ? h.discord.originalResponse(id) : undefined,
    );
    await h.discord.waitFor(() => h.discord.followUps(id).length > 0);

    await h.restart();
    // The restarted bot recognises the delivered reply and records the ending.
    await eventually(async () => (await h.bot.context.quota.ledger(guild())).length > 0);
    expect(await h.bot.context.quota.ledger(guild())).toEqual([
      expect.objectContaining({ outcome: 'charged', reason: 'delivered', taskId }),
    ]);
    expect(uploads()).toHaveLength(1);
    expect(h.discord.followUps(id)).toHaveLength(1);
    const after = h.discord.originalResponse(id);
    expect(after?.attachments).toHaveLength(1);
    expect(text(after)).toBe(text(delivered));
    expect(await h.bot.context.quota.memberStanding(guild(), member(), [])).toMatchObject({ used: 1, inFlight: [] });

    const next = await start('the next video in a 1-at-once server', { id: '130000000000000077', username: 'next' });
    expect(next.taskId).toBeTruthy();
  });

  it('case 1 (old data): GIVEN a delivered job whose reservation was left held by an older version WHEN an admin runs /quota reset THEN the leaked slot is settled, not kept, and the next /video starts', async () => {
    await h.bot.context.quota.setPolicy(guild(), { maxConcurrent: 1 });
    // An older version saved the final state, then died before charging.
    const { id, taskId } = await start('left held by an older version');
    h.provider.completeTask(taskId);
    await h.discord.waitFor(() => h.discord.originalResponse(id)?.attachments.length);
    await eventually(async () => (await h.bot.context.quota.ledger(guild())).length > 0);
    const store = await openStore(`sqlite://${file}`);
    const quota = createQuotaService({ store, defaults: { limit: 20, period: 'day' } });
    const [line] = await quota.ledger(guild());
    expect(line).toBeDefined();
    const reservation = line ? await store.kv.get(`quota:reservation:${line.reservationId}`) : undefined;
    await store.kv.set(`quota:reservation:${line?.reservationId}`, {
      ...(reservation as object),
      state: 'held',
      settledAt: undefined,
      outcome: undefined,
      settlement: undefined,
    });
    await store.kv.set(`quota:inflight:${guild()}`, {
      [line?.reservationId ?? '']: { userId: member(), jobId: line?.jobId, cost: 1, periodKey: 'day:x', counted: false, reservedAt: 0 },
    });
    await store.kv.delete(`quota:ledger:${guild()}:${(await quota.memberStanding(guild(), member(), [])).periodKey}`);
    expect((await quota.memberStanding(guild(), member(), [])).inFlight).toHaveLength(1);
    await store.close();

    const reset = h.discord.dispatchInteraction({
      commandName: 'quota',
      subcommand: 'reset',
      options: [],
      user: { id: '120000000000000001', username: 'admin' },
      memberPermissions: String(1 << 5),
    });
    await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === reset.id));
    await eventually(async () => (await h.bot.context.quota.memberStanding(guild(), member(), [])).inFlight.length === 0);
    expect(await h.bot.context.quota.ledger(guild())).toEqual([expect.objectContaining({ outcome: 'charged', taskId })]);
    const next = await start('after the sweep', { id: '130000000000000078', username: 'after' });
    expect(next.taskId).toBeTruthy();
  });

  it('case 2: GIVEN the provider fails the task WHEN Discord cannot be reached as the bot tells the member and the bot then restarts THEN the member is told once Discord is back, and nothing is charged', async () => {
    const { id, taskId } = await start('fails while Discord is down');
    await h.discord.waitFor(() => h.discord.originalResponse(id)?.embeds.length);
    const down = { status: 400, body: { code: 0, message: 'down' } };
    h.discord.failNext({ method: 'PATCH', path: /\/messages\// }, down, 1_000);
    h.discord.failNext({ method: 'POST', path: /\/messages$|\/users\/@me\/channels$/ }, down, 1_000);
    h.provider.failTask(taskId, 'content policy');
    await eventually(async () => (await h.bot.context.quota.ledger(guild())).length > 0);
    // The reply and the channel were tried and failed (a DM is only for a channel closed to the
    // bot, not for one that answers errors): the message is still owed.
    await h.discord.waitFor(() =>
      h.discord.requests.some((r) => r.method === 'POST' && /\/channels\/\d+\/messages$/.test(r.path) && r.injected),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(text(h.discord.originalResponse(id))).not.toContain('could not be made');

    h.discord.clearFaults();
    await h.restart();
    const told = await h.discord.waitFor(() =>
      text(h.discord.originalResponse(id)).includes('could not be made') ? h.discord.originalResponse(id) : undefined,
    );
    expect(text(told)).toContain('content policy');
    expect(await h.bot.context.quota.ledger(guild())).toEqual([
      expect.objectContaining({ outcome: 'released', reason: 'task_failed', taskId }),
    ]);
    expect((await h.bot.context.quota.memberStanding(guild(), member(), [])).used).toBe(0);
  });

  it('case 3: GIVEN Discord received the deferral WHEN the bot dies before recording it THEN after restart the member reads in the reply that the bot restarted, and nothing is charged or submitted', async () => {
    // Recording the reply is also the job's step into the line (state `waiting`; it was `reserved`).
    await rebootDyingAt((w) => writesJobIn(w, 'waiting'));
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'deferred then killed' }));
    await h.discord.waitFor(() => h.discord.interaction(id)?.acknowledged);
    await eventually(async () => (await h.bot.context.quota.memberStanding(guild(), member(), [])).inFlight.length > 0);

    await h.restart();
    const told = await h.discord.waitFor(() =>
      text(h.discord.originalResponse(id)).includes('restarted') ? h.discord.originalResponse(id) : undefined,
    );
    expect(text(told)).toContain('Nothing was charged');
    expect(h.provider.submissions.filter((s) => promptOf(s.body) === 'deferred then killed')).toHaveLength(0);
    expect(await h.bot.context.quota.ledger(guild())).toEqual([
      expect.objectContaining({ outcome: 'released', reason: 'never_submitted' }),
    ]);
  });

  it('case 4: GIVEN the bot dies just as the submission left WHEN it restarts THEN the member is told it may or may not have started, uncharged, and the ledger records the ambiguity', async () => {
    await rebootDyingAt((w) => writesJobIn(w, 'submitted'));
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'submitted then killed' }));
    await h.discord.waitFor(() => h.provider.submissions.find((s) => promptOf(s.body) === 'submitted then killed')?.taskId);

    await h.restart();
    const told = await h.discord.waitFor(() =>
      text(h.discord.originalResponse(id)).includes('may or may not') ? h.discord.originalResponse(id) : undefined,
    );
    expect(text(told)).toContain('you were not charged');
    expect(await h.bot.context.quota.ledger(guild())).toEqual([expect.objectContaining({ outcome: 'ambiguous', reason: 'restarted' })]);
    expect(h.provider.submissions.filter((s) => promptOf(s.body) === 'submitted then killed')).toHaveLength(1);
  });

  it('issue 12.2 + 12.7: GIVEN Discord refuses every upload WHEN every delivery try fails THEN the member is told it could not be posted, the credits come back and the ledger says undelivered with the task id', async () => {
    h.discord.failNext({ path: /./, withFiles: true }, { status: 400, body: { code: 50035, message: 'Invalid Form Body' } }, 1_000);
    const { id, taskId } = await start('never reaches discord');
    h.provider.completeTask(taskId);
    const told = await h.discord.waitFor(
      () => (text(h.discord.originalResponse(id)).includes('could not be posted') ? h.discord.originalResponse(id) : undefined),
      { timeoutMs: 20_000 },
    );
    expect(text(told)).not.toContain('Finishing');
    expect(await h.bot.context.quota.ledger(guild())).toEqual([
      expect.objectContaining({ outcome: 'undelivered', reason: 'delivery_failed', taskId }),
    ]);
    expect((await h.bot.context.quota.memberStanding(guild(), member(), [])).used).toBe(0);
  });
});
