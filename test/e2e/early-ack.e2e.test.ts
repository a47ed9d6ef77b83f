import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../fakes/discord/index.js';
import { VIDEOS_PAGE_PREFIX } from '../../src/discord/render/history.js';
import { startStallingHarness, videoCommand, type Harness, type StoreFaults } from './harness.js';

// Longer than Discord's 3 s: without an early acknowledgement every interaction below would die.
const STALL_MS = 5_000;
// The bot's default: a handler still busy after 2 s is acknowledged on its behalf.
const BUDGET_MS = 2_000;

interface Button {
  custom_id: string;
  label: string;
}
const buttonsOf = (message: FakeMessage | undefined): Button[] =>
  ((message?.components ?? []) as unknown as Array<{ components: Button[] }>).flatMap((row) => row.components);
const text = (message: FakeMessage | undefined) => JSON.stringify([message?.content, message?.embeds]);

describe('every command, button and form answers within Discord 3 s while the store stalls (real client, fake Discord, SQLite)', () => {
  let h: Harness;
  let stall: (ms: number) => void;

  beforeAll(async () => {
    let faults: StoreFaults;
    ({ h, faults } = await startStallingHarness({ env: { QUOTA_DEFAULT_LIMIT: '20' } }));
    stall = faults.stallFor;
  });
  afterAll(async () => {
    await h?.close();
  });

  const callbackOf = (id: string) => h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id), { timeoutMs: 5_000 });
  const finished = (id: string) =>
    h.discord.waitFor(() => (h.discord.originalResponse(id)?.attachments.length ? h.discord.originalResponse(id) : undefined), {
      timeoutMs: 20_000,
    });
  /** Discord saw one callback, in time, made on the handler's behalf (the store was still stalled). */
  const acknowledgedEarly = async (id: string, type: number) => {
    const callback = await callbackOf(id);
    expect(callback.type).toBe(type);
    expect(callback.afterMs).toBeGreaterThanOrEqual(BUDGET_MS - 100);
    expect(callback.afterMs).toBeLessThan(3_000);
    return callback;
  };
  const answeredOnce = (id: string) => {
    const attempts = h.discord.callbackAttempts(id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]?.status).toBeLessThan(300);
  };
  const settledAnswer = (id: string) =>
    h.discord.waitFor(
      () => {
        const message = h.discord.originalResponse(id);
        return message && (message.flags & 128) === 0 && message.embeds.length > 0 ? message : undefined;
      },
      { timeoutMs: 10_000 },
    );

  let video: FakeMessage;
  let editForm: string;

  it('GIVEN a finished video and an open Edit form (the store answering) THEN both are there to press and send later', async () => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a lighthouse in a storm' }));
    video = await finished(id);
    expect(buttonsOf(video).map((b) => b.label)).toContain('Regenerate');
    const edit = buttonsOf(video).find((b) => b.label === 'Edit');
    const opened = h.discord.dispatchComponentInteraction({ messageId: video.id, customId: edit?.custom_id ?? '' });
    expect((await callbackOf(opened.id)).type).toBe(9);
    editForm = opened.id;
  });

  it('GIVEN the store stalls for 5 s WHEN a member runs /usage, /quota show and /videos, presses Regenerate and sends the Edit form THEN each is acknowledged within the budget, once, and the real answer is edited in', async () => {
    stall(STALL_MS);
    const usage = h.discord.dispatchInteraction({ commandName: 'usage' });
    const quota = h.discord.dispatchInteraction({ commandName: 'quota', subcommand: 'show' });
    const videos = h.discord.dispatchInteraction({ commandName: 'videos' });
    const regenerate = h.discord.dispatchComponentInteraction({
      messageId: video.id,
      customId: buttonsOf(video).find((b) => b.label === 'Regenerate')?.custom_id ?? '',
    });
    const submit = h.discord.submitModal({ interactionId: editForm, values: { prompt: 'a lighthouse in a storm, at dawn' } });

    // Private answers are deferred privately; the new jobs' replies publicly, as /video's.
    for (const { id } of [usage, quota, videos])
      expect((((await acknowledgedEarly(id, 5)).data as { flags?: number }).flags ?? 0) & 64).toBe(64);
    for (const { id } of [regenerate, submit])
      expect((((await acknowledgedEarly(id, 5)).data as { flags?: number }).flags ?? 0) & 64).toBe(0);

    const usageAnswer = await settledAnswer(usage.id);
    expect(usageAnswer.flags & 64).toBe(64);
    expect(text(usageAnswer)).toContain('credits');
    expect(usageAnswer.attachments.length).toBe(1);
    const quotaAnswer = await settledAnswer(quota.id);
    expect(quotaAnswer.flags & 64).toBe(64);
    expect(quotaAnswer.attachments.length).toBe(1);
    const videosAnswer = await settledAnswer(videos.id);
    expect(videosAnswer.flags & 64).toBe(64);
    expect(text(videosAnswer)).toContain('a lighthouse in a storm');
    // The jobs were accepted once the store answered, and their videos arrived in the deferred replies.
    expect((await finished(regenerate.id)).id).not.toBe(video.id);
    expect((await finished(submit.id)).id).not.toBe(video.id);
    // One task per request: the early acknowledgement repeats nothing.
    const prompts = h.provider.submissions.map((s) => (s.body as { prompt: string }).prompt);
    expect(prompts.filter((p) => p === 'a lighthouse in a storm, at dawn')).toHaveLength(1);
    expect(prompts.filter((p) => p === 'a lighthouse in a storm')).toHaveLength(2);

    for (const { id } of [usage, quota, videos, regenerate, submit]) answeredOnce(id);
    // Each private answer took the place of its deferral (the jobs' only follow-up is the "ready" ping).
    for (const { id } of [usage, quota, videos]) expect(h.discord.followUps(id)).toEqual([]);
    for (const { id } of [regenerate, submit])
      expect(h.discord.followUps(id).every((m) => text(m).includes('your video is ready'))).toBe(true);
  });

  it("GIVEN the store stalls WHEN a member runs /video THEN it is acknowledged in time on the handler's behalf, the reply's id comes with that acknowledgement (not read again), and the video arrives in that reply", async () => {
    stall(STALL_MS);
    const { id, token } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a lantern on a night river' }));
    await acknowledgedEarly(id, 5);
    answeredOnce(id);
    const reply = await finished(id);
    expect(reply.attachments).toHaveLength(1);
    // The early acknowledgement asked Discord for its message: no GET of the reply follows.
    const reads = h.discord.requests.filter((r) => r.method === 'GET' && r.path.includes(`/${token}/messages/@original`));
    expect(reads).toEqual([]);
  });

  it('GIVEN the store stalls WHEN a member pages /videos THEN the button is acknowledged as an update in time and the page is edited in place', async () => {
    const videos = h.discord.dispatchInteraction({ commandName: 'videos' });
    const message = await settledAnswer(videos.id);
    const before = message.editedAt;
    stall(STALL_MS);
    const press = h.discord.dispatchComponentInteraction({ messageId: message.id, customId: `${VIDEOS_PAGE_PREFIX}0:p` });
    await acknowledgedEarly(press.id, 6);
    await h.discord.waitFor(() => (message.editedAt !== before && message.editedAt !== null ? message : undefined), { timeoutMs: 10_000 });
    expect(text(message)).toContain('a lighthouse in a storm');
    expect(message.flags & 64).toBe(64);
    answeredOnce(press.id);
  });

  it('GIVEN the store stalls WHEN a member presses Edit THEN the form opens in time, without waiting for the prompt, and is never deferred', async () => {
    stall(STALL_MS);
    const opened = h.discord.dispatchComponentInteraction({
      messageId: video.id,
      customId: buttonsOf(video).find((b) => b.label === 'Edit')?.custom_id ?? '',
    });
    const callback = await callbackOf(opened.id);
    expect(callback.type).toBe(9);
    expect(callback.afterMs).toBeLessThan(BUDGET_MS);
    // The prompt could not be read in time: the member types it (sending the form looks the job up again).
    const prompt = (callback.data as { components: Array<{ component: { custom_id: string; value?: string } }> }).components[0]?.component;
    expect(prompt).toMatchObject({ custom_id: 'prompt' });
    expect(prompt?.value).toBeUndefined();
    answeredOnce(opened.id);
  });

  it('GIVEN the store stalls WHEN the requester presses Delete THEN it is acknowledged in time and the video message goes', async () => {
    stall(STALL_MS);
    const press = h.discord.dispatchComponentInteraction({
      messageId: video.id,
      customId: buttonsOf(video).find((b) => b.label === 'Delete')?.custom_id ?? '',
    });
    await acknowledgedEarly(press.id, 6);
    await h.discord.waitFor(() => (video.deleted ? video : undefined), { timeoutMs: 10_000 });
    answeredOnce(press.id);
  });
});
