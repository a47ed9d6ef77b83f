import { Events } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from '../../src/discord/command.js';
import { createInteractionRouter, SHARED_WAIT_MS } from '../../src/discord/interaction-router.js';
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
    expect(waited).toBeGreaterThanOrEqual(100 - SHARED_WAIT_MS - 5);
    expect(waited).toBeLessThan(250);
    await router.drain(5_000);
  });

  it('GIVEN pieces of work asking with different bounds at different times THEN each goes ahead by its own bound (at most SHARED_WAIT_MS sooner) or when all are answered, whichever is first', async () => {
    h.discord.dispatchInteraction({ commandName: 'slow-to-answer' });
    await sleep(50);
    const started = Date.now();
    const since = (from: number) => () => Date.now() - from;
    // A short bound asked first does not release a long one asked after it.
    const short = router.whenAnswered(60).then(since(started));
    const long = router.whenAnswered(5_000).then(since(started));
    // The same short bound asked 100 ms later waits by its own bound, not the first one's.
    await sleep(100);
    const laterAt = Date.now();
    const later = router.whenAnswered(100).then(since(laterAt));
    const [shortWaited, longWaited, laterWaited] = await Promise.all([short, long, later]);
    expect(shortWaited).toBeGreaterThanOrEqual(60 - SHARED_WAIT_MS - 5);
    expect(shortWaited).toBeLessThan(100);
    expect(laterWaited).toBeGreaterThanOrEqual(100 - SHARED_WAIT_MS - 5);
    expect(laterWaited).toBeLessThan(150);
    // The member is answered about 250 ms after `started` (a 300 ms decision, asked 50 ms before).
    expect(longWaited).toBeGreaterThanOrEqual(200);
    expect(longWaited).toBeLessThan(900);
    await router.drain(5_000);
  });
});
