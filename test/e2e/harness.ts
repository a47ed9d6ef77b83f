import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createBot, type Bot } from '../../src/bot.js';
import type { Store } from '../../src/store/types.js';
import { createLogger, silentLogger, type Logger } from '../../src/log.js';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions, type FakeMessage } from '../fakes/discord/index.js';
import { startFakeProvider, type FakeProvider, type FakeProviderOptions } from '../fakes/provider.js';
import { openStore } from '../../src/store/open-store.js';
import { stallingStore } from '../support/stalling-store.js';

export interface Harness {
  discord: FakeDiscord;
  provider: FakeProvider;
  bot: Bot;
  env: Record<string, string>;
  /** Stops the bot and starts a fresh one on the same store (a restart). */
  restart(): Promise<Bot>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  discord?: FakeDiscordOptions;
  provider?: FakeProviderOptions;
  env?: Record<string, string>;
  /** Builds the store the bot uses from the harness's STORE_URL (default: the one it names). */
  store?: (storeUrl: string) => Promise<Store>;
  /** One clock for the bot and the fake Discord, so a test can move time on for both. */
  clock?: () => number;
  /** The bot's logger (default silent, or TEST_LOG_LEVEL): tests that read what the operator is told. */
  logger?: Logger;
}

/** The environment that points the bot at the fakes, with fast timings, on a SQLite file. */
export function fakeEnv(discord: FakeDiscord, provider: FakeProvider, sqliteFile: string): Record<string, string> {
  return {
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    XCOMPUTE_API_KEY: provider.apiKey,
    XCOMPUTE_BASE_URL: provider.baseUrl,
    STORE_URL: `sqlite://${sqliteFile}`,
    // Tests that switch STORE_URL to the test Redis (which keeps nothing on disk) start anyway;
    // test/startup checks the refusal itself.
    STORE_ALLOW_VOLATILE: 'true',
    POLL_INTERVAL_MS: '100',
    PROGRESS_EDIT_MIN_MS: '0',
    LOG_LEVEL: 'silent',
  };
}

/** The real bot, logged in to a fake Discord and talking to a fake provider, on a temp SQLite store. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'hvb-e2e-'));
  const discord = await startFakeDiscord({ ...(options.clock ? { clock: options.clock } : {}), ...options.discord });
  const provider = await startFakeProvider({ pollsToComplete: 3, ...options.provider });
  const env: Record<string, string> = {
    ...fakeEnv(discord, provider, join(dir, 'bot.sqlite')),
    VIDEO_TMP_DIR: join(dir, 'videos'),
    ...options.env,
  };
  const boot = async () => {
    // TEST_LOG_LEVEL=debug shows the bot's own log while a test runs.
    const logger = options.logger ?? (process.env.TEST_LOG_LEVEL ? createLogger({ level: process.env.TEST_LOG_LEVEL }) : silentLogger());
    const bot = await createBot(loadConfig(env), {
      logger,
      ...(options.store ? { store: await options.store(env.STORE_URL ?? '') } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    await bot.start();
    return bot;
  };
  const harness: Harness = {
    discord,
    provider,
    bot: await boot(),
    env,
    async restart() {
      await harness.bot.stop();
      harness.bot = await boot();
      return harness.bot;
    },
    async close() {
      await harness.bot.stop().catch(() => undefined);
      await discord.close();
      await provider.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** A `/video` interaction spec with string options given as plain values. */
export function videoCommand(options: Record<string, string | number | boolean>) {
  const types: Record<string, number> = { duration: 4, prompt_optimizer: 5, fast_pretreatment: 5, watermark: 5 };
  return {
    commandName: 'video',
    options: Object.entries(options).map(([name, value]) => ({ name, type: types[name] ?? 3, value })),
  };
}

/** The interaction's original reply once it holds the video (a delivered /video), within `timeoutMs`. */
export const deliveredTo = (h: Harness, id: string, timeoutMs?: number) =>
  h.discord.waitFor(
    () => {
      const message = h.discord.originalResponse(id);
      return message?.attachments.length ? message : undefined;
    },
    timeoutMs === undefined ? {} : { timeoutMs },
  );

/** A button of a message the bot sent, as the fake Discord keeps it. */
export interface MessageButton {
  custom_id: string;
  label: string;
}

/** The buttons of `message`, row after row. */
export const buttonsOf = (message: FakeMessage | undefined): MessageButton[] =>
  ((message?.components ?? []) as unknown as Array<{ components: MessageButton[] }>).flatMap((row) => row.components);

/** The bot's first answer (interaction callback) to interaction `id`, once it came. */
export const answerTo = (h: Harness, id: string) => h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));

/** Presses the button labelled `label` on `message` and waits for the bot's first answer to the press. */
export async function press(h: Harness, message: FakeMessage, label: string) {
  const button = buttonsOf(message).find((b) => b.label === label);
  if (!button) throw new Error(`no ${label} button`);
  const { id } = h.discord.dispatchComponentInteraction({ messageId: message.id, customId: button.custom_id });
  return { id, callback: await answerTo(h, id) };
}

/** What a test can do to the store of a {@link startStallingHarness} (see `stallingStore`). */
export type StoreFaults = Omit<ReturnType<typeof stallingStore>, 'store'>;

/**
 * A harness whose store (its own SQLite file) can be made to stall, fail or blip: the faults act
 * on the store of the bot running now, also after `h.restart()`.
 */
export async function startStallingHarness(options: Omit<HarnessOptions, 'store'> = {}): Promise<{ h: Harness; faults: StoreFaults }> {
  let current: ReturnType<typeof stallingStore> | undefined;
  const now = () => {
    if (!current) throw new Error('the stalling harness has no store yet');
    return current;
  };
  const faults: StoreFaults = {
    stallFor: (ms) => now().stallFor(ms),
    failFor: (ms) => now().failFor(ms),
    heal: () => now().heal(),
    failNextLock: (prefix, times) => now().failNextLock(prefix, times),
    holdNextLock: (prefix) => now().holdNextLock(prefix),
  };
  const h = await startHarness({
    ...options,
    store: async (storeUrl) => {
      current = stallingStore(await openStore(storeUrl));
      return current.store;
    },
  });
  return { h, faults };
}
