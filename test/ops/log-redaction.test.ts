import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, withoutPassword } from '../../src/log.js';
import { loadConfig } from '../../src/config.js';
import { sampleJob } from '../support/jobs.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('logs never show a secret', () => {
  it('GIVEN objects holding tokens, API keys and authorization headers WHEN they are logged THEN none of the secrets appears, the rest does', () => {
    const { lines, logger } = capture();
    const config = loadConfig({
      DISCORD_TOKEN: 'discord-bot-token-123',
      XCOMPUTE_API_KEY: 'sk-xcompute-456',
      STORE_URL: 'redis://bot:redis-pass-8@redis.internal:6379/0',
    });
    logger.info({ token: 'top-token-1', apiKey: 'sk-top-2', authorization: 'Bearer top-3' }, 'flat');
    logger.info({ request: { headers: { authorization: 'Bearer sk-header-4', Authorization: 'Bot discord-5' } } }, 'request');
    logger.warn({ config }, 'whole config');
    logger.info({ job: sampleJob({ id: 'jsecret' }) }, 'whole job');
    logger.child({ guildId: 'g1' }).error({ err: { apiKey: 'sk-in-error-6', response: { token: 'deep-7' } } }, 'nested');
    logger.error({ store: { url: 'rediss://:redis-pass-9@cache:6380/1' } }, 'store unreachable');
    logger.error({ url: 'redis://:pass-with@sign-10@cache:6379/0', storeUrl: new URL('redis://u:url-object-11@cache:6379/2') }, 'odd urls');
    const output = lines.join('');
    for (const secret of [
      'top-token-1',
      'sk-top-2',
      'Bearer top-3',
      'sk-header-4',
      'discord-5',
      'discord-bot-token-123',
      'sk-xcompute-456',
      'interaction-token-secret',
      'sk-in-error-6',
      'deep-7',
      'redis-pass-8',
      'redis-pass-9',
      'sign-10',
      'url-object-11',
    ]) {
      expect(output).not.toContain(secret);
    }
    expect(output).toContain('[redacted]');
    expect(output).toContain('jsecret');
    expect(output).toContain('"guildId":"g1"');
    // Which store it is stays readable; only the password goes.
    expect(output).toContain('redis://bot:[redacted]@redis.internal:6379/0');
    expect(output).toContain('rediss://:[redacted]@cache:6380/1');
    expect(output).toContain('redis://u:[redacted]@cache:6379/2');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('GIVEN a store URL whose password holds an unencoded "/" (base64) or "@" THEN none of it is shown, and URLs without one are unchanged', () => {
    expect(withoutPassword('redis://:ab/cd+ef@cache:6379/0')).toBe('redis://:[redacted]@cache:6379/0');
    expect(withoutPassword('rediss://bot:a/b@c@cache:6380/1')).toBe('rediss://bot:[redacted]@cache:6380/1');
    expect(withoutPassword('redis://cache:6379/14')).toBe('redis://cache:6379/14');
    expect(withoutPassword('sqlite://data/bot.sqlite')).toBe('sqlite://data/bot.sqlite');
  });

  it('GIVEN a store URL whose password holds an unencoded "#" or "?" (which cut a URL short) THEN none of it is shown', () => {
    expect(withoutPassword('redis://:s3cret#PW@127.0.0.1:6379/12')).toBe('redis://:[redacted]@127.0.0.1:6379/12');
    expect(withoutPassword('redis://bot:s3cret?PW@cache:6379/0')).toBe('redis://bot:[redacted]@cache:6379/0');
    expect(withoutPassword('rediss://a#b?c@d@cache:6380/1')).toBe('rediss://[redacted]@cache:6380/1');
    // Read by a URL parser as host "bot", port 12 and a query, but typed as a user and password.
    expect(withoutPassword('redis://bot:12?pw@cache:6379/1')).toBe('redis://bot:[redacted]@cache:6379/1');
    // Line breaks (URL parsers drop them) and spaces before the scheme hide nothing.
    expect(withoutPassword('redis://:ab\ncd@cache:6379/0')).toBe('redis://:[redacted]@cache:6379/0');
    expect(withoutPassword(' redis://:s3cret@cache:6379/0')).toBe(' redis://:[redacted]@cache:6379/0');
    // A mistyped scheme (one slash, no colon) still hides what comes before the last @.
    expect(withoutPassword('redis:/:s3cret@cache:6379/14')).toBe('redis:/:[redacted]@cache:6379/14');
    expect(withoutPassword('redis//:s3cret@cache:6379/14')).toBe('redis//:[redacted]@cache:6379/14');
    // A SQLite path holds no password, even with an @ in it.
    expect(withoutPassword('sqlite:///var/lib/a@b/bot.sqlite')).toBe('sqlite:///var/lib/a@b/bot.sqlite');
    // A URL that reads as one keeps its query and fragment as they are.
    expect(withoutPassword('https://cdn.example/v.mp4?who=a@b')).toBe('https://cdn.example/v.mp4?who=a@b');
  });
});
