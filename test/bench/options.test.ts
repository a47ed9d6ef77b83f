import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BENCH_REDIS_URL, readBenchOptions, redactedUrl, UsageError } from '../../scripts/bench/options.js';
import { probeRedis } from '../../scripts/bench/world.js';
import { redisAvailable, redisUrl, REDIS_HOST, REDIS_PORT } from '../support/redis.js';
import { redisServerInstalled, startOwnRedis } from '../support/redis-server.js';

/**
 * `npm run bench` as someone typing it sees it: a mistake in its options or BENCH_ settings is
 * said in one line before any phase runs (not after minutes of the wrong phases), and the Redis
 * database it flushes is one the user named.
 */
describe('npm run bench: options and settings', () => {
  const root = mkdtempSync(join(tmpdir(), 'hvb-bench-options-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const read = (argv: string[], env: NodeJS.ProcessEnv = {}) => readBenchOptions(argv, { INIT_CWD: root, ...env }, '/tmp');
  const refusal = (argv: string[], env: NodeJS.ProcessEnv = {}): string => {
    try {
      read(argv, env);
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      return (err as Error).message;
    }
    throw new Error('the options were accepted');
  };

  it('GIVEN no options THEN every phase runs on both stores (scale on Redis only), Redis on database 14', () => {
    const options = read([]);
    expect(options.phases).toEqual(['ack', 'polling', 'memory', 'line', 'scale']);
    expect(options.only).toBeUndefined();
    expect(options.redisUrl).toBe(DEFAULT_BENCH_REDIS_URL);
    expect(options.sqliteDir).toBe('/tmp');
  });

  it('GIVEN options typed after npm run bench without "--" (npm passes them on as npm_config_*) THEN it says to add "--"', () => {
    const message = refusal([], { npm_config_phases: 'ack', npm_config_cpu_prof: 'prof' });
    expect(message).toContain('npm run bench -- --phases=ack --cpu-prof=prof');
  });

  it('GIVEN npm run bench --phases ack (a space: npm passes npm_config_phases=true) THEN the advice does not invent a value', () => {
    const message = refusal(['ack'], { npm_config_phases: 'true' });
    expect(message).toContain('npm run bench -- --phases=…');
    expect(message).not.toContain('--phases=true');
  });

  it('GIVEN npm run bench --only=sqlite (npm keeps --only for itself and tells the script nothing) THEN its own command line shows it', () => {
    const readWithNpm = (npmArgv: string[]) => readBenchOptions([], { INIT_CWD: root }, '/tmp', npmArgv);
    expect(() => readWithNpm(['bench', '--only=sqlite'])).toThrow('npm run bench -- --only=sqlite');
    expect(() => readWithNpm(['bench', '--only', 'redis'])).toThrow('npm run bench -- --only=…');
    // After "--" the options are the bench's own.
    expect(readWithNpm(['bench', '--', '--only=sqlite']).only).toBeUndefined();
    expect(readWithNpm(['bench']).phases).toEqual(['ack', 'polling', 'memory', 'line', 'scale']);
  });

  it('GIVEN --only=sqlite and no --phases THEN every phase but scale runs (scale needs Redis); named with it, it is refused', () => {
    expect(read(['--only=sqlite']).phases).toEqual(['ack', 'polling', 'memory', 'line']);
    expect(refusal(['--only=sqlite', '--phases=ack,scale'])).toContain('runs on Redis only');
  });

  it('GIVEN --phases=scale alone THEN it is a Redis run (no empty SQLite table; no Redis answering is refused, as with --only=redis)', () => {
    expect(read(['--phases=scale']).only).toBe('redis');
    expect(read(['--phases=ack,scale']).only).toBeUndefined();
  });

  it.each([
    [['--phases', 'ack'], 'cannot read "--phases"'],
    [['--phase=ack'], 'cannot read "--phase=ack"'],
    [['--only=redis', '--only=sqlite'], '--only given more than once'],
    [['--only=postgres'], '--only must be sqlite or redis'],
    [['--phases=ack,speed'], 'unknown phase "speed"'],
    [['--only=sqlite', '--phases=scale'], 'runs on Redis only'],
    [['--phases=ack', '--heap-snapshots=snaps'], 'add memory to --phases'],
    [['--phases=memory', '--alloc-prof=alloc'], 'add ack to --phases'],
    [['--phases=scale', '--cpu-prof=prof'], 'not in scale'],
    [['--cpu-prof=~/prof'], 'write $HOME/… instead'],
  ])('GIVEN %j THEN it refuses in one line: %s', (argv, expected) => {
    expect(refusal(argv)).toContain(expected);
  });

  it('GIVEN a bad BENCH_ROUNDS or BENCH_CPU_PROF_INTERVAL_US THEN it refuses before any phase', () => {
    expect(refusal([], { BENCH_ROUNDS: '0' })).toContain('BENCH_ROUNDS must be a whole number of at least 5');
    // Fewer than five rounds of each bot would give a verdict on a median issue 15 does not accept.
    expect(refusal([], { BENCH_ROUNDS: '4' })).toContain('at least 5');
    expect(() => read([], { BENCH_ROUNDS: '5' })).not.toThrow();
    expect(refusal(['--cpu-prof=prof'], { BENCH_CPU_PROF_INTERVAL_US: '0.5' })).toContain('BENCH_CPU_PROF_INTERVAL_US');
  });

  it('GIVEN relative folders THEN they are taken from where npm run bench was typed (INIT_CWD)', () => {
    const options = read(['--cpu-prof=prof', '--phases=ack', '--alloc-prof=alloc/deeper'], { BENCH_SQLITE_DIR: '.' });
    expect(options.cpuProfDir).toBe(join(root, 'prof'));
    expect(options.allocProfDir).toBe(join(root, 'alloc', 'deeper'));
    expect(options.sqliteDir).toBe(root);
  });

  it("GIVEN BENCH_SQLITE_DIR= (empty, as a template leaves it) THEN the default folder is used, as for the bot's own settings", () => {
    expect(read([], { BENCH_SQLITE_DIR: '' }).sqliteDir).toBe('/tmp');
  });

  it('GIVEN a BENCH_SQLITE_DIR that is a file or missing THEN it refuses, even with --only=redis (the commit probe uses it)', () => {
    writeFileSync(join(root, 'a-file'), '');
    expect(refusal(['--only=redis'], { BENCH_SQLITE_DIR: 'a-file' })).toContain('BENCH_SQLITE_DIR=a-file: must be a folder');
    expect(refusal([], { BENCH_SQLITE_DIR: 'missing' })).toContain('BENCH_SQLITE_DIR=missing: must be a folder');
  });

  it.each([
    ['redis://127.0.0.1:6379', 'must name the database'],
    ['redis://127.0.0.1:6379/', 'must name the database'],
    ['redis://127.0.0.1:6379/abc', 'must name the database'],
    ['http://127.0.0.1:6379/14', 'must be a redis:// or rediss:// URL'],
    ['127.0.0.1:6379', 'must be a redis:// or rediss:// URL'],
    ['redis://127.0.0.1:63a79/14', 'cannot be read as a URL'],
    ['rediss://bench:pw@cache internal:6380/3', 'cannot be read as a URL'],
    ['redis://:s3cret#pw@127.0.0.1:6379/14', 'which must be percent-encoded as %2F %23 %3F'],
    ['rediss://:p%ss@127.0.0.1:6379/14', 'write a % as %25'],
    // URL parsing drops a tab: database "1<tab>4" would be read, and flushed, as 14.
    ['redis://127.0.0.1:6379/1\t4', 'holds a tab or a line break'],
    ['redis://bench:2024#pw@127.0.0.1:6379/14', 'write them as %3F and %23'],
    ['redis://127.0.0.1:6379/14?x=1', 'write them as %3F and %23'],
  ])('GIVEN BENCH_REDIS_URL=%s (the bench flushes its database) THEN it refuses: %s', (url, expected) => {
    expect(refusal([], { BENCH_REDIS_URL: url })).toContain(expected);
  });

  it('GIVEN a BENCH_REDIS_URL with a database number THEN it is used, and with --only=sqlite it is not even read', () => {
    expect(read([], { BENCH_REDIS_URL: 'rediss://bench:pw@cache.internal:6380/3' }).redisUrl).toBe(
      'rediss://bench:pw@cache.internal:6380/3',
    );
    expect(() => read(['--only=sqlite'], { BENCH_REDIS_URL: 'not a url' })).not.toThrow();
  });

  it('GIVEN a BENCH_REDIS_URL with a password THEN the refusal and the printed URL never show it (output is pasted into issues)', () => {
    const message = refusal([], { BENCH_REDIS_URL: 'redis://bench:s3cret-pw@cache.internal:6379' });
    expect(message).not.toContain('s3cret-pw');
    expect(message).toContain('redis://bench:[redacted]@cache.internal:6379');
    expect(redactedUrl('redis://:s3cret-pw@cache.internal:6379/14')).toBe('redis://:[redacted]@cache.internal:6379/14');
    expect(redactedUrl(DEFAULT_BENCH_REDIS_URL)).toBe(DEFAULT_BENCH_REDIS_URL);
    // A password with "/" (base64) or ":" makes the URL unreadable; it is still hidden.
    for (const typed of [
      'redis://:s3cret/pw@127.0.0.1:6379/15',
      'redis://:s3cret#pw@127.0.0.1:6379/15',
      'redis://u:s3cret?pw@h:6379/15',
      'redis://:s3cret%pw@h:6379/15',
    ]) {
      expect(refusal([], { BENCH_REDIS_URL: typed })).not.toContain('s3cret');
    }
    expect(redactedUrl('redis://user:a/b:c@host:6379/1')).toBe('redis://user:[redacted]@host:6379/1');
  });
});

/** Whether the bench can use the Redis it was given, asked before any phase: refused is not the same as absent. */
describe('npm run bench: the Redis probe', () => {
  let up = false;
  let closedPort = 0;
  beforeAll(async () => {
    up = await redisAvailable();
    // A port nothing listens on: taken, then let go.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, REDIS_HOST, resolve));
    closedPort = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('GIVEN nothing listening THEN it is unreachable (the Redis table is skipped, or --only=redis refuses)', async () => {
    const probe = await probeRedis(`redis://${REDIS_HOST}:${closedPort}/14`);
    expect(probe).toMatchObject({ ok: false, unreachable: true });
  });

  it('GIVEN something that accepts connections and never answers (a paused Redis) THEN the probe gives up in seconds instead of holding the bench', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, REDIS_HOST, resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const probe = await probeRedis(`redis://${REDIS_HOST}:${port}/14`, 500);
      expect(probe.ok).toBe(false);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('GIVEN a password with a stray % (not URL-encoded) THEN the probe says so instead of throwing', async () => {
    const probe = await probeRedis(`redis://:s3cret%pw@${REDIS_HOST}:${closedPort}/14`);
    expect(probe.ok).toBe(false);
  });

  it('GIVEN the test Redis and a database it has THEN it can be used', async (context) => {
    if (!up) context.skip();
    expect(await probeRedis(redisUrl(14))).toEqual({ ok: true });
  });

  it('GIVEN rediss:// (TLS) to a Redis that speaks plain TCP THEN the probe says to use redis://, instead of "no Redis answers"', async (context) => {
    if (!up) context.skip();
    const probe = await probeRedis(`rediss://${REDIS_HOST}:${REDIS_PORT}/14`, 500);
    expect(probe).toMatchObject({ ok: false, unreachable: false });
    expect(probe.ok === false && probe.reason).toContain('use redis:// instead of rediss://');
  });

  it('GIVEN rediss:// with a password to a Redis without TLS THEN it says so too, and the password is never sent unencrypted', async (context) => {
    if (!up) context.skip();
    const probe = await probeRedis(`rediss://bench:s3cret@${REDIS_HOST}:${REDIS_PORT}/14`, 500);
    expect(probe.ok === false && probe.reason).toContain('use redis:// instead of rediss://');

    // Something that takes connections and never answers: it records every byte it is sent.
    const received: Buffer[] = [];
    const sockets = new Set<import('node:net').Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', (chunk: Buffer) => received.push(chunk));
    });
    await new Promise<void>((resolve) => silent.listen(0, REDIS_HOST, resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const nothing = await probeRedis(`rediss://bench:Sup3rSecret@${REDIS_HOST}:${port}/14`, 300);
      expect(nothing).toMatchObject({ ok: false, unreachable: true });
      expect(Buffer.concat(received).toString('latin1')).not.toContain('Sup3rSecret');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it.skipIf(!redisServerInstalled)(
    'GIVEN rediss:// to a Redis without TLS that asks for a password THEN its NOAUTH counts as Redis answering',
    async () => {
      const own = await startOwnRedis(['--requirepass', 'own-pw'], 'own-pw');
      try {
        const probe = await probeRedis(`rediss://:own-pw@${REDIS_HOST}:${own.port}/0`, 500);
        expect(probe.ok === false && probe.reason).toContain('use redis:// instead of rediss://');
      } finally {
        await own.stop();
      }
    },
  );

  it("GIVEN a database past the server's count, or a password the server does not take THEN Redis refused, in its own words", async (context) => {
    if (!up) context.skip();
    const pastCount = await probeRedis(`redis://${REDIS_HOST}:${REDIS_PORT}/99`);
    expect(pastCount).toMatchObject({ ok: false, unreachable: false });
    expect(pastCount.ok === false && pastCount.reason).toMatch(/DB index is out of range/i);
    const wrongPassword = await probeRedis(`redis://someone:wrong@${REDIS_HOST}:${REDIS_PORT}/14`);
    expect(wrongPassword).toMatchObject({ ok: false, unreachable: false });
  });
});
