/**
 * The demo session: the real bot (createBot + start) against the local fake Discord and the fake
 * xcompute API, printed as a member would see it. Nothing outside 127.0.0.1 is contacted.
 */
import { createClient } from '@keyv/redis';
import { redisCheckClientOptions } from '../../src/store/redis-options.js';
import { redisAnswersWithoutTls } from '../../src/startup/store-check.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHash } from 'node:crypto';
import pTimeout from 'p-timeout';
import { createBot, type Bot } from '../../src/bot.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger, withoutPassword } from '../../src/log.js';
import {
  startFakeDiscord,
  type FakeCommandOption,
  type FakeDiscord,
  type FakeMessage,
  type FakeMessageSnapshot,
  type FakeUserSpec,
} from '../../test/fakes/discord/index.js';
import { startFakeProvider, type FakeProvider } from '../../test/fakes/provider.js';
import { twoColourVideo } from '../../test/fakes/real-video.js';
import { showEditAndExtend, type DemoSession } from './edit-extend.js';
import { renderMessage, formatBytes, type RenderContext } from './render.js';
import { createStyle, type Style } from './style.js';

export interface DemoOptions {
  /** Receives the transcript one line at a time (no trailing newline). */
  write: (line: string) => void;
  /** Above 1 runs faster (pauses and the bot's poll interval are divided by it). Default 1. */
  speed?: number;
  /** ANSI colours. Default false. */
  color?: boolean;
  /** Longest wait (ms, above 0; Infinity waits for ever) for any one step before the demo gives up. Default 20 s. */
  stepTimeoutMs?: number;
  /**
   * The bot's store (its STORE_URL): `memory://` (the default), or a Redis database to see the
   * bot run on Redis as its shards do (`redis://127.0.0.1:6379/15`). The database must be empty:
   * the demo refuses one holding anything (it could be a running bot's), writes only its demo
   * server's records, and empties the database again at the end.
   */
  storeUrl?: string;
}

/** `redis://user:secret@host/1` as it can be printed: the bot's own {@link withoutPassword}. */
const printableUrl = (url: string): string => String(withoutPassword(url));

/**
 * A Redis database the demo may use: connects, and refuses one holding any key.
 * @throws Error naming the URL (without its password) when Redis cannot be reached or the database is not empty.
 */
async function claimEmptyRedis(url: string): Promise<{ empty: () => Promise<void> }> {
  /** Runs `work` on a client of its own, closed after. */
  const withClient = async <T>(work: (client: { dbSize(): Promise<number>; flushDb(): Promise<unknown> }) => Promise<T>): Promise<T> => {
    const client = createClient(redisCheckClientOptions(url));
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.quit().catch(() => undefined);
    }
  };
  let keys: number;
  try {
    keys = await withClient((client) => client.dbSize());
  } catch (err) {
    // rediss:// to a Redis without TLS times out as if nothing were there: the bot's start-up check says so.
    const hint = (await redisAnswersWithoutTls(url, 2_000))
      ? ' (a Redis answers there without TLS: use redis:// instead of rediss://)'
      : '';
    throw new Error(`the demo could not reach Redis at ${printableUrl(url)}: ${err instanceof Error ? err.message : String(err)}${hint}`, {
      cause: err,
    });
  }
  if (keys > 0) {
    throw new Error(
      `${printableUrl(url)} holds ${keys} ${keys === 1 ? 'key' : 'keys'}: the demo runs only on an empty Redis database, since it empties the database again at the end. Pick a database number nothing uses (the number after the last /).`,
    );
  }
  return { empty: () => withClient((client) => client.flushDb()).then(() => undefined) };
}

export interface DemoResult {
  taskId: string;
  videoBytes: number;
  durationMs: number;
}

