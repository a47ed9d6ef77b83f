import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from './config.js';
import { createBot } from './bot.js';
import { runShardManager } from './sharding/run-manager.js';

const STOP_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
  if (config.sharding?.role === 'manager') return runShardManager(config);
  const bot = await createBot(config);
  const logger = bot.context.logger;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const deadline = setTimeout(() => {
      logger.error('stop took too long; exiting');
      process.exit(1);
    }, STOP_DEADLINE_MS);
    deadline.unref();
    bot
      .stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        logger.error({ err }, 'stop failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // A shard whose manager is gone stops too, so a restarted manager never finds a twin polling.
  if (config.sharding?.role === 'shard') process.on('disconnect', () => shutdown('manager disconnected'));
  await bot.start();
}

main().catch((err: unknown) => {
  console.error('The bot could not start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
