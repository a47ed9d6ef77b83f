import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const base = { DISCORD_TOKEN: 'bot-token', XCOMPUTE_API_KEY: 'key' };
const redis = { ...base, STORE_URL: 'redis://127.0.0.1:6379/0' };

const problemsOf = (env: Record<string, string>): string => {
  try {
    loadConfig({ ...base, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('scale settings from the environment', () => {
  it('GIVEN nothing set THEN one process, 20 submissions a minute, 10 polls a second, no metrics endpoint', () => {
    const config = loadConfig(base);
    expect(config.sharding).toBeUndefined();
    expect(config.rateLimits).toEqual({ submitsPerMinute: 20, pollsPerSecond: 10, submitWindowMs: 60_000 });
    expect(config.metricsPort).toBeUndefined();
  });

  it('GIVEN SHARD_COUNT and SHARD_IDS WHEN npm start reads them THEN this process manages those shards', () => {
    expect(loadConfig({ ...redis, SHARD_COUNT: '4', SHARD_IDS: '1, 3' }).sharding).toEqual({
      role: 'manager',
      count: 4,
      ids: [1, 3],
      own: [],
    });
    expect(loadConfig({ ...redis, SHARD_COUNT: 'AUTO' }).sharding).toEqual({ role: 'manager', count: 'auto', ids: undefined, own: [] });
    expect(loadConfig({ ...redis, SHARD_COUNT: 'auto', SHARD_IDS: '0' }).sharding?.ids).toEqual([0]);
    expect(loadConfig({ ...base, SHARD_COUNT: '1' }).sharding).toEqual({ role: 'manager', count: 1, ids: undefined, own: [] });
  });

  it('GIVEN several shards on the SQLite file WHEN the bot starts THEN it refuses, since each process would lock only for itself', () => {
    expect(problemsOf({ SHARD_COUNT: '2' })).toMatch(/SHARD_COUNT=2 .*must share a store: set STORE_URL to Redis/);
    expect(problemsOf({ SHARD_COUNT: 'auto', STORE_URL: 'sqlite://data/bot.sqlite' })).toMatch(/STORE_URL=redis:\/\//);
    expect(problemsOf({ SHARD_COUNT: '3', STORE_URL: 'memory://' })).toContain('SHARD_COUNT=3');
  });

  it('GIVEN the variables ShardingManager gives its children THEN the process is one shard serving its own', () => {
    const child = loadConfig({ ...redis, SHARD_COUNT: '2', SHARD_IDS: '0,1', SHARDING_MANAGER: 'true', SHARDS: '1' });
    expect(child.sharding).toEqual({ role: 'shard', count: 2, ids: [0, 1], own: [1] });
    expect(loadConfig({ ...redis, SHARD_COUNT: '3', SHARDING_MANAGER: 'true', SHARDS: '[0,2]' }).sharding?.own).toEqual([0, 2]);
  });

  it('GIVEN bad values WHEN the bot starts THEN it stops naming the variable and a good example', () => {
    expect(problemsOf({ SHARD_COUNT: 'lots' })).toMatch(/SHARD_COUNT .*for example 2/);
    expect(problemsOf({ SHARD_COUNT: '0' })).toContain('SHARD_COUNT');
    expect(problemsOf({ ...redis, SHARD_COUNT: '2', SHARD_IDS: 'one,two' })).toMatch(/SHARD_IDS .*for example 0,1/);
    expect(problemsOf({ ...redis, SHARD_COUNT: '2', SHARD_IDS: '0,2' })).toMatch(/SHARD_IDS must be below SHARD_COUNT \(2\)/);
    expect(problemsOf({ SHARD_IDS: '0' })).toMatch(/SHARD_IDS needs SHARD_COUNT/);
    expect(problemsOf({ XCOMPUTE_MAX_RPM: '0' })).toMatch(/XCOMPUTE_MAX_RPM .*for example 20/);
    expect(problemsOf({ XCOMPUTE_MAX_POLLS_PER_S: 'fast' })).toMatch(/XCOMPUTE_MAX_POLLS_PER_S .*for example 10/);
    expect(problemsOf({ METRICS_PORT: '70000' })).toMatch(/METRICS_PORT .*for example 9100/);
  });

  it('GIVEN operator overrides THEN they are read', () => {
    const config = loadConfig({
      ...base,
      XCOMPUTE_MAX_RPM: '60',
      XCOMPUTE_MAX_POLLS_PER_S: '25',
      XCOMPUTE_RPM_WINDOW_MS: '6000',
      METRICS_PORT: '9100',
    });
    expect(config.rateLimits).toEqual({ submitsPerMinute: 60, pollsPerSecond: 25, submitWindowMs: 6_000 });
    expect(config.metricsPort).toBe(9100);
  });
});
