import type { Config } from '../config.js';
import { createLogger, wantsPrettyLogs } from '../log.js';
import { startShards } from './manager.js';

// Longer than a shard's own stop deadline plus the kill that follows it.
const STOP_DEADLINE_MS = 15_000;

/**
 * `npm start` with SHARD_COUNT set: this process only supervises shard processes (it holds no
 * store and no gateway connection) and stops them all on SIGTERM/SIGINT.
 */
export async function runShardManager(config: Config): Promise<void> {
  const logger = createLogger({ level: config.logLevel, pretty: wantsPrettyLogs() }).child({ component: 'shards' });
  let stopping = false;
  let running: Awaited<ReturnType<typeof startShards>> | undefined;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping shard processes');
    const deadline = setTimeout(() => process.exit(1), STOP_DEADLINE_MS);
    deadline.unref();
    const stopped = running ? running.stop() : Promise.resolve();
    stopped.then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'stopping shards failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  running = await startShards(config, logger);
  logger.info({ totalShards: running.totalShards, shardIds: running.shardIds }, 'all shard processes ready');
}
