import { Events } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from '../../src/discord/command.js';
import { createInteractionRouter } from '../../src/discord/interaction-router.js';
import { startHarness, type Harness } from './harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A command that takes 300 ms before its first answer (a slow decision). */
const slowToAnswer: Command = {
  data: { name: 'slow-to-answer', description: 'test: answers after 300 ms' },
  firstAnswer: 'public',
  async execute(interaction) {
    await sleep(300);
    await interaction.deferReply();
    // Still working after its answer: the member is not waiting for this part.
    await sleep(1_000);
  },
};

/**
 * Acknowledgements first (issue 15): work that can wait, such as sending a video request to the
 * provider, asks the router whether members are still waiting for a first answer, so a burst of
 * /video is acknowledged before the submissions it starts compete with it.
 */
describe('the router knows whether members are still waiting for a first answer (real client, fake Discord)', () => {
  let h: Harness;
  let router: ReturnType<typeof createInteractionRouter>;
  beforeAll(async () => {
    h = await startHarness();
    router = createInteractionRouter([slowToAnswer], [], h.bot.context, {});
    h.bot.client.on(Events.InteractionCreate, (interaction) => void router.route(interaction));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN nobody is waiting WHEN work asks THEN it goes ahead at once', async () => {
    const started = Date.now();
    await router.whenAnswered(5_000);
    expect(Date.now() - started).toBeLessThan(50);
  });

  it('GIVEN three members waiting for their first answer WHEN work asks THEN it waits until all three are answered, not for their handlers to finish', async () => {
    const ids = [0, 1, 2].map(() => h.discord.dispatchInteraction({ commandName: 'slow-to-answer' }).id);
    await sleep(50);
    const asked = Date.now();
    await router.whenAnswered(5_000);
    const answeredAt = Date.now();
    // It waited for their 300 ms decisions, and went ahead while the handlers still run (1 s more).
    expect(answeredAt - asked).toBeGreaterThanOrEqual(200);
    expect(answeredAt - asked).toBeLessThan(900);
    await h.discord.waitFor(() => ids.every((id) => h.discord.callbacks.some((c) => c.interactionId === id)) || undefined);
    await router.drain(5_000);
    expect(Date.now() - answeredAt).toBeGreaterThan(500);
  });

  it('GIVEN a member waiting WHEN work asks with a short bound THEN it goes ahead after the bound', async () => {
    h.discord.dispatchInteraction({ commandName: 'slow-to-answer' });
    await sleep(50);
    const started = Date.now();
    await router.whenAnswered(100);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(90);
    expect(waited).toBeLessThan(250);
    await router.drain(5_000);
  });

  it('GIVEN many pieces of work asking at once with different bounds THEN each goes ahead by its own bound or when all are answered, whichever is first', async () => {
    h.discord.dispatchInteraction({ commandName: 'slow-to-answer' });
    await sleep(50);
    const started = Date.now();
    const at = (bound: number) => router.whenAnswered(bound).then(() => Date.now() - started);
    // Long bounds share one wait that ends when the member is answered (~250 ms from here);
    // a short bound asked after them still ends by its own.
    const [long, longer, short] = await Promise.all([at(5_000), at(6_000), at(100)]);
    expect(short).toBeGreaterThanOrEqual(90);
    expect(short).toBeLessThan(200);
    expect(long).toBeGreaterThanOrEqual(200);
    expect(long).toBeLessThan(900);
    expect(longer).toBeGreaterThanOrEqual(200);
    expect(longer).toBeLessThan(900);
    await router.drain(5_000);
  });
});
