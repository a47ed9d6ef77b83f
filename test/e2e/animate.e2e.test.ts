import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import animateCommand from '../../commands/animate.js';
import { deployCommands } from '../../src/deploy-commands.js';
import type { FakeAttachmentInput } from '../fakes/discord/index.js';
import { startHarness, type Harness } from './harness.js';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(4000)]);
const png = (width: number, height: number, data = PNG): FakeAttachmentInput => ({
  filename: 'cat.png',
  contentType: 'image/png',
  data,
  width,
  height,
});

interface Modal {
  custom_id: string;
  title: string;
  components: Array<{
    type: number;
    label: string;
    component: { type: number; custom_id: string; max_length?: number; style?: number; max_values?: number };
  }>;
}

describe('Apps → Animate image end to end (message command, modal, modal submit through real discord.js)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const answerTo = (id: string) => h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));

  async function openForm(messageId: string, locale = 'en-US') {
    const { id } = h.discord.dispatchMessageCommand({ commandName: 'Animate image', messageId, locale });
    const callback = await answerTo(id);
    return { id, callback, modal: callback.data as Modal };
  }

  it('is registered by deploy-commands as a message command with a Chinese name, next to the slash commands', async () => {
    await deployCommands({ DISCORD_TOKEN: h.discord.token, DISCORD_API_URL: h.discord.apiUrl });
    const registered = h.discord.registeredCommands.global;
    expect(registered.find((c) => c.name === 'Animate image')).toMatchObject({
      type: 3,
      name_localizations: { 'zh-CN': '让图片动起来' },
      contexts: [0],
    });
    expect(registered.some((c) => c.name === 'video')).toBe(true);
    expect(animateCommand.data.type).toBe(3);
  });

  it('GIVEN a message with a picture WHEN a member animates it with a two-line prompt, 10 s and two camera moves THEN the picture is the first frame and the video arrives in a new reply', async () => {
    const message = h.discord.postMessage({ content: 'look at my cat', attachments: [png(1280, 720)] });
    const { id: openerId, modal, callback } = await openForm(message.id);
    expect(callback.type).toBe(9);
    expect(modal.custom_id.length).toBeLessThanOrEqual(100);
    expect(modal.title).toBe('Animate this image');
    const prompt = modal.components[0]?.component;
    expect(prompt).toMatchObject({ type: 4, custom_id: 'prompt', style: 2, max_length: 2000 });
    expect(modal.components.map((c) => c.component.custom_id)).toEqual(['prompt', 'duration', 'resolution', 'camera']);

    const before = h.provider.submissions.length;
    const { id } = h.discord.submitModal({
      interactionId: openerId,
      values: { prompt: 'the cat turns its head\nand blinks slowly', duration: ['10'], camera: ['推进', '左摇'] },
    });
    const reply = await h.discord.waitFor(
      () => (h.discord.originalResponse(id)?.attachments.length ? h.discord.originalResponse(id) : undefined),
      { timeoutMs: 15_000 },
    );
    expect(reply?.flags ?? 0).toBe(0);
    expect(h.provider.submissions.length).toBe(before + 1);
    const body = h.provider.submissions.at(-1)?.body as Record<string, unknown>;
    expect(body).toMatchObject({
      prompt: '[推进,左摇]the cat turns its head\nand blinks slowly',
      duration: 10,
      resolution: '768p',
      model: 'MiniMax-Hailuo-2.3',
    });
    expect(String(body.first_frame_image)).toContain(`/cdn/attachments/${message.attachments[0]?.id}/cat.png`);
    // The form was sent: what was picked for it is not kept in the store any longer.
    expect(await h.bot.context.drafts.get(modal.custom_id.slice('animate:'.length))).toBeUndefined();
  });

  it("GIVEN a link preview with an image WHEN animated THEN Discord's proxied copy of the picture is the first frame", async () => {
    const proxied = h.discord.registerAttachment({ ...png(1024, 1024), filename: 'sunset.png' });
    const message = h.discord.postMessage({
      content: 'https://example.com/sunset',
      embeds: [
        {
          type: 'article',
          url: 'https://example.com/sunset',
          image: { url: 'https://example.com/img/sunset.png', proxy_url: proxied.url, width: 1024, height: 1024 },
        },
      ],
    });
    const { id: openerId } = await openForm(message.id);
    const { id } = h.discord.submitModal({ interactionId: openerId, values: { prompt: 'the sun sinks' } });
    await h.discord.waitFor(() => h.discord.originalResponse(id)?.attachments.length, { timeoutMs: 15_000 });
    const body = h.provider.submissions.at(-1)?.body as Record<string, unknown>;
    expect(body.first_frame_image).toBe(proxied.url);
    expect(body.duration).toBe(6);
  });

  it('GIVEN pictures the provider cannot use, or none WHEN a member tries THEN they get the same private answers as /video, no form, and nothing is spent', async () => {
    const before = h.provider.submissions.length;
    const cases: Array<{ attachments?: FakeAttachmentInput[]; expect: string }> = [
      { attachments: [], expect: 'no image to animate' },
      { attachments: [png(200, 200)], expect: '200×200' },
      { attachments: [png(3000, 400)], expect: 'aspect ratio' },
      { attachments: [{ ...png(800, 600), filename: 'cat.gif', contentType: 'image/gif' }], expect: 'JPG, PNG or WebP' },
      { attachments: [png(1280, 720, Buffer.from('MZ not a picture at all, an executable'))], expect: 'not really a image/png image' },
    ];
    for (const c of cases) {
      const message = h.discord.postMessage({ content: 'no luck', attachments: c.attachments ?? [] });
      const { callback } = await openForm(message.id);
      expect(callback.type).toBe(4);
      expect((callback.data as { flags: number }).flags & 64).toBe(64);
      expect(JSON.stringify(callback.data)).toContain(c.expect);
    }
    expect(h.provider.submissions.length).toBe(before);
  });

  it('GIVEN the form is sent with 1080p and 10 s WHEN checked THEN the member is told what to change, privately, and nothing is submitted', async () => {
    const message = h.discord.postMessage({ attachments: [png(1280, 720)] });
    const { id: openerId } = await openForm(message.id);
    const before = h.provider.submissions.length;
    const { id } = h.discord.submitModal({
      interactionId: openerId,
      values: { prompt: 'city lights', duration: ['10'], resolution: ['1080p'] },
    });
    const callback = await answerTo(id);
    expect(callback.type).toBe(4);
    expect((callback.data as { flags: number }).flags & 64).toBe(64);
    expect(JSON.stringify(callback.data)).toContain('1080p videos can only be 6 seconds long');
    expect(h.provider.submissions.length).toBe(before);
  });

  it('GIVEN a Chinese-speaking member WHEN they open the form THEN it is in Chinese', async () => {
    const message = h.discord.postMessage({ attachments: [png(1280, 720)] });
    const { modal } = await openForm(message.id, 'zh-CN');
    expect(modal.title).toBe('让这张图片动起来');
    expect(modal.components.map((c) => c.label)).toEqual(['提示词', '时长', '分辨率', '运镜']);
    const none = h.discord.postMessage({ content: '没有图' });
    const { callback } = await openForm(none.id, 'zh-CN');
    expect(JSON.stringify(callback.data)).toContain('没有可用的图片');
  });

  it('GIVEN the bot restarts while the form is open WHEN the member sends it THEN the picked picture is still known and the video is made', async () => {
    const message = h.discord.postMessage({ attachments: [png(1280, 720)] });
    const { id: openerId } = await openForm(message.id);
    await h.restart();
    const { id } = h.discord.submitModal({ interactionId: openerId, values: { prompt: 'after the restart' } });
    await h.discord.waitFor(() => h.discord.originalResponse(id)?.attachments.length, { timeoutMs: 15_000 });
    expect((h.provider.submissions.at(-1)?.body as { prompt: string }).prompt).toBe('after the restart');
  });

  it('GIVEN someone else sends a form opened by another member THEN it is refused', async () => {
    const message = h.discord.postMessage({ attachments: [png(1280, 720)] });
    const { id: openerId } = await openForm(message.id);
    const { id } = h.discord.submitModal({
      interactionId: openerId,
      values: { prompt: 'not mine' },
      context: { user: { id: '1300000000000000099', username: 'intruder' } },
    });
    expect(JSON.stringify((await answerTo(id)).data)).toContain('no longer valid');
  });
});
