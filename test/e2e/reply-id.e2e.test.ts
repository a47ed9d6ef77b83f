import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twoColourVideo } from '../fakes/real-video.js';
import { deliveredTo, press, startHarness, videoCommand, type Harness } from './harness.js';

interface Embed {
  description?: string;
}

const CALLBACK = /\/interactions\/(\d+)\/[^/]+\/callback$/;
const ORIGINAL = /\/webhooks\/\d+\/[^/]+\/messages\/@original$/;

/**
 * /video is acknowledged with a bare deferral (no `with_response`: Discord answers 204, nothing to
 * read while a burst of members waits; issue 15), and the reply's message id, which the job needs
 * once its interaction token is too old and which /videos links to, is read afterwards.
 */
describe("/video's acknowledgement and its reply's id (real discord.js against the fakes)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function makeVideo(prompt: string) {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt }));
    const reply = await h.discord.waitFor(() => {
      const message = h.discord.originalResponse(id);
      return message?.attachments.length ? message : undefined;
    });
    return { id, reply };
  }

  async function videosList(): Promise<string> {
    const { id } = h.discord.dispatchInteraction({ commandName: 'videos' });
    const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    return (callback.data as { embeds: Embed[] }).embeds[0]?.description ?? '';
  }

  it('GIVEN a member runs /video THEN the deferral asks for no response body, and /videos still opens the reply', async () => {
    const { id, reply } = await makeVideo('a heron standing in the reeds');
    const callback = h.discord.requests.find((r) => r.method === 'POST' && CALLBACK.exec(r.path)?.[1] === id);
    expect(callback?.body).toEqual({ type: 5, data: { flags: 0 } });
    expect(callback?.query['with_response'] ?? 'false').toBe('false');
    expect(callback?.status).toBe(204);

    const entry = (await videosList()).split('\n\n').find((e) => e.includes('a heron standing in the reeds')) ?? '';
    expect(entry).toContain(`[Open](https://discord.com/channels/${h.discord.defaultGuildId}/${reply.channelId}/${reply.id})`);
  });

  it('GIVEN Discord fails every read of the reply after the deferral WHEN the member runs /video THEN the video still arrives in that one reply and is charged once, and /videos opens the reply (its id comes back with the first edit of it)', async () => {
    const before = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
    // Every try is refused: the first and the one retry of the client that reads replies.
    const failedReads = () => h.discord.requests.filter((r) => r.method === 'GET' && ORIGINAL.test(r.path) && r.status === 500).length;
    h.discord.failNext({ method: 'GET', path: ORIGINAL }, { status: 500, body: { message: '500: Internal Server Error', code: 0 } }, 2);
    try {
      const { id, reply } = await makeVideo('a kingfisher diving for a fish');
      expect(failedReads()).toBe(2);
      expect(reply.embeds.length).toBeGreaterThan(0);
      expect(h.discord.followUps(id).filter((m) => m.attachments.length > 0)).toEqual([]);
      const after = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
      expect(after.guildUsed - before.guildUsed).toBe(1);
      const entry = (await videosList()).split('\n\n').find((e) => e.includes('a kingfisher diving for a fish')) ?? '';
      expect(entry).toContain(`[Open](https://discord.com/channels/${h.discord.defaultGuildId}/${reply.channelId}/${reply.id})`);
    } finally {
      h.discord.clearFaults();
    }
  });

  // A job joins the line only after the read: it must not wait on Discord for long, whatever
  // Discord does (a graceful stop waits 5 s for handlers; a job not in line by then is ended).
  for (const [what, fault] of [
    ['never answers', { status: 500, hang: true }],
    [
      'answers 429 with a Retry-After of 20 s',
      { status: 429, headers: { 'retry-after': '20' }, body: { message: 'You are being rate limited.', retry_after: 20, global: false } },
    ],
  ] as const) {
    it(`GIVEN the read of the reply ${what} WHEN a member runs /video THEN the job is in line and sent within seconds, and the video arrives in the reply`, async () => {
      const before = h.provider.submissions.length;
      h.discord.failNext({ method: 'GET', path: ORIGINAL }, fault, 2);
      try {
        const started = Date.now();
        const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: `a slow read that ${what}` }));
        await h.discord.waitFor(() => h.provider.submissions.length > before, { timeoutMs: 6_000 });
        expect(Date.now() - started).toBeLessThan(5_000);
        await h.discord.waitFor(() => h.discord.originalResponse(id)?.attachments.length, { timeoutMs: 15_000 });
      } finally {
        h.discord.clearFaults();
      }
    });
  }
});

