import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { checkDiscord } from './discord-check.js';
import { checkStore } from './store-check.js';

/**
 * The start-up checks, in the order an operator fixes things: the store (STORE_URL reachable,
 * writable, keeping its data), then Discord (DISCORD_TOKEN accepted, DISCORD_API_URL answering).
 * Each ends in well under 15 s. Run by `npm start` in every process (the sharding manager and each
 * shard), before discord.js loads.
 *
 * @throws StartupError with the one or two lines to print and the exit code.
 */
export async function preflight(config: Config, logger: Logger): Promise<void> {
  await checkStore(config.storeUrl, { allowVolatile: config.storeAllowVolatile, logger: logger.child({ component: 'store' }) });
  await checkDiscord(config.discordApiUrl, config.discordToken);
}
