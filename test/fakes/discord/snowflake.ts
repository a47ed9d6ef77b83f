/** Discord epoch (2015-01-01T00:00:00Z) in milliseconds. */
export const DISCORD_EPOCH = 1420070400000n;

/**
 * Creates a generator of unique, increasing, real-looking snowflakes (19 digits today). Ids carry
 * the fake's clock, so an interaction's timestamp agrees with a test that moves time on.
 */
export function createSnowflakeGenerator(clock: () => number = Date.now): () => string {
  let last = 0n;
  return () => {
    const fromTime = (BigInt(Math.floor(clock())) - DISCORD_EPOCH) << 22n;
    last = fromTime > last ? fromTime : last + 1n;
    return last.toString();
  };
}

/** Shard that owns a guild: `(guild_id >> 22) % shardCount`. */
export function shardForGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(Math.max(1, shardCount)));
}
