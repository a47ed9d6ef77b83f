/** Discord epoch (2015-01-01T00:00:00Z) in milliseconds. */
export const DISCORD_EPOCH = 1420070400000n;

/**
 * Creates a generator of unique, increasing, real-looking snowflakes (19 digits today).
 * Uses the wall clock (not an injected test clock) so ids always look current.
 */
export function createSnowflakeGenerator(): () => string {
  let last = 0n;
  return () => {
    const fromTime = (BigInt(Date.now()) - DISCORD_EPOCH) << 22n;
    last = fromTime > last ? fromTime : last + 1n;
    return last.toString();
  };
}

/** Shard that owns a guild: `(guild_id >> 22) % shardCount`. */
export function shardForGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(Math.max(1, shardCount)));
}
