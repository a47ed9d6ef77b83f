import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const base = { DISCORD_TOKEN: 'bot-token', XCOMPUTE_API_KEY: 'key' };

describe('configuration from the environment', () => {
  it('fills every default an operator may leave out', () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({
      discordApiUrl: 'https://discord.com/api',
      xcomputeBaseUrl: 'https://xcompute.us',
      xcomputeStatusPath: '/v1/tasks/{task_id}',
      storeUrl: 'sqlite://data/bot.sqlite',
      pollIntervalMs: 5000,
      progressEditMinMs: 3000,
      jobMaxAgeMs: 1_800_000,
      jobStallMs: 900_000,
      logLevel: 'info',
      historyDays: 30,
      quota: { defaultLimit: 20, defaultPeriod: 'day', globalLimit: undefined, costs: undefined },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("keeps finished videos by default in a folder of the bot's own user in the temporary folder, not one shared by every user", () => {
    const uid = process.getuid?.();
    const own = join(tmpdir(), uid === undefined ? 'hailuo-video-bot' : `hailuo-video-bot-${uid}`);
    expect(loadConfig(base).videoTmpDir).toBe(own);
    expect(loadConfig({ ...base, VIDEO_TMP_DIR: '' }).videoTmpDir).toBe(own);
    expect(loadConfig({ ...base, VIDEO_TMP_DIR: '/srv/videos' }).videoTmpDir).toBe('/srv/videos');
  });

  it('stops start-up naming each missing or bad variable and what a good value looks like', () => {
    let error: unknown;
    try {
      loadConfig({ POLL_INTERVAL_MS: 'soon', XCOMPUTE_BASE_URL: 'xcompute.us', QUOTA_COSTS: '{oops' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['DISCORD_TOKEN', 'XCOMPUTE_API_KEY', 'POLL_INTERVAL_MS', 'XCOMPUTE_BASE_URL', 'QUOTA_COSTS']) {
      expect(message).toContain(name);
    }
    expect(message).toContain('for example 5000');
  });

  it('refuses QUOTA_COSTS a bot would start with and then stop on, or ignore: a key it never asks for, a cost out of bounds, not an object', () => {
    const problems = (value: string) => {
      try {
        loadConfig({ ...base, QUOTA_COSTS: value });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).message;
      }
      return '';
    };
    expect(problems('{"Hailuo:768p:6":1}')).toContain('QUOTA_COSTS: "Hailuo:768p:6" is not a video the bot offers; the keys are ');
    expect(problems('{"minimax-hailuo-2.3-fast:768P:10":1}')).toContain(
      '"minimax-hailuo-2.3-fast:768P:10" is not a video the bot offers (did you mean "MiniMax-Hailuo-2.3-Fast:768p:10"? keys are written exactly, case included); the keys are ',
    );
    expect(problems('{"MiniMax-Hailuo-2.3:768p:6":-2}')).toContain(
      '"MiniMax-Hailuo-2.3:768p:6" must cost a whole number of credits from 0 to 1000000',
    );
    expect(problems('{"MiniMax-Hailuo-2.3:768p:6":"3"}')).toContain('must cost a whole number of credits');
    expect(problems('[1,2]')).toContain('QUOTA_COSTS must be a JSON object');
    expect(problems('{"MiniMax-Hailuo-2.3-Fast:1080p:6":0}')).toBe('');
    // JSON.parse keeps "__proto__" as a key of its own; it is refused like any other, not dropped.
    expect(problems('{"__proto__":{"MiniMax-Hailuo-2.3:768p:6":0}}')).toContain('QUOTA_COSTS: "__proto__" is not a video the bot offers');
    // A key is shown escaped and short: a newline in it cannot make a line of its own in the message.
    const forged = problems(`{"x\\n  - QUOTA_COSTS is fine${'y'.repeat(5_000)}":1}`);
    expect(forged).toContain('QUOTA_COSTS: "x\\n  - QUOTA_COSTS is fine');
    expect(forged).not.toContain('\n  - QUOTA_COSTS is fine');
    expect(forged.length).toBeLessThan(1_000);
    // 2,000 bad keys: two lines that name three of them, not 4,000 lines.
    const many = problems(JSON.stringify(Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`bad:${i}:6`, -1]))));
    expect(many).toContain('"bad:0:6", "bad:1:6", "bad:2:6" and 1997 more are not videos the bot offers');
    expect(many).toContain('"bad:0:6", "bad:1:6", "bad:2:6" and 1997 more must cost a whole number of credits');
    expect(many.length).toBeLessThan(1_000);
  });

  it('GIVEN a STORE_URL scheme in capitals THEN it is read as the same store (schemes are case-insensitive), not refused later', () => {
    expect(loadConfig({ ...base, STORE_URL: 'REDIS://127.0.0.1:6379/0' }).storeUrl).toBe('redis://127.0.0.1:6379/0');
    expect(loadConfig({ ...base, STORE_URL: 'SQLite://data/Bot.sqlite' }).storeUrl).toBe('sqlite://data/Bot.sqlite');
  });

  it('reads operator overrides', () => {
    const config = loadConfig({
      ...base,
      DISCORD_API_URL: 'http://127.0.0.1:9999/api/',
      STORE_URL: 'redis://127.0.0.1:6379/0',
      POLL_INTERVAL_MS: '250',
      JOB_STALL_MS: '300000',
      LOG_LEVEL: 'DEBUG',
      QUOTA_GLOBAL_LIMIT: '100',
      QUOTA_COSTS: '{"MiniMax-Hailuo-2.3:768p:6":3}',
    });
    expect(config.discordApiUrl).toBe('http://127.0.0.1:9999/api');
    expect(config.pollIntervalMs).toBe(250);
    expect(config.jobStallMs).toBe(300_000);
    expect(config.logLevel).toBe('debug');
    expect(config.quota.globalLimit).toBe(100);
    expect(config.quota.costs).toEqual({ 'MiniMax-Hailuo-2.3:768p:6': 3 });
  });

  it('keeps finished videos HISTORY_DAYS days, and refuses a value that is not a positive whole number', () => {
    expect(loadConfig({ ...base, HISTORY_DAYS: '90' }).historyDays).toBe(90);
    expect(() => loadConfig({ ...base, HISTORY_DAYS: '0' })).toThrow(/HISTORY_DAYS must be greater than 0, for example 30/);
    expect(() => loadConfig({ ...base, HISTORY_DAYS: 'a month' })).toThrow(/HISTORY_DAYS must be a whole number/);
  });

  it('treats an empty or blank value as unset for every variable, as a copied template leaves them', () => {
    const config = loadConfig({
      ...base,
      DISCORD_API_URL: '',
      STORE_URL: ' ',
      SHARD_COUNT: '',
      SHARD_IDS: '',
      ALLOWED_GUILD_IDS: '',
      STORE_ALLOW_VOLATILE: '',
    });
    expect(config.discordApiUrl).toBe('https://discord.com/api');
    expect(config.storeUrl).toBe('sqlite://data/bot.sqlite');
    expect(config.sharding).toBeUndefined();
    expect(config.allowedGuildIds).toBeUndefined();
    expect(config.storeAllowVolatile).toBe(false);
  });

  it.each([
    ['sqlite:/x', /sqlite:\/\//],
    ['sqlite:data/bot.sqlite', /sqlite:\/\//],
    ['sqlite://', /sqlite:\/\//],
    ['sqlite://data/', /names a folder/],
    ['redis://:6379/0', /redis:\/\/\[:password@\]host/],
    ['redis://127.0.0.1:6379/zero', /must be a number/],
    ['redis://bot:12#s3cret@127.0.0.1:6379/0', /write \? as %3F and # as %23/],
    ['redis://:s3cret?x@127.0.0.1:6379/0', /%3F/],
    ['redis://:s3c/ret@127.0.0.1:6379/0', /%2F/],
    // A / in a password that also holds an @ still parses: the text after the / reads as the database.
    ['redis://bot:p@s3cret/x@127.0.0.1:6379/0', /password was cut at a \/.*%2F.*%40/],
    // A / before any @ (a base64 password starting with /, digits before it): the user reads as the host.
    ['redis://default:/s3cret@127.0.0.1:6379/0', /password was cut at a \/.*%2F/],
    ['redis://bot:1234/s3cret@127.0.0.1:6379/0', /password was cut at a \/.*%2F/],
    // An @ after the database with no password: only the database is wrong.
    ['redis://127.0.0.1:6379/0@s3cret', /database after the host must be a number/],
    ['redis://:12/s3cret@d@127.0.0.1:6379/0', /%2F %3F %23 %40/],
    // URL parsing drops a tab or line break: Redis would get another password.
    ['redis://:s3c\tret@127.0.0.1:6379/0', /tab or a line break.*%09/],
    ['redis://:s3c\nret@127.0.0.1:6379/0', /tab or a line break/],
    ['redis://:s3c%ret@127.0.0.1:6379/0', /write a % as %25/],
    ['postgres://db/bot', /sqlite:\/\/path/],
  ])('refuses the STORE_URL typo %s, saying how to write it', (url, hint) => {
    expect(() => loadConfig({ ...base, STORE_URL: url })).toThrow(hint);
    expect(() => loadConfig({ ...base, STORE_URL: url })).toThrow(/STORE_URL/);
    expect(() => loadConfig({ ...base, STORE_URL: url })).not.toThrow(/s3cret/);
  });

  it('reads STORE_URL without the spaces or \\r around it (an environment set by hand, a CRLF file)', () => {
    expect(loadConfig({ ...base, STORE_URL: ' redis://127.0.0.1:6379/0' }).storeUrl).toBe('redis://127.0.0.1:6379/0');
    expect(loadConfig({ ...base, STORE_URL: '\tREDIS://127.0.0.1:6379/99\r' }).storeUrl).toBe('redis://127.0.0.1:6379/99');
  });

  it('reads ALLOWED_GUILD_IDS as a list of server ids and refuses anything else, naming it', () => {
    expect(loadConfig({ ...base, ALLOWED_GUILD_IDS: '1100000000000000001, 1100000000000000002,' }).allowedGuildIds).toEqual([
      '1100000000000000001',
      '1100000000000000002',
    ]);
    expect(() => loadConfig({ ...base, ALLOWED_GUILD_IDS: 'my-server' })).toThrow(/ALLOWED_GUILD_IDS/);
  });
});
