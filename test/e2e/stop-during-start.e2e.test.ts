import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { startFakeProvider, type FakeProvider } from '../fakes/provider.js';
import { redisServerInstalled, startOwnRedis, type OwnRedis } from '../support/redis-server.js';
import { fakeEnv } from './harness.js';
import { buildBotOnce, trackBotProcesses, type BotProcess } from './process.js';

// An operator's stop (systemctl stop, docker stop, Ctrl-C) can come while the bot is still
// starting. It is an ordinary stop: exit 0, promptly, without words of a failed start, whatever
// the start was waiting for (Discord's READY, or a Redis store still opening after it).

/** Well within the bot's own 10 s stop deadline, whose passing exits 1. */
const PROMPT_MS = 5_000;
const FAILED_START = /could not start|did not answer within|stop took too long/;

describe('a stop that comes while the bot is starting', () => {
  let entry: string;
  let discord: FakeDiscord;
  let provider: FakeProvider;
  let dir: string;
  let release: (() => void) | undefined;
  const bots = trackBotProcesses('afterEach');

  beforeAll(async () => {
    entry = buildBotOnce();
    discord = await startFakeDiscord();
    provider = await startFakeProvider();
    dir = mkdtempSync(join(tmpdir(), 'hvb-stop-during-start-'));
  }, 300_000);

  afterEach(() => {
    release?.();
    release = undefined;
  });

  afterAll(async () => {
    await discord?.close();
    await provider?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the bot with Discord's READY held, and waits for its IDENTIFY. */
  async function startHeld(name: string, env: Record<string, string> = {}): Promise<BotProcess> {
    release = discord.holdReady();
    const identified = discord.identifies.length;
    const bot = bots.start(entry, {
      ...fakeEnv(discord, provider, join(dir, name, 'bot.sqlite')),
      VIDEO_TMP_DIR: join(dir, name, 'videos'),
      LOG_LEVEL: 'info',
      ...env,
    });
    await discord.waitFor(() => discord.identifies.length > identified, { timeoutMs: 30_000 });
    return bot;
  }

  /** SIGTERM, then the exit code and how long it took (ms). */
  async function stop(bot: BotProcess): Promise<{ code: number | null; ms: number }> {
    const at = Date.now();
    bot.child.kill('SIGTERM');
    const timer = setTimeout(() => bot.child.kill('SIGKILL'), 20_000);
    const code = await bot.exited;
    clearTimeout(timer);
    return { code, ms: Date.now() - at };
  }

  /**
   * Stops `bot` and checks what an operator would: exit 0, within {@link PROMPT_MS}, no failed-start
   * line. `context` leads the failure message.
   */
  async function expectStoppedCleanly(bot: BotProcess, context = ''): Promise<void> {
    const { code, ms } = await stop(bot);
    expect(code, `${context}${bot.output()}`).toBe(0);
    expect(ms).toBeLessThan(PROMPT_MS);
    expect(bot.output()).not.toMatch(FAILED_START);
  }

  it('GIVEN the bot sent IDENTIFY and Discord has not answered yet WHEN it is stopped THEN it exits 0 within seconds (not 1 at its 10 s stop deadline, nor 69 at the gateway deadline)', async () => {
    const bot = await startHeld('before-ready');
    await expectStoppedCleanly(bot);
  }, 60_000);

  it.each([
    ['the bot', 'checking', {}],
    ['the shard manager (SHARD_COUNT set)', 'manager', { SHARD_COUNT: '2' }],
  ])(
    'GIVEN %s still running its start-up checks (a Redis that accepts and never answers) WHEN it is stopped THEN it exits 0 at once, not by the signal',
    async (_who, name, env) => {
      const silent = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const port = (silent.address() as AddressInfo).port;
      try {
        const bot = bots.start(entry, {
          ...fakeEnv(discord, provider, join(dir, name, 'bot.sqlite')),
          STORE_URL: `redis://127.0.0.1:${port}/0`,
          VIDEO_TMP_DIR: join(dir, name, 'videos'),
          LOG_LEVEL: 'info',
          ...env,
        });
        await discord.waitFor(() => (bot.output().includes('settings come from') ? true : undefined), { timeoutMs: 10_000 });
        await new Promise((resolve) => setTimeout(resolve, 500));
        await expectStoppedCleanly(bot);
        // No shard was started by a manager stopped during its checks.
        expect(bot.output()).not.toMatch(/shard processes ready/);
      } finally {
        silent.close();
      }
    },
    60_000,
  );

  describe.skipIf(!redisServerInstalled)('on Redis', () => {
    let redis: OwnRedis;
    beforeAll(async () => {
      redis = await startOwnRedis();
    });
    afterAll(async () => {
      redis?.resume();
      await redis?.stop();
    });

    it('GIVEN Redis stopped answering after the start-up check WHEN READY came (the store is still opening) and the bot is stopped THEN it exits 0 promptly, not as a failed start nor past its stop deadline', async () => {
      const bot = await startHeld('redis-frozen', { STORE_URL: `redis://127.0.0.1:${redis.port}/0` });
      redis.pause();
      try {
        release?.();
        // READY is out: the bot now opens its store and rate limiter on a Redis that accepts and never answers.
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(bot.child.exitCode, bot.output()).toBeNull();
        await expectStoppedCleanly(bot);
        expect(bot.output()).not.toMatch(/connected to Discord/);
      } finally {
        redis.resume();
      }
    }, 60_000);

    it('GIVEN READY just came on a Redis that answers WHEN the bot is stopped while its store opens THEN it exits 0, not "could not start"', async () => {
      for (const delayMs of [0, 20, 40, 60, 80, 100, 150]) {
        const bot = await startHeld(`redis-${delayMs}`, { STORE_URL: `redis://127.0.0.1:${redis.port}/0` });
        release?.();
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        await expectStoppedCleanly(bot, `${delayMs} ms after READY:\n`);
      }
    }, 90_000);
  });
});
