import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeAttachmentInput, FakeMessage } from '../fakes/discord/index.js';
import { twoColourVideo } from '../fakes/real-video.js';
import { answerTo as answerToIn, buttonsOf, deliveredTo, press as pressIn, startHarness, videoCommand, type Harness } from './harness.js';

const GUILD = '110000000000000001';
const GENERAL = '110000000000000010';
const STUDIO = '110000000000000011';
const PRIV = '110000000000000014';
const GEN_PRIV = '110000000000000015';
const MANAGE_GUILD = String(1 << 5);
const admin = { user: { id: '120000000000000001', username: 'admin' }, memberPermissions: MANAGE_GUILD };
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(4000)]);
const png: FakeAttachmentInput = { filename: 'cat.png', contentType: 'image/png', data: PNG, width: 1280, height: 720 };

// A private thread the gateway never announced to the bot (it is not a member): discord.js has no
// channel object for it (no partial channels), so everything the bot needs comes from the
// interactions' own payloads: the thread's parent for the allowed channels, the message a button,
// form or context menu came from.
describe('a private thread of an allowed channel, never announced to the bot', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      provider: { videoBytes: twoColourVideo() },
      env: { QUOTA_DEFAULT_LIMIT: '40' },
      discord: {
        guilds: [
          {
            id: GUILD,
            channels: [
              { id: GENERAL, name: 'general' },
              { id: STUDIO, name: 'studio' },
              { id: PRIV, name: 'drafts', type: 12, parentId: STUDIO },
              { id: GEN_PRIV, name: 'secret', type: 12, parentId: GENERAL },
            ],
          },
        ],
      },
    });
    const { id } = h.discord.dispatchInteraction({
      commandName: 'quota',
      subcommand: 'channels',
      options: [
        { name: 'action', type: 3, value: 'add' },
        { name: 'channel', type: 7, value: STUDIO },
      ],
      ...admin,
    });
    const cb = await answerTo(id);
    expect(JSON.stringify(cb.data)).toContain('works only in');
  });
  afterAll(async () => {
    await h?.close();
  });
  const answerTo = (id: string) => answerToIn(h, id);
  const finished = (id: string) => deliveredTo(h, id, 20_000);
  const press = (message: FakeMessage, label: string) => pressIn(h, message, label);
  let first: FakeMessage;

  it('GIVEN /video in the thread THEN it counts as the allowed channel and the video is delivered with its buttons', async () => {
    expect(h.bot.client.channels.cache.has(PRIV)).toBe(false);
    const { id } = h.discord.dispatchInteraction({ ...videoCommand({ prompt: 'a fox' }), channelId: PRIV });
    first = await finished(id);
    expect(buttonsOf(first).map((b) => b.label)).toContain('Extend');
  });

  it('WHEN the requester presses Regenerate there THEN the same settings start again', async () => {
    const before = h.provider.submissions.length;
    const r = await press(first, 'Regenerate');
    expect(JSON.stringify(r.callback.data ?? {})).not.toContain('can only be made');
    await h.discord.waitFor(() => h.provider.submissions.length === before + 1, { timeoutMs: 10_000 });
  });

  it('WHEN Extend is sent there THEN the last frame is taken from the video on that message and the new job starts', async () => {
    const opened = await press(first, 'Extend');
    expect(opened.callback.type).toBe(9);
    const before = h.provider.submissions.length;
    const submit = h.discord.submitModal({ interactionId: opened.id, values: { prompt: 'on and on' } });
    const cb = await answerTo(submit.id);
    expect(JSON.stringify(cb.data ?? {})).not.toMatch(/can only be made|no_video|could not/i);
    await h.discord.waitFor(() => h.provider.submissions.length === before + 1, { timeoutMs: 15_000 });
    expect(String((h.provider.submissions.at(-1)?.body as { first_frame_image?: string }).first_frame_image)).toMatch(/^data:image\/jpeg/);
  });

  it('WHEN a member uses Animate image on a picture posted there THEN the picture is the first frame', async () => {
    const message = h.discord.postMessage({ channelId: PRIV, attachments: [png] });
    const { id } = h.discord.dispatchMessageCommand({
      commandName: 'Animate image',
      messageId: message.id,
      user: { id: '130000000000000009', username: 'other' },
    });
    const cb = await answerTo(id);
    expect(cb.type).toBe(9);
    const before = h.provider.submissions.length;
    const submit = h.discord.submitModal({ interactionId: id, values: { prompt: 'the cat blinks' } });
    await answerTo(submit.id);
    await h.discord.waitFor(() => h.provider.submissions.length === before + 1, { timeoutMs: 15_000 });
    expect(String((h.provider.submissions.at(-1)?.body as { first_frame_image?: string }).first_frame_image)).toContain('cat.png');
  });

  it('GIVEN a private thread of a channel that is not allowed THEN /video there is refused, pointing to the allowed one', async () => {
    const { id } = h.discord.dispatchInteraction({ ...videoCommand({ prompt: 'nope' }), channelId: GEN_PRIV });
    const cb = await answerTo(id);
    expect(JSON.stringify(cb.data)).toContain('can only be made');
    expect(h.bot.client.channels.cache.has(PRIV)).toBe(false);
  });
});
