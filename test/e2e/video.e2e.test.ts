import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, videoCommand, type Harness } from './harness.js';

const embedText = (embeds: unknown[]) => JSON.stringify(embeds);
const PNG_BYTES = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(4000)]);

describe('/video end to end (real discord.js and undici against local fakes)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN a member with a prompt and a camera move WHEN they run /video THEN the reply shows progress and ends holding the MP4', async () => {
    const { id } = h.discord.dispatchInteraction(
      videoCommand({ prompt: 'a cat running on grass @everyone <@&123456789012345678>', camera: 'Push in' }),
    );

    const message = await h.discord.waitFor(() => {
      const original = h.discord.originalResponse(id);
      return original?.attachments.length ? original : undefined;
    });

    const callback = h.discord.callbacks.find((c) => c.interactionId === id);
    expect(callback?.type).toBe(5);
    expect(message.flags & 64).toBe(0);

    expect(h.provider.submissions).toHaveLength(1);
    const body = h.provider.submissions[0]?.body as Record<string, unknown>;
    expect(body).toEqual({
      model: 'MiniMax-Hailuo-2.3',
      prompt: '[推进]a cat running on grass @everyone <@&123456789012345678>',
      duration: 6,
      resolution: '768p',
      prompt_optimizer: true,
      fast_pretreatment: false,
      watermark: false,
    });

    const taskId = h.provider.submissions[0]?.taskId ?? '';
    const served = await fetch(h.provider.videoUrl(taskId)).then(async (r) => Buffer.from(await r.arrayBuffer()));
    expect(message.attachments[0]?.filename).toMatch(/\.mp4$/);
    expect(message.attachments[0]?.data.equals(served)).toBe(true);

    const stages = message.history.map((snapshot) => embedText(snapshot.embeds));
    expect(stages.some((text) => text.includes('Making your video'))).toBe(true);
    expect(embedText(message.embeds)).toContain('Your video is ready');
    expect(embedText(message.embeds)).toContain('MiniMax-Hailuo-2.3 · 768p · 6s');
    expect(message.content).toContain(`<@${h.discord.defaultUser.id}>`);

    // Edits notify nobody: the requester, and only the requester, is pinged by a message under the reply.
    const ping = await h.discord.waitFor(() => h.discord.followUps(id)[0]);
    expect(ping.content).toContain(`<@${h.discord.defaultUser.id}>`);
    expect(ping.allowedMentionsLog[0]).toEqual({ parse: [], users: [h.discord.defaultUser.id] });

    for (const mentions of message.allowedMentionsLog.slice(1)) {
      expect(mentions).toBeDefined();
      const parsed = mentions as { parse: string[]; users?: string[] };
      expect(parsed.parse).toEqual([]);
      expect(parsed.users ?? []).toEqual(expect.arrayContaining([]));
      for (const user of parsed.users ?? []) expect(user).toBe(h.discord.defaultUser.id);
    }
  });

  it('GIVEN a request the provider cannot make WHEN the member runs /video THEN they get an ephemeral answer saying what to change and the provider is never called', async () => {
    const before = h.provider.submissions.length;
    const bad = [
      videoCommand({ prompt: 'city at night', resolution: '1080p', duration: 10 }),
      videoCommand({ prompt: 'a dancer', model: 'MiniMax-Hailuo-2.3-Fast' }),
      videoCommand({ prompt: '   ' }),
      videoCommand({ prompt: 'a dancer', camera: 'Barrel roll' }),
      videoCommand({ prompt: 'a dancer', duration: 8 }),
    ];
    for (const spec of bad) {
      const { id } = h.discord.dispatchInteraction(spec);
      const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
      expect(callback.type).toBe(4);
      const data = callback.data as { flags: number; embeds: Array<{ description: string }> };
      expect(data.flags & 64).toBe(64);
      expect(data.embeds[0]?.description.length).toBeGreaterThan(10);
    }
    expect(h.provider.submissions.length).toBe(before);
  });

  it('GIVEN a first frame that is too small WHEN the member attaches it THEN the answer names its size and nothing is submitted', async () => {
    const before = h.provider.submissions.length;
    const { id } = h.discord.dispatchInteraction({
      commandName: 'video',
      options: [
        { name: 'prompt', type: 3, value: 'the cat blinks' },
        { name: 'image', type: 11, value: '1300000000000000001' },
      ],
      attachments: [
        { id: '1300000000000000001', filename: 'cat.png', contentType: 'image/png', data: Buffer.alloc(2000), width: 200, height: 200 },
      ],
    });
    const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    expect(JSON.stringify(callback.data)).toContain('200×200');
    expect(h.provider.submissions.length).toBe(before);
  });

  it('GIVEN a valid first frame WHEN the member attaches it THEN its URL is sent as first_frame_image', async () => {
    const { id } = h.discord.dispatchInteraction({
      commandName: 'video',
      options: [
        { name: 'prompt', type: 3, value: 'the cat blinks' },
        { name: 'image', type: 11, value: '1300000000000000002' },
        { name: 'model', type: 3, value: 'MiniMax-Hailuo-2.3-Fast' },
      ],
      attachments: [
        { id: '1300000000000000002', filename: 'cat.png', contentType: 'image/png', data: PNG_BYTES, width: 1280, height: 720 },
      ],
    });
    await h.discord.waitFor(() => h.discord.originalResponse(id)?.attachments.length);
    const body = h.provider.submissions.at(-1)?.body as Record<string, unknown>;
    expect(body.model).toBe('MiniMax-Hailuo-2.3-Fast');
    expect(String(body.first_frame_image)).toContain('/cdn/attachments/1300000000000000002/cat.png');
  });

  it('GIVEN an attachment whose bytes are not the image its type claims WHEN attached THEN it is refused before spending', async () => {
    const before = h.provider.submissions.length;
    const { id } = h.discord.dispatchInteraction({
      commandName: 'video',
      options: [
        { name: 'prompt', type: 3, value: 'the cat blinks' },
        { name: 'image', type: 11, value: '1300000000000000003' },
      ],
      attachments: [
        {
          id: '1300000000000000003',
          filename: 'cat.png',
          contentType: 'image/png',
          data: Buffer.from('MZ this is an executable, not a picture'),
          width: 1280,
          height: 720,
        },
      ],
    });
    const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    expect((callback.data as { flags: number }).flags & 64).toBe(64);
    expect(JSON.stringify(callback.data)).toContain('not really a image/png image');
    expect(h.provider.submissions.length).toBe(before);
  });

  it('GIVEN the provider fails the task WHEN the poller sees it THEN the reply says why in plain words', async () => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'something the provider refuses' }));
    const taskId = await h.discord.waitFor(
      () => h.provider.submissions.find((s) => (s.body as { prompt: string }).prompt === 'something the provider refuses')?.taskId,
    );
    h.provider.failTask(taskId, 'content moderation: unsafe output');
    const message = await h.discord.waitFor(() => {
      const original = h.discord.originalResponse(id);
      return original && embedText(original.embeds).includes('could not be made') ? original : undefined;
    });
    expect(embedText(message.embeds)).toContain('content moderation: unsafe output');
    expect(embedText(message.embeds)).toContain('Nothing was charged');
  });

  it('GIVEN the provider key is wrong WHEN a member runs /video THEN they are told to ask an admin, without the key anywhere', async () => {
    h.provider.failNext('submit', {
      status: 401,
      body: { error: { code: 401, message: '身份验证失败，请检查您的API密钥', type: 'authentication_error' } },
    });
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a quiet lake' }));
    const message = await h.discord.waitFor(() => {
      const original = h.discord.originalResponse(id);
      return original && embedText(original.embeds).includes('server admin') ? original : undefined;
    });
    expect(JSON.stringify(message)).not.toContain(h.provider.apiKey);
  });

  it('GIVEN a DM WHEN someone runs /video there THEN they are told to use a server and nothing is submitted', async () => {
    const before = h.provider.submissions.length;
    const { id } = h.discord.dispatchInteraction({ ...videoCommand({ prompt: 'a cat' }), guildId: null });
    const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    expect((callback.data as { flags: number }).flags & 64).toBe(64);
    expect(h.provider.submissions.length).toBe(before);
  });
});

describe('/video with one camera move named several ways (real client, fakes)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN camera "Push in, push in, 推进, Push in" WHEN the member runs /video THEN the video starts and the provider gets the move once', async () => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a fox in the snow', camera: 'Push in, push in, 推进, Push in' }));
    // Accepted (a deferred reply), not refused as "4 camera moves".
    const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    expect(JSON.stringify(callback.data ?? {})).not.toMatch(/camera moves/);
    expect(callback.type).toBe(5);
    const submission = await h.discord.waitFor(() => h.provider.submissions[0]);
    expect((submission.body as { prompt: string }).prompt).toBe('[推进]a fox in the snow');
    const message = await h.discord.waitFor(() => {
      const original = h.discord.originalResponse(id);
      return original?.attachments.length ? original : undefined;
    });
    expect(embedText(message.embeds)).toContain('Your video is ready');
    // The reply names the move once too, in the prompt and in the settings.
    expect(embedText(message.embeds)).toContain('[推进] a fox in the snow');
    expect(embedText(message.embeds)).toContain('camera Push in (推进)');
    expect(h.provider.submissions).toHaveLength(1);
  });
});
