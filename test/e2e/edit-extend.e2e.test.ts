import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../fakes/discord/index.js';
import { twoColourVideo } from '../fakes/real-video.js';
import { answerTo as answerToIn, buttonsOf, deliveredTo, press as pressIn, startHarness, videoCommand, type Harness } from './harness.js';

interface Modal {
  custom_id: string;
  title: string;
  components: Array<{ component: { custom_id: string; value?: string } }>;
}

const dir = mkdtempSync(join(tmpdir(), 'hvb-extend-'));
/** The average colour of an image, as [r, g, b]. */
function averageColour(jpeg: Buffer): number[] {
  const file = join(dir, 'frame.jpg');
  writeFileSync(file, jpeg);
  return [
    ...execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      file,
      '-vf',
      'scale=1:1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ]),
  ];
}

describe('Edit and Extend under a finished video (buttons, modals, modal submits through real discord.js)', () => {
  let h: Harness;
  let video: Buffer;
  beforeAll(async () => {
    video = twoColourVideo();
    h = await startHarness({ provider: { videoBytes: video }, env: { QUOTA_DEFAULT_LIMIT: '6' } });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const answerTo = (id: string) => answerToIn(h, id);
  const finished = (id: string) => deliveredTo(h, id, 15_000);
  const press = (message: FakeMessage, label: string) => pressIn(h, message, label);

  let first: FakeMessage;

  // Each 10 s video costs 2 of the server's 6 credits: the first, its edit and its extension use them up.
  it('GIVEN a finished video THEN it has Regenerate, Edit, Extend and Delete; Edit opens the prompt as the provider got it and makes a new video with the same settings', async () => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a fox in the snow', camera: 'Push in', duration: 10 }));
    first = await finished(id);
    expect(buttonsOf(first).map((b) => b.label)).toEqual(['Regenerate', 'Edit', 'Extend', 'Delete']);
    for (const b of buttonsOf(first)) expect(b.custom_id.length).toBeLessThanOrEqual(100);

    const opened = await press(first, 'Edit');
    expect(opened.callback.type).toBe(9);
    const modal = opened.callback.data as Modal;
    expect(modal.components[0]?.component).toMatchObject({ custom_id: 'prompt', value: '[推进]a fox in the snow' });

    const submit = h.discord.submitModal({
      interactionId: opened.id,
      values: { prompt: '[推进]a fox in the snow\nat night, under the moon' },
    });
    const reply = await finished(submit.id);
    expect(reply?.id).not.toBe(first.id);
    // The camera move read back from the form is the new video's setting, shown as it was on the first.
    expect(JSON.stringify(first?.embeds)).toContain('camera Push in');
    expect(JSON.stringify(reply?.embeds)).toContain('camera Push in');
    expect(h.provider.submissions.at(-1)?.body).toMatchObject({
      prompt: '[推进]a fox in the snow\nat night, under the moon',
      duration: 10,
      resolution: '768p',
      model: 'MiniMax-Hailuo-2.3',
    });
  });

  it('GIVEN a finished video WHEN the member presses Extend and sends the form THEN the new video starts from its last frame, sent as a JPEG data URI', async () => {
    const opened = await press(first, 'Extend');
    const modal = opened.callback.data as Modal;
    expect(modal.title).toBe('Extend: continue from the last frame');
    expect(modal.components[0]?.component.value).toBe('[推进]a fox in the snow');
    const submit = h.discord.submitModal({ interactionId: opened.id, values: { prompt: 'the fox runs on into the blue' } });
    await finished(submit.id);
    const body = h.provider.submissions.at(-1)?.body as { first_frame_image: string; prompt: string; duration: number };
    expect(body.prompt).toBe('the fox runs on into the blue');
    expect(body.duration).toBe(10);
    expect(body.first_frame_image).toMatch(/^data:image\/jpeg;base64,/);
    const [r = 0, g = 0, b = 0] = averageColour(Buffer.from(body.first_frame_image.split(',')[1] ?? '', 'base64'));
    // The last frame (blue), not the first (red).
    expect(b).toBeGreaterThan(200);
    expect(r).toBeLessThan(40);
    expect(g).toBeLessThan(40);
  });

  it("GIVEN the server's budget is spent WHEN the member sends an Edit THEN it is refused like any request, privately, and nothing is submitted", async () => {
    const opened = await press(first, 'Edit');
    const before = h.provider.submissions.length;
    const submit = h.discord.submitModal({ interactionId: opened.id, values: { prompt: 'one more, please' } });
    const callback = await answerTo(submit.id);
    expect((callback.data as { flags?: number }).flags ?? 0).toBe(64);
    expect(JSON.stringify(callback.data)).toMatch(/used up|budget|credits/i);
    expect(h.provider.submissions.length).toBe(before);
  });

  it("GIVEN the server's budget is spent WHEN the member sends an Extend THEN it is refused privately at once, before the video is fetched or ffmpeg runs", async () => {
    const frames = h.bot.context.frames;
    if (!frames) throw new Error('ffmpeg should be available here');
    let extracted = 0;
    h.bot.context.frames = { extract: (url) => ((extracted += 1), frames.extract(url)) };
    try {
      const opened = await press(first, 'Extend');
      const before = h.provider.submissions.length;
      const submit = h.discord.submitModal({ interactionId: opened.id, values: { prompt: 'and further still' } });
      const callback = await answerTo(submit.id);
      // An immediate private answer (4), not a public deferral (5) followed by a refusal.
      expect(callback.type).toBe(4);
      expect((callback.data as { flags?: number }).flags ?? 0).toBe(64);
      expect(JSON.stringify(callback.data)).toMatch(/used up|budget|credits/i);
      expect(extracted).toBe(0);
      expect(h.provider.submissions.length).toBe(before);
    } finally {
      h.bot.context.frames = frames;
    }
  });

  it('GIVEN an empty prompt in Chinese WHEN Edit is sent THEN the answer is in Chinese and nothing is spent', async () => {
    const { id } = h.discord.dispatchComponentInteraction({
      messageId: first.id,
      customId: buttonsOf(first).find((b) => b.label === 'Edit')?.custom_id ?? '',
      locale: 'zh-CN',
    });
    const modal = (await answerTo(id)).data as Modal;
    expect(modal.title).toBe('修改提示词并重新生成');
    const submit = h.discord.submitModal({ interactionId: id, values: { prompt: '\u200b' } });
    expect(JSON.stringify((await answerTo(submit.id)).data)).toContain('提示词为空');
  });
});

describe('without ffmpeg', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { FFMPEG_PATH: join(tmpdir(), 'no-such-ffmpeg') } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN ffmpeg does not run WHEN a video is finished THEN no Extend button is offered, and Edit still is', async () => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a quiet lake' }));
    const message = await h.discord.waitFor(
      () => (h.discord.originalResponse(id)?.attachments.length ? h.discord.originalResponse(id) : undefined),
      { timeoutMs: 15_000 },
    );
    expect(buttonsOf(message).map((b) => b.label)).toEqual(['Regenerate', 'Edit', 'Delete']);
  });
});

