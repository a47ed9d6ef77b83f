import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { startFakeProvider, type FakeProvider } from '../fakes/provider.js';
import { shardOfGuild } from '../../src/sharding/ownership.js';
import { videoCommand } from './harness.js';
import { buildBot, startBotProcess, type BotProcess } from './process.js';
import { flushDb, redisAvailable, redisUrl } from '../support/redis.js';
import { eventually } from '../support/job-engine.js';

const DB = 12;
const up = await redisAvailable();
const root = resolve(import.meta.dirname, '..', '..');

/** Builds the bot into its own folder, so a build for another test never rewrites files under our processes. */
const buildForSharding = (): string => buildBot(join(root, '.test-dist', 'sharding'));

const portFree = (port: number): Promise<boolean> =>
  new Promise((done) => {
    const server = createServer().once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });

/**
 * A port that is free now, with the one after it free too (shard 1 serves metrics there, 5.5 s
 * after shard 0 starts). Taken below the kernel's ephemeral range (32768 and up on Linux): the
 * ports other tests' servers and connections get from the kernel come from that range, and one of
 * them taking shard 1's port in the meantime made its start fail (EADDRINUSE) and the shard restart.
 */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = 20_000 + 2 * Math.floor(Math.random() * 6_000);
    if ((await portFree(port)) && (await portFree(port + 1))) return port;
  }
}

/** The environment of `npm start` for a manager on the fakes and Redis database `DB`, plus `extra`. */
const managerEnv = (discord: FakeDiscord, provider: FakeProvider, extra: Record<string, string>): Record<string, string> => ({
  DISCORD_TOKEN: discord.token,
  DISCORD_API_URL: discord.apiUrl,
  XCOMPUTE_API_KEY: provider.apiKey,
  XCOMPUTE_BASE_URL: provider.baseUrl,
  STORE_URL: redisUrl(DB),
  // The test Redis keeps nothing on disk; the bot refuses that unless told it is on purpose.
  STORE_ALLOW_VOLATILE: 'true',
  // Shown only when a test fails: what each shard did.
  LOG_LEVEL: 'info',
  ...extra,
});

/** Kills a manager a test left running (its shards see it go and stop). */
async function killIfRunning(manager: BotProcess | undefined): Promise<void> {
  if (manager && manager.child.exitCode === null) {
    manager.child.kill('SIGKILL');
    await manager.exited;
  }
}

/** A guild id on the given shard of 2. */
const guildOnShard = (shard: number): string => {
  const base = 1_100_000_000_000_000_001n;
  return shardOfGuild(String(base), 2) === shard ? String(base) : String(base + (1n << 22n));
};

