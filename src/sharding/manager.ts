import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { REST, Routes, ShardingManager, type RESTGetAPIGatewayBotResult } from 'discord.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';

// Discord allows one identify per 5 s per bucket; discord.js spaces shard starts by this much.
const SPAWN_DELAY_MS = 5_500;
// A shard process is ready once its gateway connected (on Redis its store opens meanwhile: see bot.ts).
const SPAWN_TIMEOUT_MS = 60_000;
// A shard process gives itself 10 s to stop; past a little more it is killed.
const STOP_SHARD_MS = 12_000;

/**
 * The shard count Discord recommends, asked through DISCORD_API_URL. ShardingManager's own
 * `totalShards: 'auto'` would ask discord.com directly, bypassing a REST proxy or a local fake.
 */
export async function recommendedShardCount(apiUrl: string, token: string): Promise<number> {
  const rest = new REST({ api: apiUrl, timeout: 15_000 }).setToken(token);
  const answer = (await rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
  if (!Number.isInteger(answer.shards) || answer.shards < 1) throw new Error(`GET /gateway/bot answered shards=${String(answer.shards)}`);
  return answer.shards;
}

/** Overrides for tests; production uses the defaults. */
export interface ShardingManagerOptions {
  /** The script each shard process runs; default the compiled `dist/src/main.js` (main.ts passes the file it runs from). */
  script?: string;
  spawnDelayMs?: number;
  spawnTimeoutMs?: number;
  /**
   * Handed the shards' stop before the first shard process is started: spawning takes 5.5 s a
   * shard and up to a minute each to be ready, and a stop meanwhile must reach those already
   * running (the same stop as {@link RunningShards.stop}).
   */
  onSpawning?: (stop: () => Promise<void>) => void;
}

/** Shard processes started by {@link startShards}. */
export interface RunningShards {
  manager: ShardingManager;
  totalShards: number;
  shardIds: number[];
  /** Asks every shard process to stop (SIGTERM, then SIGKILL after a deadline) and waits. */
  stop(): Promise<void>;
}

/**
 * Starts one process per shard in SHARD_IDS (all shards when unset) out of SHARD_COUNT, each
 * running the bot for its shard; discord.js restarts a process that dies.
 */
export async function startShards(config: Config, logger: Logger, options: ShardingManagerOptions = {}): Promise<RunningShards> {
  const sharding = config.sharding;
  if (sharding?.role !== 'manager') throw new Error('startShards needs SHARD_COUNT (and is not for shard processes)');
  const totalShards = sharding.count === 'auto' ? await recommendedShardCount(config.discordApiUrl, config.discordToken) : sharding.count;
  const tooHigh = sharding.ids?.filter((id) => id >= totalShards) ?? [];
  if (tooHigh.length > 0)
    throw new Error(
      `SHARD_IDS has ${tooHigh.join(',')} but there ${totalShards === 1 ? 'is only 1 shard (0)' : `are only ${totalShards} shards (0 to ${totalShards - 1})`}`,
    );
  const shardIds = sharding.ids ? [...sharding.ids] : [...Array(totalShards).keys()];
  const script = options.script ?? fileURLToPath(new URL('../main.js', import.meta.url));
  const manager = new ShardingManager(script, {
    token: config.discordToken,
    totalShards,
    shardList: shardIds,
    mode: 'process',
    respawn: true,
  });
  manager.on('shardCreate', (shard) => {
    const log = logger.child({ shardId: shard.id });
    log.info('shard process starting');
    shard.on('ready', () => log.info('shard ready'));
    shard.on('death', () => (manager.respawn ? log.warn('shard process exited; restarting it') : log.info('shard process exited')));
    shard.on('error', (err) => log.error({ err }, 'shard process error'));
  });
  const stop = async (): Promise<void> => {
    manager.respawn = false;
    await Promise.all(
      [...manager.shards.values()].map(async (shard) => {
        const child = shard.process;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const deadline = setTimeout(() => child.kill('SIGKILL'), STOP_SHARD_MS);
        await exited;
        clearTimeout(deadline);
      }),
    );
  };
  options.onSpawning?.(stop);
  logger.info({ totalShards, shardIds }, 'starting shard processes');
  // `amount` equal to totalShards keeps our shardList (a different amount would replace it).
  await manager.spawn({
    amount: totalShards,
    delay: options.spawnDelayMs ?? SPAWN_DELAY_MS,
    timeout: options.spawnTimeoutMs ?? SPAWN_TIMEOUT_MS,
  });

  return { manager, totalShards, shardIds, stop };
}
