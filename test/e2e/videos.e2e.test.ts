import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import videosCommand from '../../commands/videos.js';
import type { FakeUserSpec } from '../fakes/discord/index.js';
import { startHarness, videoCommand, type Harness } from './harness.js';

interface Embed {
  title?: string;
  description?: string;
  footer?: { text: string };
}
interface Row {
  components: Array<{ custom_id: string; disabled?: boolean; label: string }>;
}

const member: FakeUserSpec = { id: '1300000000000000077', username: 'maker' };
const other: FakeUserSpec = { id: '1300000000000000078', username: 'someone-else' };

describe("/videos end to end: a member's own history (real discord.js against the fakes)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Runs /video and waits for the reply to hold the finished MP4; returns the interaction id. */
  async function makeVideo(prompt: string, user: FakeUserSpec): Promise<string> {
    const { id } = h.discord.dispatchInteraction({ ...videoCommand({ prompt }), user });
    await h.discord.waitFor(() => h.discord.originalResponse(id)?.attachments.length, { timeoutMs: 15_000 });
    return id;
  }

  async function videos(user: FakeUserSpec, locale = 'en-US') {
    const { id } = h.discord.dispatchInteraction({ commandName: 'videos', user, locale });
    const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    const data = callback.data as { flags: number; embeds: Embed[]; components: Row[] };
    return { id, callback, data, message: h.discord.originalResponse(id) };
  }

  it('is registered as a guild-only slash command with a Chinese name', () => {
    expect(videosCommand.data).toMatchObject({ name: 'videos', name_localizations: { 'zh-CN': '我的视频' }, contexts: [0] });
  });

  it('GIVEN a member made 11 videos WHEN they run /videos THEN only they see their newest 10 with state, prompt, a jump link and the provider link, and Older shows the 11th', async () => {
    const made: string[] = [];
    // One at a time: the one just delivered may still count as in flight for a moment (two allowed).
    for (let n = 0; n < 11; n += 1) made.push(await makeVideo(n === 0 ? `scene 0 **bold** <@${other.id}>` : `scene ${n}`, member));
    await makeVideo('not mine', other);

    const { data, message } = await videos(member);
    expect(data.flags & 64).toBe(64);
    const embed = data.embeds[0];
    expect(embed?.title).toContain('Your videos in this server');
    const text = embed?.description ?? '';
    expect(text).not.toContain('not mine');
    expect(text.match(/✅ Delivered/g)).toHaveLength(10);
    // The newest first: its jump link leads to the reply that holds it.
    const newest = h.discord.originalResponse(made.at(-1) ?? '');
    expect(text.indexOf(`/${newest?.channelId}/${newest?.id})`)).toBeGreaterThan(0);
    expect(text.indexOf('**1.**')).toBeLessThan(text.indexOf('**2.**'));
    // The provider's link while it is valid.
    expect(text).toMatch(/\[Download\]\(http:\/\/127\.0\.0\.1:\d+\/[^)]+\)/);
    expect(embed?.footer?.text).toContain('Page 1 of 2 · 11 videos');
    expect(text.length).toBeLessThanOrEqual(4096);

    const buttons = data.components[0]?.components ?? [];
    expect(buttons.map((b) => b.label)).toEqual(['Newer', 'Older']);
    expect(buttons[0]?.disabled).toBe(true);
    for (const button of buttons) expect(button.custom_id.length).toBeLessThanOrEqual(100);

    const older = buttons[1]?.custom_id ?? '';
    const press = h.discord.dispatchComponentInteraction({ messageId: message?.id ?? '', customId: older, user: member });
    const update = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === press.id));
    expect(update.type).toBe(7);
    const page2 = (update.data as { embeds: Embed[] }).embeds[0];
    expect(page2?.description).toContain('**11.**');
    // Markdown in a prompt is shown literally, and the mention in it pings nobody.
    expect(page2?.description).toContain('scene 0 \\*\\*bold\\*\\*');
    expect((update.data as { allowed_mentions?: unknown }).allowed_mentions).toEqual({ parse: [], replied_user: false });
    expect(page2?.footer?.text).toContain('Page 2 of 2');
    // The ephemeral message itself now shows page 2.
    expect(JSON.stringify(h.discord.messages.get(message?.id ?? '')?.embeds)).toContain('scene 0');
  }, 60_000);

  it('GIVEN a member with no videos WHEN they run /videos in Chinese THEN they are told how to make one, in Chinese, privately', async () => {
    const { data } = await videos({ id: '1300000000000000079', username: 'new' }, 'zh-CN');
    expect(data.flags & 64).toBe(64);
    expect(data.embeds[0]?.title).toContain('你在本服务器的视频');
    expect(data.embeds[0]?.description).toContain('/视频');
    expect(data.components).toEqual([]);
  });

  it('GIVEN a DM WHEN someone runs /videos THEN they are told it works in a server', async () => {
    const { id } = h.discord.dispatchInteraction({ commandName: 'videos', guildId: null, user: member });
    const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    expect(JSON.stringify(callback.data)).toContain('works in a server');
  });
});
