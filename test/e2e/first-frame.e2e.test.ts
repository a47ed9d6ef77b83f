import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

const PNG_BYTES = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(4000)]);
const DAY_MS = 24 * 3600 * 1000;

describe('first-frame images whose Discord link runs out (real discord.js against the fakes)', () => {
  let h: Harness;
  // Discord signs attachment links for a day; the bot and the fake Discord share this clock.
  let offset = 0;
  beforeAll(async () => {
    h = await startHarness({ clock: () => Date.now() + offset });
  });
  afterAll(async () => {
    await h?.close();
  });

  const withImage = (attachmentId: string, prompt: string, expiresInMs?: number) => ({
    commandName: 'video',
    options: [
      { name: 'prompt', type: 3, value: prompt },
      { name: 'image', type: 11, value: attachmentId },
      { name: 'model', type: 3, value: 'MiniMax-Hailuo-2.3-Fast' },
    ],
    attachments: [
      {
        id: attachmentId,
        filename: 'cat.png',
        contentType: 'image/png',
        data: PNG_BYTES,
        width: 1280,
        height: 720,
        ...(expiresInMs ? { expiresInMs } : {}),
      },
    ],
  });
  const delivered = (id: string) =>
    h.discord.waitFor(() => {
      const message = h.discord.originalResponse(id);
      return message?.attachments.length ? message : undefined;
    });
  const regenerateButton = (components: unknown) => /"custom_id":"(video:regen:[^"]+)"/.exec(JSON.stringify(components))?.[1] ?? '';
  const firstFrameOf = (index: number) => String((h.provider.submissions[index]?.body as { first_frame_image?: string }).first_frame_image);
  const refreshRequests = () =>
    h.discord.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/attachments/refresh-urls')).length;

  it('GIVEN a link with minutes left WHEN the job is submitted THEN the provider gets a renewed link that works for a day', async () => {
    const { id } = h.discord.dispatchInteraction(withImage('1300000000000000101', 'the cat yawns', 5 * 60_000));
    await delivered(id);
    const sent = firstFrameOf(0);
    expect(sent).toContain('/cdn/attachments/1300000000000000101/cat.png');
    const ex = parseInt(new URL(sent).searchParams.get('ex') ?? '0', 16) * 1000;
    expect(ex - Date.now()).toBeGreaterThan(DAY_MS - 60_000);
    expect(refreshRequests()).toBe(1);
  });

  it('GIVEN a video made from an image WHEN a member presses regenerate the next day THEN the provider gets a working link, not the dead one', async () => {
    const before = h.provider.submissions.length;
    const { id } = h.discord.dispatchInteraction(withImage('1300000000000000102', 'the cat stretches'));
    const first = await delivered(id);
    const original = firstFrameOf(before);
    expect((await fetch(original)).status).toBe(200);

    offset += DAY_MS + 3600_000;
    expect((await fetch(original)).status).toBe(404);
    const again = h.discord.dispatchComponentInteraction({ customId: regenerateButton(first.components), messageId: first.id });
    await delivered(again.id);
    const renewed = firstFrameOf(before + 1);
    expect(renewed).not.toBe(original);
    expect(renewed).toContain('/cdn/attachments/1300000000000000102/cat.png');
    expect((await fetch(renewed)).status).toBe(200);
  });

  it('GIVEN Discord failing WHEN a video with a run-out link is regenerated THEN the member is told to retry, nothing is charged, and a retry works', async () => {
    const { id } = h.discord.dispatchInteraction(withImage('1300000000000000104', 'the cat purrs'));
    const first = await delivered(id);
    const submitted = h.provider.submissions.length;

    offset += DAY_MS + 3600_000;
    h.discord.failNext(
      { method: 'POST', path: /\/attachments\/refresh-urls$/ },
      { status: 503, body: { message: 'upstream down', code: 0 } },
      20,
    );
    const failed = h.discord.dispatchComponentInteraction({ customId: regenerateButton(first.components), messageId: first.id });
    const told = await h.discord.waitFor(() => {
      const text = JSON.stringify(h.discord.originalResponse(failed.id)?.embeds ?? []);
      return text.includes('Discord could not be reached') ? text : undefined;
    });
    expect(told).toContain('Nothing was charged');
    expect(h.provider.submissions).toHaveLength(submitted);

    h.discord.clearFaults();
    const retried = h.discord.dispatchComponentInteraction({ customId: regenerateButton(first.components), messageId: first.id });
    await delivered(retried.id);
    expect(h.provider.submissions).toHaveLength(submitted + 1);
  });

  it('GIVEN an image deleted from Discord WHEN its video is regenerated later THEN the member is told to attach it again and nothing is sent or charged', async () => {
    const { id } = h.discord.dispatchInteraction(withImage('1300000000000000103', 'the cat sleeps'));
    const first = await delivered(id);
    const submitted = h.provider.submissions.length;
    h.discord.deleteAttachment('1300000000000000103');

    offset += DAY_MS + 3600_000;
    const again = h.discord.dispatchComponentInteraction({ customId: regenerateButton(first.components), messageId: first.id });
    const told = await h.discord.waitFor(() => {
      const text = JSON.stringify(h.discord.originalResponse(again.id)?.embeds ?? []);
      return text.includes('no longer available') ? text : undefined;
    });
    expect(told).toContain('Run /video again and attach the image');
    expect(told).toContain('Nothing was charged');
    expect(h.provider.submissions).toHaveLength(submitted);
    const standing = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
    expect(standing.used).toBe(0);
  });
});