describe.skipIf(!up)('sharding: npm start with SHARD_COUNT runs one process per shard on a shared Redis', () => {
  let discord: FakeDiscord;
  let provider: FakeProvider;
  let manager: BotProcess | undefined;
  let metricsPort: number;
  const guilds = [guildOnShard(0), guildOnShard(1)];

  beforeAll(async () => {
    const entry = buildForSharding();
    await flushDb(DB);
    discord = await startFakeDiscord({ guilds: guilds.map((id, i) => ({ id, name: `server ${i}` })), recommendedShards: 2 });
    provider = await startFakeProvider({ pollsToComplete: 2 });
    metricsPort = await freePortPair();
    manager = startBotProcess(
      entry,
      managerEnv(discord, provider, {
        SHARD_COUNT: 'auto',
        METRICS_PORT: String(metricsPort),
        POLL_INTERVAL_MS: '100',
        PROGRESS_EDIT_MIN_MS: '0',
      }),
    );
    // ShardingManager starts shards 5.5 s apart, as Discord's identify limit asks.
    await discord.waitFor(() => discord.gatewaySessions === 2, { timeoutMs: 40_000 });
  }, 120_000);

  afterAll(async () => {
    await killIfRunning(manager);
    await discord?.close();
    await provider?.close();
    if (up) await flushDb(DB);
  });

  it('GIVEN SHARD_COUNT=auto WHEN the bot starts THEN it asks DISCORD_API_URL and runs shards 0 and 1 of 2', () => {
    expect(discord.requests.some((r) => r.path.endsWith('/gateway/bot'))).toBe(true);
    expect(discord.identifies.map((i) => i.shard).sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });

  it('GIVEN a /video in a guild of each shard WHEN both run THEN each shard makes and polls its own guild’s video', async () => {
    const ids = guilds.map(
      (guildId, i) => discord.dispatchInteraction({ ...videoCommand({ prompt: `video for server ${i}` }), guildId }).id,
    );
    for (const id of ids) {
      await discord
        .waitFor(() => discord.originalResponse(id)?.attachments.length, { timeoutMs: 20_000 })
        .catch((err: unknown) => {
          // What the member reads and what the shards logged say why (a shard that restarted, a port in use).
          const reply = discord.originalResponse(id);
          const followUps = discord.followUps(id).map((m) => m.content);
          const shown = JSON.stringify({ content: reply?.content, embeds: reply?.embeds, followUps });
          throw new Error(
            `${err instanceof Error ? err.message : String(err)}\n--- reply ---\n${shown}\n--- bot output ---\n${manager?.output() ?? ''}`,
          );
        });
    }
    for (const [shard, port] of [metricsPort, metricsPort + 1].entries()) {
      // The reply can show the video a moment before the shard hears Discord's answer and counts it.
      const metrics = await eventually(async () => {
        const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
        return text.includes('hvb_delivery_delay_seconds_count{delivery="attachment"} 1') ? text : undefined;
      });
      expect(metrics, `shard ${shard}`).toContain('hvb_provider_submissions_total{outcome="accepted"} 1');
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ gateway: { shards: [{ id: shard, status: 'Ready' }] } });
    }
  }, 40_000);

  it('GIVEN the running shards WHEN the manager gets SIGTERM THEN every shard stops cleanly and the manager exits 0', async () => {
    manager?.child.kill('SIGTERM');
    const code = await manager?.exited;
    expect(code, manager?.output()).toBe(0);
    await discord.waitFor(() => discord.gatewayConnections === 0, { timeoutMs: 5_000 });
  }, 30_000);
});

describe.skipIf(!up)('sharding: a manager stopped while it starts its shards', () => {
  let discord: FakeDiscord;
  let provider: FakeProvider;
  let manager: BotProcess | undefined;

  beforeAll(async () => {
    await flushDb(DB);
    discord = await startFakeDiscord({ guilds: [guildOnShard(0), guildOnShard(1)].map((id, i) => ({ id, name: `server ${i}` })) });
    provider = await startFakeProvider();
  });

  afterAll(async () => {
    await killIfRunning(manager);
    await discord?.close();
    await provider?.close();
    if (up) await flushDb(DB);
  });

  it('GIVEN shard 0 running and shard 1 not started yet (5.5 s apart) WHEN the manager gets SIGTERM THEN it stops shard 0 cleanly and exits 0, and no shard starts after', async () => {
    const entry = buildForSharding();
    manager = startBotProcess(entry, managerEnv(discord, provider, { SHARD_COUNT: '2' }));
    await discord.waitFor(() => discord.gatewaySessions === 1, { timeoutMs: 40_000 });
    manager.child.kill('SIGTERM');
    const code = await manager.exited;
    expect(code, manager.output()).toBe(0);
    // Shard 0 was stopped by the manager (not left to notice it is gone), and shard 1 never came.
    expect(manager.output()).not.toMatch(/could not start|stop took too long/);
    await discord.waitFor(() => discord.gatewayConnections === 0, { timeoutMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(discord.identifies.map((i) => i.shard)).toEqual([[0, 2]]);
    // Its log (it writes to the manager's output): told to stop, not orphaned.
    expect(manager.output()).not.toContain('manager disconnected');
  }, 90_000);
});
