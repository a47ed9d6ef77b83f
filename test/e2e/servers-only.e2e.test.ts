import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/i18n/index.js';
import { DELETE_PREFIX, REGENERATE_PREFIX } from '../../src/discord/render/result-buttons.js';
import { startHarness, videoCommand, type Harness } from './harness.js';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(4000)]);

/**
 * One guard for "in a server only" (the interaction router): whatever a member uses outside a
 * server where the bot is installed — a DM with the bot, a user-installed context — gets the same
 * private answer before any handler runs, and nothing is read, reserved or submitted.
 */
describe('outside a server, every command, button and form gets the one "in a server" answer', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function privateAnswer(id: string) {
    const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    const data = callback.data as { flags?: number; content?: string; allowed_mentions?: unknown };
    return { type: callback.type, flags: data.flags ?? 0, content: data.content ?? '', allowedMentions: data.allowed_mentions };
  }

  it.each([
    ['/video', () => ({ ...videoCommand({ prompt: 'a cat' }) })],
    ['/videos', () => ({ commandName: 'videos' })],
    ['/usage', () => ({ commandName: 'usage' })],
    ['/quota show', () => ({ commandName: 'quota', subcommand: 'show' })],
  ])(
    'GIVEN %s in a DM THEN the member is told, privately and in their language, to use it in a server; nothing is submitted',
    async (_name, spec) => {
      const before = h.provider.submissions.length;
      for (const locale of ['en-US', 'zh-CN'] as const) {
        const { id } = h.discord.dispatchInteraction({ ...spec(), guildId: null, locale });
        const answer = await privateAnswer(id);
        expect(answer.type).toBe(4);
        expect(answer.flags & 64).toBe(64);
        expect(answer.content).toBe(t(locale, 'error.guild_only'));
      }
      expect(h.provider.submissions.length).toBe(before);
    },
  );

  it('GIVEN a Regenerate button pressed outside a server THEN the same answer, and no video is started', async () => {
    const anchor = h.discord.postMessage({ content: 'a message holding the button' });
    const before = h.provider.submissions.length;
    const { id } = h.discord.dispatchComponentInteraction({ customId: `${REGENERATE_PREFIX}job-1`, messageId: anchor.id, guildId: null });
    const answer = await privateAnswer(id);
    expect(answer.flags & 64).toBe(64);
    expect(answer.content).toBe(t('en', 'error.guild_only'));
    expect(h.provider.submissions.length).toBe(before);
  });

  it('GIVEN Delete pressed under a video the bot sent by DM THEN it is not refused for being outside a server (it works anywhere)', async () => {
    const anchor = h.discord.postMessage({ content: 'a video sent by DM' });
    const { id } = h.discord.dispatchComponentInteraction({ customId: `${DELETE_PREFIX}unknown-job`, messageId: anchor.id, guildId: null });
    const answer = await privateAnswer(id);
    expect(answer.content).not.toBe(t('en', 'error.guild_only'));
    expect(answer.content).toBe(t('en', 'error.not_your_button'));
  });

  it('GIVEN an Animate form sent from outside a server THEN the same answer, and nothing is submitted', async () => {
    const message = h.discord.postMessage({
      content: 'a cat',
      attachments: [{ filename: 'cat.png', contentType: 'image/png', data: PNG, width: 1280, height: 720 }],
    });
    const opener = h.discord.dispatchMessageCommand({ commandName: 'Animate image', messageId: message.id });
    await h.discord.waitFor(() => h.discord.modalShown(opener.id));
    const before = h.provider.submissions.length;
    const { id } = h.discord.submitModal({ interactionId: opener.id, values: { prompt: 'it blinks' }, context: { guildId: null } });
    const answer = await privateAnswer(id);
    expect(answer.content).toBe(t('en', 'error.guild_only'));
    expect(h.provider.submissions.length).toBe(before);
  });
});
