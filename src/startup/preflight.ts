import { resolve } from 'node:path';
import { defaultVideoTmpDir, type Config } from '../config.js';
import type { Logger } from '../log.js';
import { checkDiscord } from './discord-check.js';
import { checkStore, checkVideoFolder } from './store-check.js';

/**
 * The start-up checks: the store (STORE_URL reachable, writable, keeping its data), the video
 * folder (VIDEO_TMP_DIR writable) and Discord (DISCORD_TOKEN accepted, DISCORD_API_URL answering).
 * Discord's runs alongside the other two; a problem is reported in the order an operator fixes
 * things: the store's, then the folder's, then Discord's. Each ends in well under 15 s. Run by
 * `npm start` in every process (the sharding manager and each shard), before discord.js loads.
 *
 * @throws StartupError with the one or two lines to print and the exit code.
 */
export async function preflight(config: Config, logger: Logger): Promise<void> {
  // The checks are mostly waiting (the file system or a Redis round trip; two HTTP requests to
  // Discord), so Discord's runs alongside: the start pays the longer of the two instead of their sum
  // (a Redis start reached IDENTIFY 1.2x the floor's time, issue 15). The store's problem is still
  // the one reported, at once, when both fail: it is the one to fix first.
  const discord = checkDiscord(config.discordApiUrl, config.discordToken);
  // Read below once the store and the folder passed; their failure ends the start without waiting for it.
  discord.catch(() => undefined);
  await checkStore(config.storeUrl, { allowVolatile: config.storeAllowVolatile, logger: logger.child({ component: 'store' }) });
  await checkVideoFolder(config.videoTmpDir, { isDefault: resolve(config.videoTmpDir) === resolve(defaultVideoTmpDir()) });
  await discord;
}
