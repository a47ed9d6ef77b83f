import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, videoCommand, type Harness } from './harness.js';
import { flushDb, rawRedis, redisAvailable, redisUrl } from '../support/redis.js';
import { eventually } from '../support/job-engine.js';

const DB = 10;
const up = await redisAvailable();

describe.skipIf(!up)('/video end to end on a shared Redis store', () => {
  let h: Harness;
  beforeAll(async () => {
    await flushDb(DB);
    h = await startHarness({ env: { STORE_URL: redisUrl(DB), METRICS_PORT: '0' }, provider: { pollsToComplete: null } });
  });
  afterAll(async () => {
    await h?.close();
    if (up) await flushDb(DB);
  });

  it('GIVEN the bot on Redis WHEN a member runs /video THEN the job lives in Redis and the reply ends holding the MP4', async () => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a lighthouse in a storm' }));
    const taskId = await h.discord.waitFor(() => h.provider.submissions.at(-1)?.taskId);

    const redis = await rawRedis(DB);
    try {
      const active = await redis.sMembers('hvb:set:jobs:active');
      expect(active).toHaveLength(1);
      const keys = await redis.keys('*');
      expect(keys.some((key) => key.includes(`job:${active[0]}`))).toBe(true);
      expect(keys.some((key) => key.includes('quota:inflight:'))).toBe(true);
    } finally {
      await redis.quit();
    }

    h.provider.completeTask(taskId);
    const message = await h.discord.waitFor(() => {
      const original = h.discord.originalResponse(id);
      return original?.attachments.length ? original : undefined;
    });
    const served = await fetch(h.provider.videoUrl(taskId)).then(async (r) => Buffer.from(await r.arrayBuffer()));
    expect(message.attachments[0]?.data.equals(served)).toBe(true);
  });

  it('GIVEN a job in flight on Redis WHEN the bot restarts THEN the new process resumes it from Redis and delivers it', async () => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a paper boat on a river' }));
    const taskId = await h.discord.waitFor(
      () => h.provider.submissions.find((s) => (s.body as { prompt: string }).prompt === 'a paper boat on a river')?.taskId,
    );
    await h.restart();
    h.provider.completeTask(taskId);
    const message = await h.discord.waitFor(() => {
      const original = h.discord.originalResponse(id);
      return original?.attachments.length ? original : undefined;
    });
    expect(message.attachments[0]?.filename).toMatch(/\.mp4$/);
  });

  it('GIVEN METRICS_PORT WHEN the bot is connected THEN /healthz says so and /metrics counts the deliveries', async () => {
    const port = h.bot.metricsPort();
    expect(port).toBeGreaterThan(0);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, gateway: { connected: true }, store: { kind: 'redis', reachable: true } });
    // The reply can show the video a moment before the bot hears Discord's answer and counts it.
    const metrics = await eventually(async () => {
      const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
      return text.includes('hvb_delivery_delay_seconds_count{delivery="attachment"} 1') ? text : undefined;
    });
    // This bot is the restarted one: it resumed a job it never submitted, and polled it.
    expect(metrics).toMatch(/hvb_provider_status_duration_seconds_count\{outcome="ok"\} [1-9]/);
  });
});
