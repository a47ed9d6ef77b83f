import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, videoCommand, type Harness } from './harness.js';
import type { FakeMessage } from '../fakes/discord/index.js';
import { mp4Bytes } from '../fakes/provider-data.js';

// The fake Discord refuses any body over a documented limit (400 / 50035) or holding half an
// emoji, like Discord. So "the member sees it" here also proves the body fitted.

const text = (message: FakeMessage | undefined) => JSON.stringify([message?.content, message?.embeds, message?.components]);
const promptOf = (body: unknown) => (body as { prompt: string }).prompt;
const refusedByDiscord = (h: Harness) => h.discord.requests.filter((r) => r.status === 400 && !r.injected);
type Embed = { description?: string; fields?: Array<{ name: string; value: string }> };
type Row = { components: Array<{ style?: number; url?: string; custom_id?: string }> };

describe('every payload fits Discord, whatever the inputs (real client, fakes)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider: { pollsToComplete: null } });
  });
  afterAll(async () => {
    await h?.close();
  });

  const used = async (userId: string) => (await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, userId, [])).used;

  const linkCases: Array<[string, number]> = [
    ['en-US', 1900],
    ['zh-CN', 1900],
    ['en-US', 2100],
    ['zh-CN', 3000],
    ['en-US', 400],
  ];
  it.each(linkCases)(
    'GIVEN a video over the upload limit and a %s member WHEN the provider link is %i characters long THEN the reply holds the whole link once, a button only when it fits, and one credit is used',
    async (locale, length) => {
      const user = { id: `14${String(length).padStart(4, '0')}${locale === 'zh-CN' ? 1 : 2}000000000000`, username: `u${length}` };
      h.provider.setVideoBytes(mp4Bytes(64 * 1024));
      h.provider.setSignedUrlLength(length);
      const before = refusedByDiscord(h).length;
      try {
        const prompt = `a long signed link ${locale} ${length}`;
        const { id } = h.discord.dispatchInteraction({ ...videoCommand({ prompt }), user, locale, attachmentSizeLimit: 32 * 1024 });
        const taskId = await h.discord.waitFor(() => h.provider.submissions.find((s) => promptOf(s.body) === prompt)?.taskId);
        h.provider.completeTask(taskId);
        const url = h.provider.videoUrl(taskId);
        expect(url.length).toBe(length);
        const message = await h.discord.waitFor(() => {
          const m = h.discord.originalResponse(id);
          return m && text(m).includes(url) ? m : undefined;
        });
        expect(message.attachments).toHaveLength(0);
        const description = (message.embeds[0] as Embed).description ?? '';
        expect(description).toContain(`(${url})`);
        expect(description).toMatch(locale === 'zh-CN' ? /链接/ : /link/);
        const buttons = (message.components as Row[]).flatMap((row) => row.components);
        const linkButton = buttons.find((b) => b.style === 5);
        if (length <= 512) expect(linkButton?.url).toBe(url);
        else expect(linkButton).toBeUndefined();
        expect(buttons.some((b) => b.custom_id?.startsWith('video:regen:'))).toBe(true);
        // Exactly one copy of the link anywhere, and Discord never refused a body on the way.
        expect([...h.discord.messages.values()].filter((m) => !m.deleted && text(m).includes(url))).toHaveLength(1);
        expect(refusedByDiscord(h).length).toBe(before);
        await h.discord.waitFor(() => h.discord.followUps(id).length === 1);
        expect(await used(user.id)).toBe(1);
      } finally {
        h.provider.setSignedUrlLength(0);
        h.provider.setVideoBytes(mp4Bytes());
      }
    },
  );

  const prompts: Array<[string, string, string]> = [
    ['markdown only', 'en-US', '_*~`|>#'.repeat(280)],
    ['letters between 666 emoji', 'zh-CN', 'a🎬'.repeat(666)],
    ['escapes next to emoji', 'en-US', '*🎬'.repeat(666)],
    ['mentions and invisible marks', 'zh-CN', '@everyone <@&1> \u202e'.repeat(95)],
  ];
  it.each(prompts)(
    'GIVEN a 2000-character prompt of %s (%s) WHEN the video is made THEN progress and the final reply fit, with the prompt cut at a whole character',
    async (_name, locale, prompt) => {
      expect(prompt.length).toBeLessThanOrEqual(2000);
      const before = refusedByDiscord(h).length;
      const { id } = h.discord.dispatchInteraction({ ...videoCommand({ prompt }), locale });
      const taskId = await h.discord.waitFor(() => h.provider.submissions.find((s) => promptOf(s.body) === prompt)?.taskId);
      await h.discord.waitFor(() => h.discord.originalResponse(id)?.embeds.length);
      h.provider.completeTask(taskId);
      const message = await h.discord.waitFor(() => {
        const m = h.discord.originalResponse(id);
        return m?.attachments.length ? m : undefined;
      });
      const echoed = (message.embeds[0] as Embed).fields?.[0]?.value ?? '';
      expect([...echoed].length).toBeLessThanOrEqual(1024);
      expect(echoed.endsWith('…')).toBe(true);
      expect(/[\uD800-\uDFFF]/u.test(echoed)).toBe(false);
      expect(refusedByDiscord(h).length).toBe(before);
    },
  );

  const cameras: Array<[string, string, string]> = [
    ['x and 30 emoji', 'en-US', `x${'🎬'.repeat(30)}`],
    ['x and 30 emoji', 'zh-CN', `x${'🎬'.repeat(30)}`],
    ['60 emoji', 'en-US', '😀'.repeat(60)],
    ['a flag sequence cut in its middle', 'en-US', `${'a'.repeat(48)}🇨🇳🇨🇳`],
  ];
  it.each(cameras)(
    'GIVEN an unknown camera value of %s (%s) WHEN /video runs THEN the private answer echoes whole characters and nothing is submitted',
    async (_name, locale, camera) => {
      const submitted = h.provider.submissions.length;
      const { id } = h.discord.dispatchInteraction({ ...videoCommand({ prompt: 'a cat', camera }), locale });
      const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
      const data = callback.data as { flags: number; embeds: Embed[] };
      expect(data.flags & 64).toBe(64);
      const description = data.embeds[0]?.description ?? '';
      const echoed = /`([^`]*)`/.exec(description)?.[1] ?? '';
      const expected = [...camera].length <= 50 ? camera : `${[...camera].slice(0, 49).join('')}…`;
      expect(echoed).toBe(expected);
      expect(/[\uD800-\uDFFF]/u.test(description)).toBe(false);
      expect(h.provider.submissions.length).toBe(submitted);
    },
  );

  it('GIVEN a resolution value forged as 45 emoji WHEN /video runs THEN the answer names it cut at a whole emoji', async () => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a cat', resolution: '🎬'.repeat(45) }));
    const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    const description = (callback.data as { embeds: Embed[] }).embeds[0]?.description ?? '';
    expect(description).toContain(`\`${'🎬'.repeat(39)}…\``);
  });
});
