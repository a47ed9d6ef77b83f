import type { Config } from '../config.js';
import { createLogger, wantsPrettyLogs } from '../log.js';
import { startShards, type RunningShards } from './manager.js';

/**
 * `npm start` with SHARD_COUNT set: this process only supervises shard processes (it holds no
 * store and no gateway connection). `script`: the file each shard process runs, the one this
 * process started from (the bundle's `main.js` under `npm start`). Resolves with the running
 * shards once every shard process is ready; their `stop()` is what the manager's SIGTERM/SIGINT
 * runs (see main.ts), handed to `onSpawning` before the first shard starts.
 *
 * @throws what `startShards` throws (a shard that could not start).
 */
export async function runShardManager(
  config: Config,
  script: string,
  onSpawning?: (stop: () => Promise<void>) => void,
): Promise<RunningShards> {
  const logger = createLogger({ level: config.logLevel, pretty: wantsPrettyLogs() }).child({ component: 'shards' });
  const running = await startShards(config, logger, { script, onSpawning });
  logger.info({ totalShards: running.totalShards, shardIds: running.shardIds }, 'all shard processes ready');
  return running;
}
