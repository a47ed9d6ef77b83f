// No static import of discord.js (directly or through bot.js) here: it reads SHARD_COUNT, SHARDS
// and friends from process.env, which prepareEnvironment() cleans first.
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { prepareEnvironment } from './startup/env-file.js';
import { preflight } from './startup/preflight.js';
import { openBot } from './startup/open-bot.js';
import type { Bot } from './bot.js';
import { START_HELP, wantsHelp } from './startup/help.js';
import { stopGracefully } from './startup/graceful-stop.js';
import { EXIT_CONFIG, StartupError } from './startup/startup-error.js';

const STOP_DEADLINE_MS = 10_000;

/** The `.env` file the settings came from, once read (null: none was found). */
let envFileRead: string | null | undefined;
/** Where the settings came from, in words: said at start and with a setting that stops it. */
const settingsSource = (): string =>
  envFileRead
    ? `settings read from ${envFileRead}; non-empty variables already set in the environment win`
    : 'no .env file found at ENV_FILE, ./.env or the project folder; settings come from the environment only';

async function main(): Promise<void> {
  if (wantsHelp()) {
    process.stdout.write(START_HELP);
    return;
  }
  envFileRead = prepareEnvironment() ?? null;
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, pretty: process.stdout.isTTY });
  // Which file the settings came from: the first thing to check when a setting seems ignored.
  logger.info({ envFile: envFileRead }, settingsSource());
  if (config.sharding?.role === 'manager') return runManager(config, logger);
  return runBot(config, logger);
}

/** Longest a stop of the shard manager may take (ms): a shard's own stop deadline (10 s) plus the kill that follows it. */
const MANAGER_STOP_DEADLINE_MS = 15_000;

async function runManager(config: Config, logger: Logger): Promise<void> {
  // Before the checks, as for a bot: a stop while they run is an ordinary stop, exit 0.
  let stopShards: (() => Promise<void>) | undefined;
  let stopping = false;
  stopGracefully({
    logger,
    deadlineMs: MANAGER_STOP_DEADLINE_MS,
    stop: async () => {
      stopping = true;
      await stopShards?.();
    },
  });
  // Before the shards start: a store or a Discord that cannot work stops the start here, in plain
  // words, within 15 s and without a retry loop.
  await preflight(config, logger);
  const { runShardManager } = await import('./sharding/run-manager.js');
  // Each shard runs the file this process started from: the bundle's main.js under `npm start`.
  // The shards' stop is known before the first one starts, so a stop while they start reaches them.
  try {
    await runShardManager(config, fileURLToPath(import.meta.url), (stop) => (stopShards = stop));
  } catch (err) {
    // Shards stopped while they started make the start fail: the stop's exit, not a failed start's.
    if (stopping) return;
    throw err;
  }
}

async function runBot(config: Config, logger: Logger): Promise<void> {
  // Before the checks: a stop (SIGTERM, Ctrl-C) while they run is an ordinary stop too, exit 0
  // (nothing is open yet to close), not Node's default death by the signal (exit 143).
  // eslint-disable-next-line prefer-const -- assigned once the checks passed; read by the stop before
  let bot: Bot | undefined;
  const shutdown = stopGracefully({ logger, deadlineMs: STOP_DEADLINE_MS, stop: async () => bot?.stop() });
  // A shard whose manager is gone stops too, so a restarted manager never finds a twin polling;
  // listened for before the checks, so a manager stopped while this shard starts is not missed.
  if (config.sharding?.role === 'shard') {
    process.on('disconnect', () => shutdown.stop('manager disconnected'));
    if (!process.connected) shutdown.stop('manager disconnected');
  }
  // The same checks, with the bot's code loading meanwhile (openBot).
  bot = await openBot(config, logger);
  await bot.start();
}

/**
 * How a failed start ends: a setting or service problem as the one or two plain lines that name
 * the variable and the fix (no stack trace); anything else as one line with its message.
 */
function fail(err: unknown): never {
  if (err instanceof StartupError) {
    console.error(err.lines.join('\n'));
    process.exit(err.exitCode);
  }
  if (err instanceof ConfigError) {
    // A bad or missing setting: the header says which file it was read from (or that none was),
    // keeping the answer to the one or two lines of a failed start.
    console.error(`Invalid configuration (${settingsSource()}):\n${err.problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(EXIT_CONFIG);
  }
  console.error('The bot could not start:', err instanceof Error ? err.message : String(err));
  process.exit(1);
}

main().catch(fail);
