import type { Bot } from '../bot.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { preflight } from './preflight.js';

/**
 * `npm start`'s way to a bot ready to start: the start-up checks ({@link preflight}: the store, the
 * video folder, Discord) while the bot's code (discord.js and the rest, a few hundred ms of
 * loading) loads, then `createBot`. Nothing connects to Discord's gateway before the checks pass.
 * The bench's bot process starts the same way, so its cold start is `npm start`'s (issue 15).
 *
 * Loading runs alongside because the checks mostly wait (Redis and Discord round trips): the
 * start pays for the longer of the two, not their sum. The Redis check's own loading (node-redis)
 * runs on a worker thread, so it does not take the main thread from the bot's (see
 * src/startup/redis-probe-thread.ts).
 *
 * @throws StartupError from the checks (what to fix, and the exit code); whatever `createBot`
 *   throws (opening the store).
 */
export async function openBot(config: Config, logger: Logger): Promise<Bot> {
  const botModule = import('../bot.js');
  // Read below once the checks passed; a failed check ends the start without waiting for it.
  botModule.catch(() => undefined);
  await preflight(config, logger);
  const { createBot } = await botModule;
  return createBot(config, { logger });
}
