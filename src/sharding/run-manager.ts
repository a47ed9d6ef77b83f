import type { Config } from '../config.js';
import { createLogger, wantsPrettyLogs } from '../log.js';
import { stopGracefully } from '../startup/graceful-stop.js';
import { startShards } from './manager.js';

// Longer than a shard's own stop deadline plus the kill that follows it.
const STOP_DEADLINE_MS = 15_000;

/**
 * `npm start` with SHARD_COUNT set: this process only supervises shard processes (it holds no
 * store and no gateway connection) and stops them all on SIGTERM/SIGINT. `script`: the file each
 * shard process runs, the one this process started from (the bundle's `main.js` under `npm start`).
 */
export async function runShardManager(config: Config, script: string): Promise<void> {
  const logger = createLogger({ level: config.logLevel, pretty: wantsPrettyLogs() }).child({ component: 'shards' });
  // eslint-disable-next-line prefer-const -- read by the stop handler, which may run before it is set
  let running: Awaited<ReturnType<typeof startShards>> | undefined;
  stopGracefully({ logger, deadlineMs: STOP_DEADLINE_MS, stop: async () => running?.stop() });
  running = await startShards(config, logger, { script });
  logger.info({ totalShards: running.totalShards, shardIds: running.shardIds }, 'all shard processes ready');
}
