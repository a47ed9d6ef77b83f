import { Events, MessageFlags } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from '../../src/discord/command.js';
import { createInteractionRouter } from '../../src/discord/interaction-router.js';
import { startHarness, type Harness } from './harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A handler that starts a job (so its late answer is acknowledged publicly), refuses privately
 * (the public placeholder is removed, the refusal is a private follow-up), and then fails.
 */
const refusesThenThrows: Command = {
  data: { name: 'refuse-then-throw', description: 'test: refuses privately after a public acknowledgement, then fails' },
  firstAnswer: 'public',
  async execute(interaction) {
    await sleep(300);
    await interaction.reply({ content: 'You cannot do that here.', flags: MessageFlags.Ephemeral });
    throw new Error('failed after the refusal (test)');
  },
};

/** The same, when the private refusal itself fails: Discord refuses its follow-up. */
const refusalFails: Command = { ...refusesThenThrows, data: { name: 'refusal-fails', description: 'test: its private refusal fails' } };

describe('an error after a private refusal replaced the public acknowledgement (real client, fake Discord)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    // The bot's own router leaves a command it does not know alone; this one answers it, with the
    // bot's services and a short acknowledgement budget.
    const router = createInteractionRouter([refusesThenThrows, refusalFails], [], h.bot.context, { acknowledgeWithinMs: 100 });
    h.bot.client.on(Events.InteractionCreate, (interaction) => void router.route(interaction));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN a handler acknowledged publicly for, which refuses privately and then throws WHEN the member waits THEN they read the refusal and "something went wrong", both privately, and the removed reply is never edited', async () => {
    const { id } = h.discord.dispatchInteraction({ commandName: 'refuse-then-throw' });
    const answers = await h.discord.waitFor(() => {
      const found = h.discord.followUps(id);
      return found.length >= 2 ? found : undefined;
    });
    expect(answers.map((m) => m.content)).toEqual(['You cannot do that here.', expect.stringContaining('Something went wrong') as string]);
    for (const message of answers) expect(message.flags & 64).toBe(64);
    // The public placeholder is gone, and nothing tried to edit it after it went.
    expect(h.discord.originalResponse(id)?.deleted ?? true).toBe(true);
    await sleep(200);
    const edits = h.discord.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/messages/@original'));
    expect(edits.filter((r) => r.path.includes(h.discord.interaction(id)?.token ?? '?'))).toEqual([]);
  });

  it('GIVEN a handler acknowledged publicly for, whose private refusal Discord refuses after the public reply was removed WHEN it fails THEN the member still reads "something went wrong", privately, and the removed reply is never edited', async () => {
    // Every try of the refusal's follow-up (the REST client tries a 5xx 4 times) fails; the next one lands.
    h.discord.failNext(
      { method: 'POST', path: /^\/v10\/webhooks\/\d+\/[^/]+$/ },
      { status: 503, body: { message: 'unavailable', code: 0 } },
      4,
    );
    const { id } = h.discord.dispatchInteraction({ commandName: 'refusal-fails' });
    const answer = await h.discord.waitFor(() => h.discord.followUps(id).find((m) => m.content.includes('Something went wrong')), {
      timeoutMs: 10_000,
    });
    expect(answer.flags & 64).toBe(64);
    expect(h.discord.originalResponse(id)?.deleted ?? true).toBe(true);
    const token = h.discord.interaction(id)?.token ?? '?';
    expect(h.discord.requests.filter((r) => r.method === 'PATCH' && r.path.includes(token))).toEqual([]);
  });
});
