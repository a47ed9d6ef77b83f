import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createClient } from '@keyv/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { startFakeProvider, type FakeProvider } from '../fakes/provider.js';
import { startOwnRedis, type OwnRedis } from '../support/redis-server.js';
import { eventually } from '../support/job-engine.js';
import { fakeEnv, videoCommand } from './harness.js';
import { buildBotOnce, trackBotProcesses } from './process.js';

// What `npm start` loads on its way to Discord is time before the bot can answer (issue 15's cold
// start). The Redis client is about 430 modules and, at its first client, builds a class of 743
// command methods: about 100 ms of a start. A SQLite bot never needs it, start-up check included.

/** A module hook (`node --import`) that writes the URL of every ES module file the process loads to HVB_LOADED_LOG. */
const SPY = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(process.env.HVB_LOADED_LOG, url + '\\\\n');
  return next(url, context);
}
\`));
`;

/** The bundle's chunks that hold the Redis client (node-redis, bundled by esbuild under its path). */
const holdsRedisClient = (file: string) => readFileSync(file, 'utf8').includes('node_modules/@redis/client/');

describe('npm start loads the Redis client only for a Redis store', () => {
  let entry: string;
  let discord: FakeDiscord;
  let provider: FakeProvider;
  let redis: OwnRedis;
  let dir: string;
  const bots = trackBotProcesses('afterEach');

  beforeAll(async () => {
    entry = buildBotOnce();
    discord = await startFakeDiscord();
    provider = await startFakeProvider({ pollsToComplete: 1 });
    redis = await startOwnRedis();
    dir = mkdtempSync(join(tmpdir(), 'hvb-start-loads-'));
    writeFileSync(join(dir, 'spy.mjs'), SPY);
  }, 300_000);

  afterAll(async () => {
    await discord?.close();
    await provider?.close();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the built bot on `storeUrl`, serves one /video through it, and lists the bundle files it loaded. */
  async function filesLoaded(name: string, storeUrl: string): Promise<string[]> {
    const log = join(dir, `${name}.log`);
    const bot = bots.start(entry, {
      ...fakeEnv(discord, provider, join(dir, name, 'bot.sqlite')),
      STORE_URL: storeUrl,
      VIDEO_TMP_DIR: join(dir, name, 'videos'),
      NODE_OPTIONS: `--import=${pathToFileURL(join(dir, 'spy.mjs')).href}`,
      HVB_LOADED_LOG: log,
    });
    const identified = discord.identifies.length;
    await discord.waitFor(() => discord.identifies.length > identified, { timeoutMs: 30_000 });
    // Past the start: a member's /video runs through the store to the finished video.
    const { id } = discord.dispatchInteraction(videoCommand({ prompt: `a lantern, ${name}` }));
    await discord.waitFor(() => (discord.originalResponse(id)?.attachments.length ? true : undefined), { timeoutMs: 20_000 });
    expect(bot.child.exitCode, bot.output()).toBeNull();
    return readFileSync(log, 'utf8')
      .split('\n')
      .filter((url) => url.includes('/bundle/'))
      .map((url) => new URL(url).pathname);
  }

  it('GIVEN STORE_URL=sqlite://… WHEN npm start runs and serves a /video THEN no file holding the Redis client was loaded', async () => {
    const files = await filesLoaded('sqlite', `sqlite://${join(dir, 'sqlite', 'bot.sqlite')}`);
    expect(files.length).toBeGreaterThan(3);
    expect(files.filter(holdsRedisClient)).toEqual([]);
  }, 60_000);

  it('GIVEN STORE_URL=redis://… WHEN npm start runs THEN the Redis client is loaded (the check above can see it)', async () => {
    const files = await filesLoaded('redis', `redis://127.0.0.1:${redis.port}/0`);
    expect(files.filter(holdsRedisClient).length).toBeGreaterThan(0);
  }, 60_000);

  it('GIVEN STORE_URL=redis://… WHEN the bot has sent IDENTIFY and Discord has not answered yet THEN only its start-up check has connected to Redis, and closed; once READY comes its store connects and a /video sent at that moment is served', async () => {
    const watcher = createClient({ url: `redis://127.0.0.1:${redis.port}/0` });
    watcher.on('error', () => undefined);
    await watcher.connect();
    try {
      const ownId = await watcher.clientId();
      const botConnections = async () => (await watcher.clientList()).filter((client) => client.id !== ownId).length;
      const connectionsSoFar = async () => Number(/total_connections_received:(\d+)/.exec(await watcher.info('stats'))?.[1]);
      const before = await connectionsSoFar();
      const release = discord.holdReady();
      const identified = discord.identifies.length;
      let bot: ReturnType<typeof bots.start>;
      try {
        bot = bots.start(entry, {
          ...fakeEnv(discord, provider, join(dir, 'held', 'bot.sqlite')),
          STORE_URL: `redis://127.0.0.1:${redis.port}/0`,
          VIDEO_TMP_DIR: join(dir, 'held', 'videos'),
        });
        await discord.waitFor(() => discord.identifies.length > identified, { timeoutMs: 30_000 });
        // The check's one connection, already closed: nothing of the bot's own waits on Redis before IDENTIFY.
        expect(await connectionsSoFar(), bot.output()).toBe(before + 1);
        await eventually(async () => (await botConnections()) === 0, 5_000);
      } finally {
        release();
      }
      // READY and the guilds go out with the release; the /video follows them, before the store has connected.
      await new Promise((resolve) => setImmediate(resolve));
      const { id } = discord.dispatchInteraction(videoCommand({ prompt: 'a lantern, the moment the bot came online' }));
      await discord.waitFor(() => (discord.originalResponse(id)?.attachments.length ? true : undefined), { timeoutMs: 20_000 });
      expect(discord.callbacks.find((c) => c.interactionId === id)?.type, bot.output()).toBe(5);
      // The store's connection and the rate limiter's.
      expect(await botConnections()).toBe(2);
    } finally {
      await watcher.quit();
    }
  }, 60_000);
});