describe('Extend pressed while the bot connects, before its ffmpeg check answered', () => {
  let h: Harness;
  const slowDir = mkdtempSync(join(tmpdir(), 'hvb-slow-ffmpeg-'));
  const delayFile = join(slowDir, 'delay');
  beforeAll(async () => {
    // An ffmpeg that takes a while to start (a cold disk, a busy machine): the bot is logged in
    // and handling interactions before it answered whether it runs.
    const slow = join(slowDir, 'ffmpeg');
    writeFileSync(delayFile, '0.6');
    writeFileSync(slow, `#!/bin/sh\nsleep "$(cat '${delayFile}')"\nexec ffmpeg "$@"\n`, { mode: 0o755 });
    h = await startHarness({ provider: { videoBytes: twoColourVideo() }, env: { FFMPEG_PATH: slow } });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(slowDir, { recursive: true, force: true });
  });

  let video: FakeMessage;
  /** Restarts the bot and presses Extend the moment it identifies; Discord's callback for the press. */
  async function pressExtendWhileRestarting() {
    const extend = buttonsOf(video).find((b) => b.label === 'Extend');
    if (!extend) throw new Error('no Extend button');
    const identified = h.discord.identifies.length;
    const restarting = h.restart();
    await h.discord.waitFor(() => h.discord.identifies.length > identified && h.discord.gatewaySessions === 1, { timeoutMs: 10_000 });
    const pressed = h.discord.dispatchComponentInteraction({ messageId: video.id, customId: extend.custom_id });
    const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === pressed.id), { timeoutMs: 5_000 });
    await restarting;
    return callback;
  }

  it('GIVEN a finished video WHEN the bot restarts and the member presses Extend as it connects THEN the form opens (not "Extend is not available")', async () => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a fox in the snow' }));
    video = await h.discord.waitFor(
      () => (h.discord.originalResponse(id)?.attachments.length ? h.discord.originalResponse(id) : undefined),
      {
        timeoutMs: 15_000,
      },
    );
    const callback = await pressExtendWhileRestarting();
    // 9: the form (MODAL); an ephemeral message (4) would be a refusal.
    expect(callback.type, JSON.stringify(callback.data)).toBe(9);
    expect((callback.data as Modal).title).toBe('Extend: continue from the last frame');
  }, 40_000);

  it('GIVEN the ffmpeg check has still not answered when the press must be answered THEN the member reads that the bot is still starting, privately, not that Extend is unavailable', async () => {
    writeFileSync(delayFile, '4');
    const callback = await pressExtendWhileRestarting();
    expect(callback.type).toBe(4);
    const data = callback.data as { content: string; flags: number };
    expect(data.content).toContain('still starting');
    expect(data.flags & 64).toBe(64);
  }, 40_000);
});
