import { ShardClientUtil } from 'discord.js';
import type { ShardingConfig } from '../config.js';

// A Discord snowflake keeps its creation time above bit 22; the guild → shard rule uses it.
const SNOWFLAKE = /^\d{1,20}$/;

/**
 * The shard Discord sends a guild's events to: `(guild_id >> 22) % shard_count` (Discord's docs,
 * "Sharding"), by discord.js' own `ShardClientUtil.shardIdForGuildId`. Anything that is not a
 * snowflake (DMs have no guild) belongs to shard 0, as Discord routes DMs there.
 *
 * @throws RangeError when `shardCount` is not a whole number from 1.
 */
export function shardOfGuild(guildId: string, shardCount: number): number {
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new RangeError(`shard count must be a whole number from 1, got ${shardCount}`);
  if (!SNOWFLAKE.test(guildId)) return 0;
  return ShardClientUtil.shardIdForGuildId(guildId, shardCount);
}

/** A predicate telling whether a guild's jobs belong to a process serving `shardIds` of `shardCount`. */
export function guildOwnership(shardIds: readonly number[], shardCount: number): (guildId: string) => boolean {
  const own = new Set(shardIds);
  return (guildId) => own.has(shardOfGuild(guildId, shardCount));
}

/** Ownership for this process: every guild unless it is one shard process among several. */
export function ownershipFor(sharding: ShardingConfig | undefined): (guildId: string) => boolean {
  if (sharding?.role !== 'shard' || typeof sharding.count !== 'number') return () => true;
  return guildOwnership(sharding.own, sharding.count);
}

/**
 * Where this process serves /metrics: shard processes on one machine share its environment, so
 * each takes METRICS_PORT plus its place among the machine's shards (the first keeps the port).
 */
export function metricsPortFor(basePort: number | undefined, sharding: ShardingConfig | undefined): number | undefined {
  if (basePort === undefined || basePort === 0 || sharding?.role !== 'shard') return basePort;
  const first = sharding.own[0] ?? 0;
  const local = sharding.ids ?? [...Array(typeof sharding.count === 'number' ? sharding.count : 1).keys()];
  return basePort + Math.max(0, local.indexOf(first));
}

/** Fields every log line of a shard process carries, so lines from several shards can be told apart. */
export function shardLogFields(sharding: ShardingConfig | undefined): { shardId?: number; shardIds?: readonly number[] } {
  if (sharding?.role !== 'shard') return {};
  return sharding.own.length === 1 ? { shardId: sharding.own[0] ?? 0 } : { shardIds: sharding.own };
}
