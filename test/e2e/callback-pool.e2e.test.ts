import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK_CONNECTIONS } from '../../src/discord/client.js';
import { startHarness, type Harness } from './harness.js';

// More than the pool's connections, so the cap is what the test sees.
const GUILDS = 160;
const guildId = (g: number) => (1_300_000_000_000_000_000n + BigInt(g) * 1_000n).toString();
const channelId = (g: number) => (1_300_000_000_000_000_000n + BigInt(g) * 1_000n + 1n).toString();
const CALLBACK = /^\/v10\/interactions\/(\d+)\/[^/]+\/callback$/;

/**
 * Interaction callbacks have a connection pool of their own (issue 15): a burst of /video, one per
 * server, is acknowledged in time over connections kept open and reused, instead of one new
 * connection per interaction (each a TCP and TLS handshake against Discord), and the pool's
 * connections carry nothing but callbacks, so no slow edit can hold one a callback needs.
 */
describe('a burst of /video is acknowledged over a bounded set of connections (real client, fake Discord)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      discord: {
        guilds: Array.from({ length: GUILDS }, (_, g) => ({
          id: guildId(g),
          name: `burst ${g}`,
          channels: [{ id: channelId(g), name: 'general' }],
        })),
      },
      // Tasks never complete: only the acknowledgements are looked at.
      provider: { pollsToComplete: null },
      env: { QUOTA_DEFAULT_LIMIT: '1000000', XCOMPUTE_MAX_RPM: '100000', POLL_INTERVAL_MS: '60000' },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it(`GIVEN the bot answered an interaction before AND ${GUILDS} members of ${GUILDS} servers WHEN they all run /video at once THEN each reply is deferred in time, over at most ${CALLBACK_CONNECTIONS} connections used only for callbacks`, async () => {
    // The pool is made on the bot's first callback (its undici is loaded then, not at start).
    const first = h.discord.dispatchInteraction({ commandName: 'help' }).id;
    await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === first));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ids = Array.from(
      { length: GUILDS },
      (_, g) =>
        h.discord.dispatchInteraction({
          guildId: guildId(g),
          channelId: channelId(g),
          user: { id: (1_400_000_000_000_000_000n + BigInt(g) * 100n).toString(), username: `member_${g}` },
          commandName: 'video',
          options: [{ name: 'prompt', type: 3, value: `burst ${g}: a paper boat on a rainy street` }],
        }).id,
    );
    await h.discord.waitFor(() => ids.every((id) => h.discord.callbacks.some((c) => c.interactionId === id)) || undefined, {
      timeoutMs: 20_000,
    });
    // Every member sees the public "thinking…" reply (type 5, deferred), within Discord's 3 s.
    for (const id of ids) {
      const callback = h.discord.callbacks.find((c) => c.interactionId === id);
      expect(callback?.type).toBe(5);
      expect(callback?.afterMs).toBeLessThan(3_000);
    }
    const wanted = new Set(ids);
    const callbackConnections = new Set(
      h.discord.requests.filter((r) => wanted.has(CALLBACK.exec(r.path)?.[1] ?? '')).map((r) => r.connection),
    );
    expect(callbackConnections.size).toBeGreaterThan(0);
    expect(callbackConnections.size).toBeLessThanOrEqual(CALLBACK_CONNECTIONS);
    // Nothing else (edits, follow-ups, command sync) went over the callbacks' connections.
    const others = h.discord.requests.filter((r) => !CALLBACK.test(r.path) && callbackConnections.has(r.connection));
    expect(others.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it('GIVEN the pool exists WHEN a member runs /usage (an answer with a file: the chart) THEN the answer and its file arrive', async () => {
    const id = h.discord.dispatchInteraction({
      guildId: guildId(0),
      channelId: channelId(0),
      user: { id: 1_400_000_000_000_000_000n.toString(), username: 'member_0' },
      commandName: 'usage',
    }).id;
    const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    expect(callback.type).toBe(4);
    const request = h.discord.requests.find((r) => r.method === 'POST' && CALLBACK.exec(r.path)?.[1] === id);
    expect(request?.status).toBeLessThan(300);
    expect(request?.files.map((f) => f.name)).toEqual(['usage.png']);
  });
});
