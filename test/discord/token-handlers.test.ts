import { Routes, type REST } from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createInteractionTokenRest, createOnceRest, createUploadRest } from '../../src/discord/client.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';

/**
 * The REST clients that reach a job's reply through its interaction token keep a rate-limit
 * handler per token (@discordjs/rest); a finished job's are dropped within a minute of going idle,
 * so the bot's memory follows the jobs in flight, not every job of the last hour (issue 15).
 */
describe('per-token REST state of finished jobs', () => {
  let discord: FakeDiscord;
  beforeAll(async () => {
    discord = await startFakeDiscord();
  });
  afterAll(async () => {
    await discord.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  // Tokens of jobs long finished: Discord answers 401 (the fake knows none of them), as it does
  // for a token past its 15 minutes. The handler is made either way.
  const tokens = ['aW50ZXJhY3Rpb246MTox', 'aW50ZXJhY3Rpb246MToy', 'aW50ZXJhY3Rpb246MToz'];
  const reply = (token: string) => Routes.webhookMessage(discord.applicationId, token, '@original');

  it.each<[string, () => REST, (rest: REST, token: string) => Promise<unknown>]>([
    ["the reply id's read", () => createInteractionTokenRest(discord.apiUrl), (rest, token) => rest.get(reply(token), { auth: false })],
    [
      'the upload of the video',
      () => createUploadRest(discord.apiUrl, discord.token),
      (rest, token) => rest.patch(reply(token), { auth: false, body: { content: 'done' } }),
    ],
    [
      'a follow-up',
      () => createOnceRest(discord.apiUrl, discord.token),
      (rest, token) => rest.post(Routes.webhook(discord.applicationId, token), { auth: false, body: { content: 'done' } }),
    ],
  ])(
    'GIVEN %s for three jobs WHEN a minute passes with nothing more for them THEN their handlers are gone',
    async (_what, make, request) => {
      // Only the sweep's interval is faked: the requests run on real timers.
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const rest = make();
      for (const token of tokens) await request(rest, token).catch(() => undefined);
      expect(rest.handlers.size).toBe(tokens.length);
      vi.advanceTimersByTime(60_000);
      expect(rest.handlers.size).toBe(0);
      // A later request for the same token works as before (a new handler).
      await request(rest, tokens[0]!).catch(() => undefined);
      expect(rest.handlers.size).toBe(1);
      rest.clearHandlerSweeper();
      rest.clearHashSweeper();
    },
  );
});
