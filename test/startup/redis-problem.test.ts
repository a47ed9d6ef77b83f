import { describe, expect, it } from 'vitest';
import { redisProblem } from '../../src/startup/store-check.js';
import { EXIT_CONFIG, EXIT_UNAVAILABLE } from '../../src/startup/startup-error.js';
import { CHECK_STUCK } from '../../src/startup/redis-probe-thread.js';

/** An error as node:dns and node:net give it: a message and a `code`. */
const systemError = (code: string, message: string) => Object.assign(new Error(message), { code });

const SECRET = 'pw-9z7';
const url = `redis://:${SECRET}@cache.internal:6380/3`;
const shown = 'redis://:[redacted]@cache.internal:6380/3';
const problem = (err: unknown, storeUrl = url) => redisProblem(storeUrl, shown, err, 5_000);

describe('what the operator is told when the Redis in STORE_URL cannot be used at start-up', () => {
  it('GIVEN a DNS server that did not answer yet (EAI_AGAIN, a network still coming up) THEN it exits 69 so systemd starts it again, naming the host', () => {
    const result = problem(systemError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN cache.internal'));
    expect(result.exitCode).toBe(EXIT_UNAVAILABLE);
    expect(result.lines.join(' ')).toContain('cache.internal');
    expect(result.lines.join(' ')).toMatch(/temporary DNS failure/);
    expect(result.lines.join(' ')).toMatch(/check the host name in STORE_URL/);
  });

  it('GIVEN the check’s own worker thread that gave no answer (an overloaded machine) THEN it is not reported as Redis not answering: it says so, with the bound it had, exit 69', () => {
    const result = problem(systemError(CHECK_STUCK, "the check's worker thread gave no answer"));
    expect(result.exitCode).toBe(EXIT_UNAVAILABLE);
    expect(result.lines.join(' ')).toMatch(/did not finish within 8 s: its worker thread gave no answer/);
    expect(result.lines.join(' ')).not.toMatch(/Redis .* did not answer/);
    expect(result.lines.join(' ')).not.toContain(SECRET);
  });

  it('GIVEN a host name that does not exist (ENOTFOUND) THEN it is a setting to correct: exit 78', () => {
    const result = problem(systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND cache.internal'));
    expect(result.exitCode).toBe(EXIT_CONFIG);
    expect(result.lines.join(' ')).toMatch(/does not resolve: cache\.internal/);
    // The fix names a host that can work, not the one that does not resolve.
    expect(result.lines[1]).not.toContain('cache.internal');
    expect(result.lines[1]).toContain('STORE_URL=redis://:password@127.0.0.1:6380/3');
    expect(result.lines[1]).toContain('STORE_URL=redis://:password@redis:6380/3 for a service named redis');
  });

  it('GIVEN rediss:// to a host that does not exist THEN the fix asks for the name its TLS certificate was issued for (127.0.0.1 would fail the check)', () => {
    const result = problem(systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND cache.internal'), 'rediss://:pw-9z7@cache.internal:6380/3');
    expect(result.exitCode).toBe(EXIT_CONFIG);
    expect(result.lines[1]).toMatch(/the name the Redis server's TLS certificate was issued for/);
    expect(result.lines[1]).toContain('STORE_URL=rediss://:password@redis.example.internal:6380/3');
    expect(result.lines[1]).not.toContain('127.0.0.1');
    expect(result.lines.join(' ')).not.toContain(SECRET);
  });

  it.each([
    ['without a password', 'redis://cache.internal:6380/3', 'STORE_URL=redis://cache.internal:6380/3'],
    ['with one', url, 'STORE_URL=redis://:password@cache.internal:6380/3'],
  ])(
    'GIVEN a STORE_URL %s WHEN the host does not resolve or Redis fails otherwise THEN the example URL adds no password it did not have',
    (_case, storeUrl, example) => {
      for (const err of [systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND cache.internal'), new Error('LOADING Redis is loading')]) {
        const result = problem(err, storeUrl);
        // A host that does not resolve is replaced in the example (see above); the rest is as typed.
        const expected = err.message.includes('ENOTFOUND') ? example.replace('cache.internal', '127.0.0.1') : example;
        expect(result.lines.join(' ')).toContain(expected);
        expect(result.lines.join(' ')).not.toContain(SECRET);
      }
    },
  );

  it('GIVEN a database Redis does not have THEN the example keeps the host, port and scheme typed, with database 0', () => {
    const result = problem(new Error('ERR DB index is out of range'), 'rediss://cache.internal:6380/99');
    expect(result.exitCode).toBe(EXIT_CONFIG);
    expect(result.lines.join(' ')).toContain('for example STORE_URL=rediss://cache.internal:6380/0');
    expect(problem(new Error('ERR DB index is out of range')).lines.join(' ')).toContain(
      'STORE_URL=redis://:password@cache.internal:6380/0',
    );
  });

  it.each([
    ['nothing listening', systemError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.5:6380'), /refused the connection/],
    ['no answer in time', systemError('ETIMEDOUT', 'timed out'), /did not answer within 5 s/],
  ])('GIVEN %s THEN it exits 69 (a service to wait for)', (_case, err, said) => {
    const result = problem(err);
    expect(result.exitCode).toBe(EXIT_UNAVAILABLE);
    expect(result.lines.join(' ')).toMatch(said);
  });

  it('GIVEN no password in STORE_URL and NOAUTH THEN it says STORE_URL gives none, not that a password was refused', () => {
    const result = problem(new Error('NOAUTH Authentication required.'), 'redis://cache.internal:6380/3');
    expect(result.exitCode).toBe(EXIT_CONFIG);
    expect(result.lines[0]).toBe(
      'Redis at cache.internal:6380 asks for a password, and STORE_URL gives none (NOAUTH Authentication required).',
    );
  });

  it('GIVEN a password for a Redis that has none THEN it says to leave it out, with the URL to write (the same scheme and database)', () => {
    const result = problem(
      new Error(
        'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
      ),
      `rediss://:${SECRET}@cache.internal:6380/3`,
    );
    expect(result.exitCode).toBe(EXIT_CONFIG);
    expect(result.lines.join(' ')).toMatch(/has no password set( for its default user)?, but STORE_URL gives one/);
    expect(result.lines.join(' ')).toContain('STORE_URL=rediss://cache.internal:6380/3');
  });

  it.each([
    ['a wrong password', url, 'WRONGPASS invalid username-password pair or user is disabled.', /refused the password in STORE_URL/],
    [
      'an ACL user and a wrong password',
      `redis://bot:${SECRET}@cache.internal:6380/3`,
      'WRONGPASS invalid username-password pair or user is disabled.',
      /refused the user name or password in STORE_URL/,
    ],
  ])('GIVEN %s THEN it says which part was refused and never prints the password', (_case, storeUrl, message, said) => {
    const result = problem(new Error(message), storeUrl);
    expect(result.exitCode).toBe(EXIT_CONFIG);
    expect(result.lines.join(' ')).toMatch(said);
    expect(result.lines.join(' ')).not.toContain(SECRET);
  });

  it('GIVEN Redis 5 or older, which has no password set, and a password in STORE_URL THEN it says to leave it out: a setting (78), not a service to wait for', () => {
    const result = problem(new Error('ERR Client sent AUTH, but no password is set'));
    expect(result.exitCode).toBe(EXIT_CONFIG);
    expect(result.lines[0]).toBe('Redis at cache.internal:6380 has no password set for its default user, but STORE_URL gives one.');
    expect(result.lines.join(' ')).not.toContain(SECRET);
  });

  it('GIVEN a user name for Redis 5 or older, which knows none THEN it says to leave the user name out (78)', () => {
    const result = problem(new Error("ERR wrong number of arguments for 'auth' command"), `redis://bot:${SECRET}@cache.internal:6380/3`);
    expect(result.exitCode).toBe(EXIT_CONFIG);
    expect(result.lines.join(' ')).toMatch(/knows no user names .* names user bot/);
    expect(result.lines.join(' ')).toContain('STORE_URL=redis://:password@cache.internal:6380/3');
    expect(result.lines.join(' ')).not.toContain(SECRET);
  });

  it.each([['redis://bot@cache.internal:6380/3'], ['redis://bot:@cache.internal:6380/3']])(
    'GIVEN a user name and no password (%s; node-redis then sends AUTH bot "") THEN it says STORE_URL gives no password for the user, keeping the user in the example',
    (storeUrl) => {
      const result = problem(new Error('WRONGPASS invalid username-password pair or user is disabled.'), storeUrl);
      expect(result.exitCode).toBe(EXIT_CONFIG);
      expect(result.lines[0]).toBe(
        'Redis at cache.internal:6380 refused user bot without a password: STORE_URL names the user but gives no password.',
      );
      expect(result.lines[1]).toContain('STORE_URL=redis://bot:password@cache.internal:6380/3');
    },
  );

  it('GIVEN an ACL user whose password is wrong THEN the example keeps the user name', () => {
    const result = problem(
      new Error('WRONGPASS invalid username-password pair or user is disabled.'),
      `redis://bot:${SECRET}@cache.internal:6380/3`,
    );
    expect(result.lines[1]).toContain('STORE_URL=redis://bot:password@cache.internal:6380/3');
  });

  it('GIVEN a Redis in protected mode (DENIED, a reply of about 600 characters) THEN two short lines name protected mode and the fix (78)', () => {
    const denied =
      'DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. ' +
      'In this mode connections are only accepted from the loopback interface. '.repeat(6);
    const result = problem(new Error(denied));
    expect(result.exitCode).toBe(EXIT_CONFIG);
    expect(result.lines).toHaveLength(2);
    expect(result.lines[0]).toMatch(/protected mode/);
    expect(result.lines.every((line) => line.length < 300)).toBe(true);
  });

  it('GIVEN a reply the bot has no words for THEN it is cut to 200 characters, so the message stays two lines', () => {
    const result = problem(new Error(`ERR ${'x'.repeat(1000)}`));
    expect(result.exitCode).toBe(EXIT_UNAVAILABLE);
    expect(result.lines[0]!.length).toBeLessThan(300);
  });
});