/**
 * The reads of the replies' ids after a burst go through a client of their own: @discordjs/rest's
 * own global limit (50 requests a second) would hold them back in waves of 50 a second, and with
 * them every other request of the bot, although Discord does not count interaction endpoints
 * against the bot's global limit.
 */
describe('the replies of a burst of /video (real discord.js against the fakes)', () => {
  const MEMBERS = 150;
  const guildOf = (g: number) => String(100000000000000000n + BigInt(g) * 1000n);
  const channelOf = (g: number) => String(200000000000000000n + BigInt(g) * 1000n);
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      discord: {
        guilds: Array.from({ length: MEMBERS }, (_, g) => ({
          id: guildOf(g),
          name: `server ${g}`,
          channels: [{ id: channelOf(g), name: 'general' }],
        })),
      },
      provider: { pollsToComplete: null },
      env: { XCOMPUTE_MAX_RPM: '100000' },
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it(`GIVEN ${MEMBERS} members in ${MEMBERS} servers run /video at once THEN every reply's id is read at once, none held back by the REST client's own global limit, and every job is sent`, async () => {
    const globallyLimited: unknown[] = [];
    const reads = h.bot.context.interactionRest;
    expect(reads).toBeDefined();
    reads?.on('rateLimited', (info) => {
      if (info.global && info.method === 'GET') globallyLimited.push({ method: info.method, route: info.route });
    });
    for (let g = 0; g < MEMBERS; g += 1) {
      h.discord.dispatchInteraction({
        ...videoCommand({ prompt: `a paper boat on a pond, number ${g}` }),
        guildId: guildOf(g),
        channelId: channelOf(g),
        user: { id: String(300000000000000000n + BigInt(g) * 1000n), username: `member${g}` },
      });
    }
    await h.discord.waitFor(() => h.provider.submissions.length >= MEMBERS, { timeoutMs: 60_000 });
    const readAt = h.discord.requests.filter((r) => r.method === 'GET' && ORIGINAL.test(r.path)).map((r) => r.at);
    expect(readAt).toHaveLength(MEMBERS);
    // Through a limit of 50 a second, 150 reads take three waves: at least 2 s from first to last.
    expect(Math.max(...readAt) - Math.min(...readAt)).toBeLessThan(1_500);
    expect(globallyLimited).toEqual([]);
  }, 90_000);
});

/**
 * Extend defers first (it takes the last frame before the job can be accepted) and asks for the
 * reply's id in that deferral's answer. When that answer is lost and the read right after it
 * fails too, the id is read once more before the job joins the line, as /video's is.
 */
describe("Extend's reply when its deferral's answer is lost (real discord.js against the fakes)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider: { videoBytes: twoColourVideo() } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("GIVEN Discord carries out Extend's deferral but its answer and the read right after it fail WHEN the member sends Extend THEN the new video lands in its reply and /videos opens that reply", async () => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a lighthouse at dusk' }));
    const first = await deliveredTo(h, id, 15_000);
    const opened = await press(h, first, 'Extend');
    // The deferral lands and is answered 500; its retry is refused as already acknowledged (40060).
    h.discord.failNext(
      { method: 'POST', path: CALLBACK },
      { status: 500, land: true, body: { message: '500: Internal Server Error', code: 0 } },
      1,
    );
    // The read that follows, through the bot's own client, fails on every try (one and three retries).
    h.discord.failNext({ method: 'GET', path: ORIGINAL }, { status: 500, body: { message: '500: Internal Server Error', code: 0 } }, 4);
    try {
      const submit = h.discord.submitModal({ interactionId: opened.id, values: { prompt: 'the beam sweeps over the waves' } });
      const reply = await deliveredTo(h, submit.id, 15_000);
      const refusedRetries = h.discord.requests.filter((r) => r.method === 'POST' && CALLBACK.exec(r.path)?.[1] === submit.id);
      expect(refusedRetries.map((r) => r.status)).toEqual([500, 400]);
      // Four failed reads right after the deferral, then the one made before the job joins the line.
      const reads = h.discord.requests.filter((r) => r.method === 'GET' && ORIGINAL.test(r.path) && r.path.includes(submit.token));
      expect(reads.map((r) => r.status)).toEqual([500, 500, 500, 500, 200]);
      const { id: listId } = h.discord.dispatchInteraction({ commandName: 'videos' });
      const callback = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === listId));
      const list = (callback.data as { embeds: Embed[] }).embeds[0]?.description ?? '';
      const entry = list.split('\n\n').find((e) => e.includes('the beam sweeps over the waves')) ?? '';
      expect(entry).toContain(`[Open](https://discord.com/channels/${h.discord.defaultGuildId}/${reply.channelId}/${reply.id})`);
    } finally {
      h.discord.clearFaults();
    }
  });
});
