import { describe, expect, it } from 'vitest';
import { guildOwnership, metricsPortFor, ownershipFor, shardOfGuild } from '../../src/sharding/ownership.js';
import { createSnowflakeGenerator, shardForGuild } from '../fakes/discord/snowflake.js';

/** A guild id whose timestamp part is `n`, so its shard is `n % count`. */
const guildOnTick = (n: bigint) => String((n << 22n) | 4_095n);

describe('which shard owns a guild', () => {
  it('GIVEN guild ids WHEN the shard is computed THEN it is (id >> 22) % shard count', () => {
    expect(shardOfGuild(guildOnTick(5n), 2)).toBe(1);
    expect(shardOfGuild(guildOnTick(5n), 3)).toBe(2);
    expect(shardOfGuild(guildOnTick(5n), 1)).toBe(0);
    expect(shardOfGuild('1100000000000000001', 4)).toBe(Number((1100000000000000001n >> 22n) % 4n));
  });

  it('GIVEN real-looking snowflakes WHEN both sides compute the shard THEN the bot agrees with Discord (the fake gateway)', () => {
    const next = createSnowflakeGenerator();
    for (let i = 0; i < 200; i += 1) {
      const id = (BigInt(next()) + BigInt(i) * 7_919n * (1n << 22n)).toString();
      for (const count of [1, 2, 3, 16]) expect(shardOfGuild(id, count)).toBe(shardForGuild(id, count));
    }
  });

  it('GIVEN no guild (a DM) or a bad shard count THEN DMs belong to shard 0 and a bad count is refused', () => {
    expect(shardOfGuild('', 4)).toBe(0);
    expect(shardOfGuild('@me', 4)).toBe(0);
    expect(() => shardOfGuild(guildOnTick(1n), 0)).toThrow(RangeError);
  });

  it('GIVEN a process serving shards 1 and 3 of 4 THEN it owns exactly the guilds on those shards', () => {
    const owns = guildOwnership([1, 3], 4);
    expect([0n, 1n, 2n, 3n, 4n, 5n].map((n) => owns(guildOnTick(n)))).toEqual([false, true, false, true, false, true]);
  });

  it('GIVEN the configuration of each kind of process THEN only a shard process narrows what it owns', () => {
    expect(ownershipFor(undefined)(guildOnTick(1n))).toBe(true);
    expect(ownershipFor({ role: 'manager', count: 2, ids: undefined, own: [] })(guildOnTick(1n))).toBe(true);
    const shard0 = ownershipFor({ role: 'shard', count: 2, ids: undefined, own: [0] });
    expect(shard0(guildOnTick(2n))).toBe(true);
    expect(shard0(guildOnTick(3n))).toBe(false);
  });

  it('GIVEN several shard processes on one machine THEN each serves metrics on its own port, the first on METRICS_PORT', () => {
    expect(metricsPortFor(9100, undefined)).toBe(9100);
    expect(metricsPortFor(undefined, { role: 'shard', count: 2, ids: undefined, own: [1] })).toBeUndefined();
    expect(metricsPortFor(9100, { role: 'shard', count: 4, ids: undefined, own: [2] })).toBe(9102);
    expect(metricsPortFor(9100, { role: 'shard', count: 4, ids: [2, 3], own: [2] })).toBe(9100);
    expect(metricsPortFor(9100, { role: 'shard', count: 4, ids: [2, 3], own: [3] })).toBe(9101);
    expect(metricsPortFor(0, { role: 'shard', count: 4, ids: [2, 3], own: [3] })).toBe(0);
  });
});
