import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { FakeMessage, RecordedCallback } from '../fakes/discord/index.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { createPressClaims } from '../../src/jobs/press-claims.js';
import { isFinal } from '../../src/jobs/job.js';
import type { LastFrameResult } from '../../src/video/last-frame.js';
import { twoColourVideo } from '../fakes/real-video.js';
import { startHarness, videoCommand, type Harness } from './harness.js';

const promptOf = (body: unknown) => (body as { prompt: string }).prompt;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isPrivate = (data: unknown) => (((data as { flags?: number } | undefined)?.flags ?? 0) & 64) === 64;
const STARTED = 'already started';
const HANDLING = 'still being handled';

/** Issue 12.9: a double-pressed Regenerate (or a form sent twice) starts and charges one video. */
describe('a double press starts one video (real client, fakes)', () => {
  let h: Harness;
  let store: Store;
  const dir = mkdtempSync(join(tmpdir(), 'hvb-double-press-'));
  beforeAll(async () => {
    // A video ffmpeg can read, so Extend can take its last frame; credits for every press below.
    h = await startHarness({
      provider: { videoBytes: twoColourVideo() },
      // More than the default 20 submissions a minute: this file starts about 25 videos within one.
      env: { QUOTA_DEFAULT_LIMIT: '200', XCOMPUTE_MAX_RPM: '200' },
      store: async () => (store = await openStore(`sqlite://${join(dir, 'bot.sqlite')}`)),
    });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const used = async () => (await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, [])).used;
  const delivered = (interactionId: string) =>
    h.discord.waitFor(
      () => (h.discord.originalResponse(interactionId)?.attachments.length ? h.discord.originalResponse(interactionId) : undefined),
      { timeoutMs: 15_000 },
    );
  const finishedVideo = async (prompt: string, locale?: string): Promise<FakeMessage> => {
    const { id } = h.discord.dispatchInteraction({ ...videoCommand({ prompt }), ...(locale ? { locale } : {}) });
    return delivered(id);
  };
  const buttonOf = (message: FakeMessage, button: 'regen' | 'edit' | 'extend') => {
    const customId = new RegExp(`"custom_id":"(video:${button}:[^"]+)"`).exec(JSON.stringify(message.components))?.[1] ?? '';
    expect(customId).not.toBe('');
    return customId;
  };
  const pressRegenerate = (message: FakeMessage, locale?: string) =>
    h.discord.dispatchComponentInteraction({ customId: buttonOf(message, 'regen'), messageId: message.id, ...(locale ? { locale } : {}) });
  /** Presses Edit or Extend under `message` and waits for its form: the interaction the form answers. */
  const openForm = async (message: FakeMessage, button: 'edit' | 'extend') => {
    const opened = h.discord.dispatchComponentInteraction({ customId: buttonOf(message, button), messageId: message.id });
    await h.discord.waitFor(() => h.discord.modalShown(opened.id));
    return opened.id;
  };
  const answersTo = (ids: string[]): Promise<RecordedCallback[]> =>
    h.discord.waitFor(
      () => {
        const found = ids.map((id) => h.discord.callbacks.find((c) => c.interactionId === id));
        return found.every((c) => c !== undefined) ? found : undefined;
      },
      { timeoutMs: 15_000 },
    );
  const submitted = (prompt: string) => h.provider.submissions.filter((s) => promptOf(s.body) === prompt).length;
  /** For this test only: Extend's last frame is taken by `extract`. */
  const framesFor = (extract: (url: string, real: (url: string) => Promise<LastFrameResult>) => Promise<LastFrameResult>) => {
    const frames = h.bot.context.frames;
    if (!frames) throw new Error('ffmpeg should be available here');
    h.bot.context.frames = { extract: (url) => extract(url, (u) => frames.extract(u)) };
    onTestFinished(() => {
      h.bot.context.frames = frames;
    });
  };

  it('GIVEN a delivered video WHEN its member presses Regenerate twice at once THEN one job starts, one is charged, and the second press gets a private note', async () => {
    const message = await finishedVideo('press me twice');
    const before = await used();
    const presses = [pressRegenerate(message), pressRegenerate(message)];
    const answers = await answersTo(presses.map((p) => p.id));
    const notes = answers.filter((c) => isPrivate(c.data));
    expect(notes).toHaveLength(1);
    expect(JSON.stringify(notes[0]?.data)).toMatch(new RegExp(`${STARTED}|${HANDLING}`));
    await h.discord.waitFor(() => submitted('press me twice') === 2);
    await sleep(500);
    expect(submitted('press me twice')).toBe(2);
    expect(await used()).toBe(before + 1);
  });

  it('GIVEN a delivered video WHEN Regenerate is double-clicked like a human (presses 100 ms and 250 ms apart) THEN one video starts and one credit is used', async () => {
    for (const gapMs of [100, 250]) {
      const prompt = `spaced double click ${gapMs}`;
      const message = await finishedVideo(prompt);
      const before = await used();
      const first = pressRegenerate(message);
      await sleep(gapMs);
      const second = pressRegenerate(message);
      const [, note] = await answersTo([first.id, second.id]);
      expect(isPrivate(note?.data)).toBe(true);
      expect(JSON.stringify(note?.data)).toMatch(new RegExp(`${STARTED}|${HANDLING}`));
      await sleep(1_000);
      expect(submitted(prompt)).toBe(2);
      expect(await used()).toBe(before + 1);
    }
  });

  it('GIVEN the Edit form under a video WHEN it is sent twice at once THEN one edited video starts and is charged, and the second gets the note', async () => {
    const form = await openForm(await finishedVideo('edit me twice'), 'edit');
    const before = await used();
    const sent = [0, 1].map(() => h.discord.submitModal({ interactionId: form, values: { prompt: 'edited once, sent twice' } }));
    const answers = await answersTo(sent.map((p) => p.id));
    expect(answers.filter((c) => isPrivate(c.data))).toHaveLength(1);
    await h.discord.waitFor(() => submitted('edited once, sent twice') > 0);
    await sleep(500);
    expect(submitted('edited once, sent twice')).toBe(1);
    expect(await used()).toBe(before + 1);
  });

  for (const button of ['edit', 'extend'] as const) {
    it(`GIVEN the ${button === 'edit' ? 'Edit' : 'Extend'} form under a video WHEN it is sent twice 150 ms or 250 ms apart (a double click on Submit, or Discord delivering it twice) THEN one video starts and one credit is used, and the second send gets a private note`, async () => {
      const video = await finishedVideo(`${button} source`);
      if (button === 'extend') {
        // The last frame comes at once (a short video on an idle machine): the first send has
        // started its job well before the second one comes.
        const frame = await h.bot.context.frames?.extract(video.attachments[0]?.url ?? '');
        expect(frame?.ok).toBe(true);
        framesFor(async () => frame as LastFrameResult);
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

  it('GIVEN an Extend whose last frame waits longer than a claim lives unrenewed WHEN the form comes again meanwhile THEN it does not count: one video, one credit', async () => {
    // The bot's claims with a 1 s life (60 s in production): the first send is still being handled
    // (its frame waits 2.5 s, as behind 2 running and 8 waiting frames) when the second comes.
    const presses = h.bot.context.presses;
    h.bot.context.presses = createPressClaims(store, {
      maxHoldMs: 1_000,
      isLive: async (jobId) => {
        const job = await h.bot.context.jobs.get(jobId);
        return job !== undefined && !isFinal(job.state);
      },
    });
    onTestFinished(() => {
      h.bot.context.presses = presses;
    });
    framesFor(async (url, real) => (await sleep(2_500), real(url)));
    const form = await openForm(await finishedVideo('a frame that waits in line'), 'extend');
    const before = await used();
    const prompt = 'extended once, though the frame was slow';
    const first = h.discord.submitModal({ interactionId: form, values: { prompt } });
    await sleep(1_500);
    const second = h.discord.submitModal({ interactionId: form, values: { prompt } });
    const [, note] = await answersTo([first.id, second.id]);
    expect(isPrivate(note?.data)).toBe(true);
    expect(JSON.stringify(note?.data)).toContain(HANDLING);
    await delivered(first.id);
    await sleep(500);
    expect(submitted(prompt)).toBe(1);
    expect(await used()).toBe(before + 1);
  });

  it('GIVEN an Extend still being handled that ends refused WHEN the form came again meanwhile THEN the second send is told the first is still being handled, never that a video started; nothing starts', async () => {
    framesFor(async () => (await sleep(1_000), { ok: false, reason: 'busy' }));
    const form = await openForm(await finishedVideo('a frame that is refused'), 'extend');
    const before = await used();
    const prompt = 'refused in the end';
    const first = h.discord.submitModal({ interactionId: form, values: { prompt } });
    await sleep(200);
    const second = h.discord.submitModal({ interactionId: form, values: { prompt } });
    const [, note] = await answersTo([first.id, second.id]);
    expect(isPrivate(note?.data)).toBe(true);
    expect(JSON.stringify(note?.data)).toContain(HANDLING);
    expect(JSON.stringify(note?.data)).not.toContain(STARTED);
    // The first is refused privately, in place of its public acknowledgement.
    const refusal = await h.discord.waitFor(() => h.discord.followUps(first.id).find((m) => m.content.includes('try again in a minute')));
    expect(refusal.flags & 64).toBe(64);
    expect(submitted(prompt)).toBe(0);
    expect(await used()).toBe(before);
  });

  it('GIVEN a Regenerate whose video started WHEN it is pressed again THEN the note says it already started', async () => {
    const message = await finishedVideo('started before the second press');
    const first = pressRegenerate(message);
    await h.discord.waitFor(() => submitted('started before the second press') === 2);
    const second = pressRegenerate(message);
    const [, note] = await answersTo([first.id, second.id]);
    expect(isPrivate(note?.data)).toBe(true);
    expect(JSON.stringify(note?.data)).toContain(STARTED);
  });

  it('zh-CN: the second press reads the note in Chinese', async () => {
    const message = await finishedVideo('按两次', 'zh-CN');
    const first = pressRegenerate(message, 'zh-CN');
    await h.discord.waitFor(() => submitted('按两次') === 2);
    const second = pressRegenerate(message, 'zh-CN');
    const [, note] = await answersTo([first.id, second.id]);
    expect(JSON.stringify(note?.data)).toContain('已经在生成了');
  });
});
