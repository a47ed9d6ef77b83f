import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { FakeMessage } from '../fakes/discord/index.js';
import { twoColourVideo } from '../support/videos.js';
import { startHarness, videoCommand, type Harness } from './harness.js';

const promptOf = (body: unknown) => (body as { prompt: string }).prompt;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isPrivate = (data: unknown) => (((data as { flags?: number } | undefined)?.flags ?? 0) & 64) === 64;

/** Issue 12.9: a double-pressed Regenerate (or a form sent twice) starts and charges one video. */
describe('a double press starts one video (real client, fakes)', () => {
  let h: Harness;
  beforeAll(async () => {
    // A video ffmpeg can read, so Extend can take its last frame; credits for every press below.
    h = await startHarness({ provider: { videoBytes: twoColourVideo() }, env: { QUOTA_DEFAULT_LIMIT: '200' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  const used = async () => (await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, [])).used;

  it('GIVEN a delivered video WHEN its member presses Regenerate twice at once THEN one job starts, one is charged, and the second press gets a private "already started" note', async () => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'press me twice' }));
    const message = await h.discord.waitFor(() =>
      h.discord.originalResponse(id)?.attachments.length ? h.discord.originalResponse(id) : undefined,
    );
    const regenerate = /"custom_id":"(video:regen:[^"]+)"/.exec(JSON.stringify(message.components))?.[1] ?? '';
    expect(regenerate).not.toBe('');
    const before = await used();

    const presses = [
      h.discord.dispatchComponentInteraction({ customId: regenerate, messageId: message.id }),
      h.discord.dispatchComponentInteraction({ customId: regenerate, messageId: message.id }),
    ];
    const answers = await h.discord.waitFor(() => {
      const found = presses.map((p) => h.discord.callbacks.find((c) => c.interactionId === p.id));
      return found.every(Boolean) ? found : undefined;
    });
    const notes = answers.filter((c) => ((c?.data as { flags?: number } | undefined)?.flags ?? 0) & 64);
    expect(notes).toHaveLength(1);
    expect(JSON.stringify(notes[0]?.data)).toContain('already started');
    await h.discord.waitFor(() => h.provider.submissions.filter((s) => promptOf(s.body).includes('press me twice')).length === 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.provider.submissions.filter((s) => promptOf(s.body).includes('press me twice'))).toHaveLength(2);
    expect(await used()).toBe(before + 1);
  });

  it('GIVEN a delivered video WHEN Regenerate is double-clicked like a human (presses 100 ms and 250 ms apart) THEN one video starts and one credit is used', async () => {
    for (const gapMs of [100, 250]) {
      const prompt = `spaced double click ${gapMs}`;
      const { id } = h.discord.dispatchInteraction(videoCommand({ prompt }));
      const message = await h.discord.waitFor(() =>
        h.discord.originalResponse(id)?.attachments.length ? h.discord.originalResponse(id) : undefined,
      );
      const regenerate = /"custom_id":"(video:regen:[^"]+)"/.exec(JSON.stringify(message.components))?.[1] ?? '';
      const before = await used();
      const first = h.discord.dispatchComponentInteraction({ customId: regenerate, messageId: message.id });
      await new Promise((resolve) => setTimeout(resolve, gapMs));
      const second = h.discord.dispatchComponentInteraction({ customId: regenerate, messageId: message.id });
      const answers = await h.discord.waitFor(() => {
        const found = [first, second].map((p) => h.discord.callbacks.find((c) => c.interactionId === p.id));
        return found.every(Boolean) ? found : undefined;
      });
      expect(JSON.stringify(answers[1]?.data)).toContain('already started');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(h.provider.submissions.filter((s) => promptOf(s.body) === prompt)).toHaveLength(2);
      expect(await used()).toBe(before + 1);
    }
  });

  it('GIVEN the Edit form under a video WHEN it is sent twice at once THEN one edited video starts and is charged, and the second gets the note', async () => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'edit me twice' }));
    const message = await h.discord.waitFor(() =>
      h.discord.originalResponse(id)?.attachments.length ? h.discord.originalResponse(id) : undefined,
    );
    const editId = /"custom_id":"(video:edit:[^"]+)"/.exec(JSON.stringify(message.components))?.[1] ?? '';
    const opened = h.discord.dispatchComponentInteraction({ customId: editId, messageId: message.id });
    await h.discord.waitFor(() => h.discord.modalShown(opened.id));
    const before = await used();
    const sent = [0, 1].map(() => h.discord.submitModal({ interactionId: opened.id, values: { prompt: 'edited once, sent twice' } }));
    const answers = await h.discord.waitFor(() => {
      const found = sent.map((p) => h.discord.callbacks.find((c) => c.interactionId === p.id));
      return found.every(Boolean) ? found : undefined;
    });
    expect(answers.filter((c) => ((c?.data as { flags?: number } | undefined)?.flags ?? 0) & 64)).toHaveLength(1);
    await h.discord.waitFor(() => h.provider.submissions.some((s) => promptOf(s.body) === 'edited once, sent twice'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.provider.submissions.filter((s) => promptOf(s.body) === 'edited once, sent twice')).toHaveLength(1);
    expect(await used()).toBe(before + 1);
  });

  const finishedVideo = async (prompt: string): Promise<FakeMessage> => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt }));
    return delivered(id);
  };
  const delivered = (interactionId: string) =>
    h.discord.waitFor(
      () => (h.discord.originalResponse(interactionId)?.attachments.length ? h.discord.originalResponse(interactionId) : undefined),
      { timeoutMs: 15_000 },
    );
  /** Presses Edit or Extend under `message` and waits for its form: the interaction the form answers. */
  const openForm = async (message: FakeMessage, button: 'edit' | 'extend') => {
    const customId = new RegExp(`"custom_id":"(video:${button}:[^"]+)"`).exec(JSON.stringify(message.components))?.[1] ?? '';
    expect(customId).not.toBe('');
    const opened = h.discord.dispatchComponentInteraction({ customId, messageId: message.id });
    await h.discord.waitFor(() => h.discord.modalShown(opened.id));
    return opened.id;
  };
  const answersTo = (ids: string[]) =>
    h.discord.waitFor(
      () => {
        const found = ids.map((id) => h.discord.callbacks.find((c) => c.interactionId === id));
        return found.every(Boolean) ? found : undefined;
      },
      { timeoutMs: 15_000 },
    );
  const submitted = (prompt: string) => h.provider.submissions.filter((s) => promptOf(s.body) === prompt).length;

  for (const button of ['edit', 'extend'] as const) {
    it(`GIVEN the ${button === 'edit' ? 'Edit' : 'Extend'} form under a video WHEN it is sent twice 150 ms or 250 ms apart (a double click on Submit, or Discord delivering it twice) THEN one video starts and one credit is used, and the second send gets a private note`, async () => {
      const video = await finishedVideo(`${button} source`);
      if (button === 'extend') {
        // The last frame comes at once (a short video on an idle machine): the first send has
        // started its job well before the second one comes.
        const frames = h.bot.context.frames;
        if (!frames) throw new Error('ffmpeg should be available here');
        const frame = await frames.extract(video.attachments[0]?.url ?? '');
        expect(frame.ok).toBe(true);
        h.bot.context.frames = { extract: async () => frame };
        onTestFinished(() => {
          h.bot.context.frames = frames;
        });
      }
      for (const gapMs of [150, 250]) {
        const prompt = `${button} sent twice, ${gapMs} ms apart`;
        const form = await openForm(video, button);
        const before = await used();
        const first = h.discord.submitModal({ interactionId: form, values: { prompt } });
        await sleep(gapMs);
        const second = h.discord.submitModal({ interactionId: form, values: { prompt } });
        const [, note] = await answersTo([first.id, second.id]);
        expect(isPrivate(note?.data)).toBe(true);
        await delivered(first.id);
        await sleep(500);
        expect(submitted(prompt)).toBe(1);
        expect(await used()).toBe(before + 1);
      }
    });
  }

  it('GIVEN an edited video that finished WHEN the member opens Edit again and sends the same prompt THEN a second video starts (a new request, not a double click)', async () => {
    const video = await finishedVideo('edit me again later');
    const prompt = 'the same edit, asked for twice on purpose';
    const first = h.discord.submitModal({ interactionId: await openForm(video, 'edit'), values: { prompt } });
    await delivered(first.id);
    const before = await used();
    const again = h.discord.submitModal({ interactionId: await openForm(video, 'edit'), values: { prompt } });
    await delivered(again.id);
    expect(submitted(prompt)).toBe(2);
    expect(await used()).toBe(before + 1);
  });

  it('zh-CN: the second press reads the note in Chinese', async () => {
    const { id } = h.discord.dispatchInteraction({ ...videoCommand({ prompt: '按两次' }), locale: 'zh-CN' });
    const message = await h.discord.waitFor(() =>
      h.discord.originalResponse(id)?.attachments.length ? h.discord.originalResponse(id) : undefined,
    );
    const regenerate = /"custom_id":"(video:regen:[^"]+)"/.exec(JSON.stringify(message.components))?.[1] ?? '';
    const presses = [0, 1].map(() =>
      h.discord.dispatchComponentInteraction({ customId: regenerate, messageId: message.id, locale: 'zh-CN' }),
    );
    const note = await h.discord.waitFor(() =>
      presses
        .map((p) => h.discord.callbacks.find((c) => c.interactionId === p.id))
        .find((c) => ((c?.data as { flags?: number } | undefined)?.flags ?? 0) & 64),
    );
    expect(JSON.stringify(note.data)).toContain('已经在生成了');
  });
});
