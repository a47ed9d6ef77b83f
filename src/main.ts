// No static import of discord.js (directly or through bot.js) here: it reads SHARD_COUNT, SHARDS
// and friends from process.env, which prepareEnvironment() cleans first.
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { prepareEnvironment } from './startup/env-file.js';
import { preflight } from './startup/preflight.js';
import { START_HELP, wantsHelp } from './startup/help.js';
import { stopGracefully } from './startup/graceful-stop.js';
import { EXIT_CONFIG, StartupError } from './startup/startup-error.js';

const STOP_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  if (wantsHelp()) {
    process.stdout.write(START_HELP);
    return;
  }
  const envFile = prepareEnvironment();
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, pretty: process.stdout.isTTY });
  // Which file the settings came from: the first thing to check when a setting seems ignored.
  if (envFile) logger.info({ envFile }, `settings read from ${envFile} (variables already set in the environment win)`);
  else logger.info('no .env file found (ENV_FILE, ./.env, the project folder): settings come from the environment only');
  // Before discord.js and the rest of the bot load (a second or two): a store or a Discord that
  // cannot work stops the start here, in plain words, within 15 s and without a retry loop.
  await preflight(config, logger);
  if (config.sharding?.role === 'manager') {
    const { runShardManager } = await import('./sharding/run-manager.js');
    // Each shard runs the file this process started from: the bundle's main.js under `npm start`.
    return runShardManager(config, fileURLToPath(import.meta.url));
  }
  return runBot(config, logger);
}

async function runBot(config: Config, logger: Logger): Promise<void> {
  const { createBot } = await import('./bot.js');
  const bot = await createBot(config, { logger });
  const shutdown = stopGracefully({ logger, deadlineMs: STOP_DEADLINE_MS, stop: () => bot.stop() });
  // A shard whose manager is gone stops too, so a restarted manager never finds a twin polling.
  if (config.sharding?.role === 'shard') process.on('disconnect', () => shutdown.stop('manager disconnected'));
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
    console.error(err.message);
    process.exit(EXIT_CONFIG);
  }
  console.error('The bot could not start:', err instanceof Error ? err.message : String(err));
  process.exit(1);
}

main().catch(fail);