/** A step did not happen in time; the message says which. */
export class DemoTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`timed out after ${ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`} waiting for ${what}`);
    this.name = 'DemoTimeoutError';
  }
}

const MEMBER: FakeUserSpec = { id: '1190000000000000042', username: 'mika', global_name: 'Mika' };
const ADMIN: FakeUserSpec = { id: '1190000000000000043', username: 'sam', global_name: 'Sam' };
// Manage Server: what /quota asks of a server admin.
const MANAGE_GUILD = String(1 << 5);
/** Marks the narrator's lines, so piped output (no colours) still tells them from the chat. */
export const NARRATOR = '[demo]';
// The bot's poll interval here (before the speed factor) and in production.
const DEMO_POLL_MS = 700;
const PRODUCTION_POLL_MS = 5_000;
const GUILD_ID = '1190000000000000001';
const CHANNEL_ID = '1190000000000000002';
const BOT_NAME = 'Hailuo';
const FAKE_TASK_SECONDS = 60;

const OPTION_TYPES: Record<string, number> = { duration: 4, prompt_optimizer: 5, fast_pretreatment: 5, watermark: 5 };

type VideoOptions = Record<string, string | number | boolean>;

/** `promise`, or a {@link DemoTimeoutError} naming `what` once `ms` pass without it settling. */
const withTimeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  pTimeout(promise, { milliseconds: ms, message: new DemoTimeoutError(what, ms) });

const clockTime = (ms: number) => new Date(ms).toLocaleTimeString('en-GB');

/** A real MP4 for the fake video API where ffmpeg runs; undefined elsewhere (the fake's default bytes). */
function demoVideo(): Buffer | undefined {
  try {
    return twoColourVideo('white', 'orange');
  } catch {
    return undefined;
  }
}

/** Runs the whole session, writing the transcript through `options.write`. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const speed = options.speed !== undefined && options.speed > 0 ? options.speed : 1;
  const scaled = (ms: number) => Math.max(1, Math.round(ms / speed));
  const stepTimeoutMs = options.stepTimeoutMs ?? 20_000;
  if (!(stepTimeoutMs > 0)) throw new RangeError(`stepTimeoutMs must be a positive number of milliseconds, got ${stepTimeoutMs}`);
  const style: Style = createStyle(options.color ?? false);
  const write = options.write;
  const started = Date.now();

  const nameWidth = Math.max(MEMBER.username.length, BOT_NAME.length) + 2;
  const indent = ' '.repeat(8 + 2 + nameWidth);
  const chat = (at: number, who: string, paint: (s: string) => string, lines: string[]) => {
    lines.forEach((line, i) => {
      const lead = i === 0 ? `${style.dim(clockTime(at))}  ${paint(who.padEnd(nameWidth))}` : indent;
      write(`${lead}${line}`.trimEnd());
    });
  };
  const narrate = (text: string) => write(`${indent}${style.dim(`${NARRATOR} ${text}`)}`);
  const say = (text: string) => write(style.dim(`${NARRATOR} ${text}`));

  let discord: FakeDiscord | undefined;
  let provider: FakeProvider | undefined;
  let bot: Bot | undefined;
  let result: DemoResult | undefined;
  const storeUrl = options.storeUrl ?? 'memory://';
  // Checked before anything starts: a database in use is refused and left as it was.
  const redis = /^rediss?:/i.test(storeUrl) ? await claimEmptyRedis(storeUrl) : undefined;

  try {
    discord = await startFakeDiscord({
      botUsername: BOT_NAME,
      guilds: [{ id: GUILD_ID, name: 'Demo Server', channels: [{ id: CHANNEL_ID, name: 'videos' }] }],
    });
    // A video ffmpeg can read, so Extend can take its last frame (white snow, then an orange fox).
    const videoBytes = demoVideo();
    provider = await startFakeProvider({
      pollsToComplete: null,
      estimatedTimeS: FAKE_TASK_SECONDS,
      ...(videoBytes ? { videoBytes } : {}),
    });
    const fakeDiscord = discord;
    const fakeProvider = provider;

    write(style.bold('Hailuo Video Bot · demo'));
    say('Nothing real is contacted and nothing is spent. The real bot (discord.js, the job engine,');
    say('the poller, quotas) runs right here, logged in to a fake Discord and talking to a fake');
    say('xcompute video API, both on this machine:');
    say(`  fake Discord        ${fakeDiscord.apiUrl}`);
    say(`  fake xcompute API   ${fakeProvider.baseUrl}`);
    say(
      redis
        ? `  store               Redis at ${printableUrl(storeUrl)}, as shard processes use it (emptied again at the end)`
        : '  store               in memory, nothing kept (--store=redis://… for Redis)',
    );
    say('No Discord application, no API key. This script tells the fake API when to report progress.');
    say(
      `Time runs faster than in production: the bot asks about the task every ${(scaled(DEMO_POLL_MS) / 1000).toFixed(2)} s (production: ${PRODUCTION_POLL_MS / 1000} s,`,
    );
    say('growing gently) and the fake video is done in seconds; a real one takes 30 s to 5 minutes.');
    say(`Lines starting with ${NARRATOR} are this narrator; the others are what the channel shows.`);
    write('');

    const env: Record<string, string> = {
      DISCORD_TOKEN: fakeDiscord.token,
      DISCORD_API_URL: fakeDiscord.apiUrl,
      XCOMPUTE_API_KEY: fakeProvider.apiKey,
      XCOMPUTE_BASE_URL: fakeProvider.baseUrl,
      STORE_URL: storeUrl,
      // A demo's records are thrown away at its end: a Redis that keeps nothing on disk is fine.
      STORE_ALLOW_VOLATILE: 'true',
      POLL_INTERVAL_MS: String(scaled(DEMO_POLL_MS)),
      PROGRESS_EDIT_MIN_MS: String(scaled(500)),
      LOG_LEVEL: 'silent',
    };
    bot = await createBot(loadConfig(env), { logger: silentLogger() });
    await withTimeout(bot.start(), stepTimeoutMs, 'the bot to log in to the fake Discord');
    say(`The bot is online as ${BOT_NAME}. Channel #videos on Demo Server:`);
    write(style.dim('─'.repeat(72)));

    const users = new Map<string, string>([
      [MEMBER.id, MEMBER.username],
      [ADMIN.id, ADMIN.username],
      [fakeDiscord.botUser.id, BOT_NAME],
    ]);
    const contextFor = (message?: FakeMessage): RenderContext => ({
      now: Date.now(),
      botName: BOT_NAME,
      users,
      channels: new Map([[CHANNEL_ID, 'videos']]),
      style,
      attachmentInfo: (filename) => {
        const file = message?.attachments.find((a) => a.filename === filename);
        return file ? { size: file.size, contentType: file.contentType } : undefined;
      },
    });

    /** Prints each new state of an interaction's reply, in order. */
    const follow = (interactionId: string) => {
      let printed = 0;
      return () => {
        const message = fakeDiscord.originalResponse(interactionId);
        if (!message) return;
        while (printed < message.history.length) {
          const snapshot = message.history[printed] as FakeMessageSnapshot;
          if (printed > 0)
            write(
              `${indent}${style.dim(`⋯ the same reply, edited ${((snapshot.at - (message.history[0]?.at ?? snapshot.at)) / 1000).toFixed(1)} s later ⋯`)}`,
            );
          chat(snapshot.at, BOT_NAME, style.bot, renderMessage(snapshot, contextFor(message)));
          printed += 1;
        }
      };
    };

    /** Waits for `probe`, printing the reply's new states meanwhile. */
    const until = async <T>(pump: () => void, probe: () => T | undefined | null | false, what: string): Promise<T> => {
      const deadline = Date.now() + stepTimeoutMs;
      for (;;) {
        pump();
        const value = probe();
        if (value) return value;
        if (Date.now() > deadline) throw new DemoTimeoutError(what, stepTimeoutMs);
        await sleep(25);
      }
    };
    const pause = async (pump: () => void, ms: number) => {
      const end = Date.now() + scaled(ms);
      while (Date.now() < end) {
        pump();
        await sleep(25);
      }
      pump();
    };

    const command = (videoOptions: VideoOptions) => {
      const shown = Object.entries(videoOptions)
        .map(([name, value]) => `${style.dim(`${name}:`)} ${String(value)}`)
        .join('  ');
      chat(Date.now(), MEMBER.username, style.member, [`${style.bold('/video')} ${shown}`]);
      const spec: FakeCommandOption[] = Object.entries(videoOptions).map(([name, value]) => ({
        name,
        type: OPTION_TYPES[name] ?? 3,
        value,
      }));
      return fakeDiscord.dispatchInteraction({
        commandName: 'video',
        user: MEMBER,
        guildId: GUILD_ID,
        channelId: CHANNEL_ID,
        options: spec,
      });
    };
    const replyText = (interactionId: string) => {
      const message = fakeDiscord.originalResponse(interactionId);
      return message && (message.flags & 128) === 0 ? JSON.stringify(message.embeds) : '';
    };

    // 1. A good request, from "thinking…" to the delivered video.
    const good = command({ prompt: 'a red fox trotting through fresh snow', camera: 'Push in', duration: 6 });
    const pump = follow(good.id);
    const submission = await until(
      pump,
      () => fakeProvider.submissions.find((s) => s.taskId),
      'the bot to submit the job to the fake video API',
    );
    const taskId = submission.taskId ?? '';
    const sentPrompt = (submission.body as { prompt?: unknown }).prompt;
    narrate(`fake xcompute API: received task ${taskId} with prompt "${String(sentPrompt)}"`);
    await until(
      pump,
      () => fakeProvider.statusRequests.some((r) => r.taskId === taskId) && replyText(good.id),
      'the first progress update in the reply',
    );
    await pause(pump, 2200);

    for (const percent of [30, 70]) {
      narrate(`fake xcompute API: the task is generating, ${percent}% done`);
      fakeProvider.setProgress(taskId, percent);
      await until(pump, () => replyText(good.id).includes(`${percent}%`), `the reply to show ${percent}%`);
      await pause(pump, percent === 30 ? 2000 : 1500);
    }

    narrate('fake xcompute API: the task is completed and the MP4 is ready to download');
    fakeProvider.completeTask(taskId);
    const delivered = await until(
      pump,
      () => {
        const message = fakeDiscord.originalResponse(good.id);
        return message?.attachments.length ? message : undefined;
      },
      'the finished video to appear in the reply',
    );
    await pause(pump, 300);

    // 2. A request the provider cannot make: answered privately, nothing sent to the provider.
    write('');
    const before = fakeProvider.submissions.length;
    const bad = command({ prompt: 'city at night', resolution: '1080p', duration: 10 });
    const badPump = follow(bad.id);
    await until(badPump, () => fakeDiscord.originalResponse(bad.id)?.history.length, 'the answer to the 1080p / 10 s request');
    await pause(badPump, 400);
    const sentAfter = fakeProvider.submissions.length - before;
    if (sentAfter !== 0) throw new Error(`the invalid request reached the fake video API (${sentAfter} request(s))`);
    narrate('fake xcompute API: received nothing for this one; nothing was spent');

    // 3. The buttons under the video: 🔁 Regenerate runs the same settings again, through the quota.
    write('');
    const regenerateId = JSON.stringify(delivered.components).match(/"custom_id":"(video:regen:[^"]+)"/)?.[1];
    if (!regenerateId) throw new Error('the finished video has no Regenerate button');
    narrate(
      'under the video: 🔁 Regenerate (same settings, a new credit), ✏️ Edit and ⏩ Extend (shown next), 🗑️ Delete (the requester or a moderator)',
    );
    chat(Date.now(), MEMBER.username, style.member, [`${style.dim('presses')} [🔁 Regenerate]`]);
    const again = fakeDiscord.dispatchComponentInteraction({
      customId: regenerateId,
      messageId: delivered.id,
      user: MEMBER,
      guildId: GUILD_ID,
      channelId: CHANNEL_ID,
    });
    const againPump = follow(again.id);
    const secondTask = await until(
      againPump,
      () => fakeProvider.submissions.find((s) => s.taskId && s.taskId !== taskId)?.taskId,
      'the regenerated job to reach the fake video API',
    );
    narrate(`fake xcompute API: received task ${secondTask}, the same prompt and settings`);
    await until(againPump, () => replyText(again.id), "the regenerated job's first progress reply");
    await pause(againPump, 300);
    narrate(`fake xcompute API: task ${secondTask} is completed too; its video goes into that reply`);
    fakeProvider.completeTask(secondTask);
    await until(
      () => undefined,
      () => fakeDiscord.originalResponse(again.id)?.attachments.length,
      'the regenerated video to be delivered',
    );

    // 3b. ✏️ Edit and ⏩ Extend under the first video: a form each, then a new video with the same settings.
    write('');
    const session: DemoSession = {
      discord: fakeDiscord,
      provider: fakeProvider,
      member: MEMBER,
      botName: BOT_NAME,
      guildId: GUILD_ID,
      channelId: CHANNEL_ID,
      style,
      extendOffered: bot.context.frames !== undefined,
      chat,
      narrate,
      write,
      renderContext: () => contextFor(),
      follow,
      until,
      pause,
    };
    const forms = await showEditAndExtend(session, delivered);

    // 4. What a member and an admin can look up: /usage and /quota show, both private.
    write('');
    const ask = async (
      who: FakeUserSpec,
      commandName: string,
      shown: string,
      extra: { subcommand?: string; memberPermissions?: string } = {},
    ) => {
      chat(Date.now(), who.username, style.member, [style.bold(shown)]);
      const asked = fakeDiscord.dispatchInteraction({ commandName, user: who, guildId: GUILD_ID, channelId: CHANNEL_ID, ...extra });
      const askPump = follow(asked.id);
      await until(askPump, () => fakeDiscord.originalResponse(asked.id)?.history.length, `the answer to ${shown}`);
      await pause(askPump, 300);
    };
    await ask(MEMBER, 'usage', '/usage');
    narrate(
      `one credit charged for each delivered video (2), one held for each in the making (${forms.started}); the refusal cost nothing`,
    );
    write('');
    await ask(ADMIN, 'quota', '/quota show', { subcommand: 'show', memberPermissions: MANAGE_GUILD });

    // 5. The file in the reply is the provider's video, byte for byte.
    write(style.dim('─'.repeat(72)));
    const uploaded = delivered.attachments[0];
    if (!uploaded) throw new Error('the reply has no attachment');
    const response = await withTimeout(fetch(fakeProvider.videoUrl(taskId)), stepTimeoutMs, 'the fake video API to serve the video');
    const served = Buffer.from(await response.arrayBuffer());
    if (!uploaded.data.equals(served)) {
      throw new Error(
        `the uploaded ${uploaded.filename} (${uploaded.size} bytes) differs from the provider's video (${served.length} bytes)`,
      );
    }
    const digest = createHash('sha256').update(served).digest('hex').slice(0, 16);
    write(
      style.ok(
        `✔ Bytes match: ${uploaded.filename} in the reply is ${formatBytes(uploaded.size)}, identical to the video the fake API made (sha256 ${digest}…).`,
      ),
    );
    result = { taskId, videoBytes: served.length, durationMs: Date.now() - started };
  } finally {
    const quietly = async (what: string, stop: (() => Promise<unknown>) | undefined) => {
      if (!stop) return;
      await withTimeout(stop(), 5_000, what).catch(() => undefined);
    };
    await quietly('the bot to stop', bot && (() => (bot as Bot).stop()));
    await quietly('the fake Discord to close', discord && (() => (discord as FakeDiscord).close()));
    await quietly('the fake video API to close', provider && (() => (provider as FakeProvider).close()));
    await quietly('the demo to empty its Redis database', redis?.empty);
  }
  say(
    `Done in ${(result.durationMs / 1000).toFixed(1)} s. The bot has stopped and both fakes are closed${redis ? '; the Redis database is empty again' : ''}.`,
  );
  return result;
}
