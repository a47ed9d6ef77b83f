/**
 * One measured world: fake Discord with N guilds, fake xcompute, a fresh store, and the real bot
 * in its own process logged in to them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createClient } from '@keyv/redis';
import pTimeout from 'p-timeout';
import { startFakeDiscord, type FakeCommandInteractionSpec, type FakeDiscord } from '../../test/fakes/discord/index.js';
import { startFakeProvider, type FakeProvider, type FakeProviderOptions } from '../../test/fakes/provider.js';
import { startBotProcess, type BotHandle, type BotKind } from './bot-handle.js';
import { waitUntil } from './stats.js';
import { redisAnswersWithoutTls } from '../../src/startup/store-check.js';

/** Where the bot keeps its state during a run. */
export interface Backend {
  readonly name: string;
  /** Gives a STORE_URL for one world, empty. */
  prepare(): Promise<string>;
  /** Removes what `prepare` made. */
  cleanup(): Promise<void>;
  /** The Redis database of a Redis backend (the scale phase starts its own processes on it). */
  readonly redisUrl?: string;
}

// The SQLite worlds' folders that exist now, so a bench stopped by Ctrl-C removes them too.
const liveFolders = new Set<string>();

/** Removes every folder a SQLite world made and has not removed yet (the bench's Ctrl-C). */
export function removeWorldFolders(): void {
  for (const dir of liveFolders) rmSync(dir, { recursive: true, force: true });
  liveFolders.clear();
}

/** SQLite in a fresh temporary directory under `parent` (the bench's BENCH_SQLITE_DIR or the OS temp dir). */
export function sqliteBackend(parent: string): Backend {
  let dir: string | undefined;
  return {
    name: 'SQLite',
    async prepare() {
      dir = mkdtempSync(join(parent, 'hvb-bench-'));
      liveFolders.add(dir);
      return `sqlite://${join(dir, 'bot.sqlite')}`;
    },
    async cleanup() {
      if (dir) {
        rmSync(dir, { recursive: true, force: true });
        liveFolders.delete(dir);
      }
      dir = undefined;
    },
  };
}

/**
 * Rejects with `what` timed out unless `work` settles within `ms`; `onTimeout` then stops it. A
 * Redis that accepts connections and never answers (paused, a wrong port with another service
 * on it) would otherwise hold the bench forever: node-redis' connectTimeout covers only the
 * connection, not the commands after it.
 */
const within = <T>(ms: number, what: string, work: Promise<T>, onTimeout: () => void): Promise<T> =>
  pTimeout(work, {
    milliseconds: ms,
    fallback: () => {
      onTimeout();
      throw new Error(`${what}: no answer within ${ms / 1000} s`);
    },
  });

async function flushdb(url: string, timeoutMs = 10_000): Promise<void> {
  const client = createClient({ url, socket: { connectTimeout: 2_000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  const flush = async () => {
    await client.connect();
    await client.flushDb();
  };
  try {
    await within(timeoutMs, 'flushing the bench database', flush(), () => client.destroy());
  } finally {
    if (client.isOpen) await client.quit().catch(() => undefined);
  }
}

export function redisBackend(url: string): Backend {
  return {
    name: 'Redis',
    redisUrl: url,
    async prepare() {
      await flushdb(url);
      return url;
    },
    cleanup: () => flushdb(url),
  };
}

/** What {@link probeRedis} found: a Redis the bench can use, none answering, or one that refused. */
export type RedisProbe = { ok: true } | { ok: false; unreachable: boolean; reason: string };

// Connection failures: nothing answers there (as opposed to a Redis that answered with an error).
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Connects to `url` as the bot would (node-redis: its password, TLS for rediss://, its database)
 * and sends PING, within `timeoutMs` in all. `unreachable`: nothing answered (refused, unknown
 * host, no connection within the time); otherwise something answered but not as a usable Redis
 * (a wrong password, a database number past the server's `databases`, a connection that never
 * answers PING), which `reason` gives, in Redis' words where it has them. Never throws.
 */
export async function probeRedis(url: string, timeoutMs = 2_000): Promise<RedisProbe> {
  const probe = await pingRedis(url, timeoutMs);
  // rediss:// to a Redis without TLS times out as if nothing were there: the bot's own start-up
  // check asks again without TLS (and without the user and password, never sent unencrypted).
  if (!probe.ok && probe.unreachable && (await redisAnswersWithoutTls(url, timeoutMs)))
    return { ok: false, unreachable: false, reason: 'a Redis answers there without TLS: use redis:// instead of rediss://' };
  return probe;
}

/** One connection and PING, as {@link probeRedis} describes. */
async function pingRedis(url: string, timeoutMs: number): Promise<RedisProbe> {
  let client: { readonly isOpen: boolean; quit(): Promise<unknown> } | undefined;
  try {
    // Inside the try: node-redis throws at once for a URL it cannot decode (a stray % in the password).
    const opened = createClient({ url, socket: { connectTimeout: timeoutMs, reconnectStrategy: false } });
    client = opened;
    opened.on('error', () => undefined);
    const ping = async () => {
      await opened.connect();
      await opened.ping();
    };
    await within(timeoutMs + 1_000, 'Redis', ping(), () => opened.destroy());
    return { ok: true };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const reason = err instanceof Error ? err.message : String(err);
    // node-redis' ConnectionTimeoutError keeps the name "Error"; its message says it.
    const unreachable = (typeof code === 'string' && UNREACHABLE.has(code)) || reason === 'Connection timeout';
    return { ok: false, unreachable, reason: reason === '' && typeof code === 'string' ? code : reason };
  } finally {
    if (client?.isOpen) await client.quit().catch(() => undefined);
  }
}

// Snowflakes of 19 digits, far apart so guild, channel and user ids never collide.
const GUILD_BASE = 1_300_000_000_000_000_000n;
const USER_BASE = 1_400_000_000_000_000_000n;
export const guildId = (g: number): string => (GUILD_BASE + BigInt(g) * 1_000n).toString();
export const channelId = (g: number): string => (GUILD_BASE + BigInt(g) * 1_000n + 1n).toString();
export const userId = (g: number, member: number): string => (USER_BASE + BigInt(g) * 100n + BigInt(member)).toString();

/** A `/video` from member `member` of guild `g`; `prompt` carries a marker the bench finds again. */
export function videoInteraction(g: number, member: number, prompt: string): FakeCommandInteractionSpec {
  return {
    guildId: guildId(g),
    channelId: channelId(g),
    user: { id: userId(g, member), username: `bench_${g}_${member}` },
    commandName: 'video',
    options: [{ name: 'prompt', type: 3, value: prompt }],
  };
}

export interface World {
  discord: FakeDiscord;
  provider: FakeProvider;
  bot: BotHandle;
  /** From forking the bot process to the fake gateway receiving its IDENTIFY, in ms. */
  coldStartMs: number;
  /** The bench process' own longest event-loop delay meanwhile (ms): the fakes could answer no sooner. */
  harnessStallMs: number;
  close(): Promise<void>;
}

export interface WorldOptions {
  backend: Backend;
  guilds: number;
  provider?: FakeProviderOptions;
  /** Bot environment on top of the common one. */
  env?: Record<string, string>;
  cpuProfDir?: string;
  /** Ours (default) or the floor: a bare discord.js bot that only defers. */
  bot?: BotKind;
  /** Writes into the empty store before the bot starts (e.g. a server's quota policy). */
  seed?: (storeUrl: string) => Promise<void>;
}

export async function startWorld(options: WorldOptions): Promise<World> {
  const discord = await startFakeDiscord({
    guilds: Array.from({ length: options.guilds }, (_, g) => ({
      id: guildId(g),
      name: `bench ${g}`,
      channels: [{ id: channelId(g), name: 'general' }],
    })),
  });
  const provider = await startFakeProvider({ pollsToComplete: null, ...options.provider });
  // A store that cannot be prepared (Redis refused the database) must not leave the fakes
  // listening: the bench would report the error and then never exit.
  let storeUrl: string;
  try {
    storeUrl = await options.backend.prepare();
    await options.seed?.(storeUrl);
  } catch (err) {
    await discord.close().catch(() => undefined);
    await provider.close().catch(() => undefined);
    await options.backend.cleanup().catch(() => undefined);
    throw err;
  }
  const env: Record<string, string> = {
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    XCOMPUTE_API_KEY: provider.apiKey,
    XCOMPUTE_BASE_URL: provider.baseUrl,
    STORE_URL: storeUrl,
    // The bench's Redis is a throwaway that may keep nothing on disk (the bot refuses such a
    // Redis unless told this is on purpose).
    STORE_ALLOW_VOLATILE: 'true',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
    // Every guild gets plenty of credits: the bench measures the pipeline, not refusals.
    QUOTA_DEFAULT_LIMIT: '1000000',
    // The fake provider has no rate limits. The bot's shared provider budgets (defaults: 20
    // submissions a minute, 10 status requests a second, MiniMax's paid tier) would otherwise set
    // the pace of every phase; lifted, the bench measures the bot itself.
    XCOMPUTE_MAX_RPM: '1000000',
    XCOMPUTE_MAX_POLLS_PER_S: '100000',
    ...options.env,
  };
  let bot: BotHandle | undefined;
  // The fakes answer the starting bot (the start-up checks' requests, /gateway/bot, the gateway's
  // HELLO) from this process: a full GC of what earlier worlds left here (their recorded requests)
  // landing in a start stalls both bots' starts alike, more often the longer one. Collected now
  // (`npm run bench` runs with --expose-gc), and the stall that remains is measured.
  (globalThis as { gc?: () => void }).gc?.();
  const harnessLoop = monitorEventLoopDelay({ resolution: 10 });
  harnessLoop.enable();
  try {
    bot = await startBotProcess(env, { kind: options.bot ?? 'ours', ...(options.cpuProfDir ? { cpuProfDir: options.cpuProfDir } : {}) });
    await waitUntil(() => discord.gatewaySessions > 0, 10_000, 'the bot to identify at the fake gateway');
  } catch (err) {
    harnessLoop.disable();
    await bot?.stop().catch(() => undefined);
    await discord.close();
    await provider.close();
    await options.backend.cleanup();
    throw err;
  }
  harnessLoop.disable();
  const started = bot;
  const identified = discord.identifies[0]?.at ?? Number.NaN;
  return {
    discord,
    provider,
    bot: started,
    coldStartMs: identified - started.forkedAt,
    harnessStallMs: harnessLoop.max / 1e6,
    async close() {
      try {
        await started.stop();
      } finally {
        await discord.close().catch(() => undefined);
        await provider.close().catch(() => undefined);
        await options.backend.cleanup();
      }
    },
  };
}
