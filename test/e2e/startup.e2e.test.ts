import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DISCORD_CHECK_DEADLINE_MS } from '../../src/startup/discord-check.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { startFakeProvider, type FakeProvider } from '../fakes/provider.js';
import { redisServerInstalled, startOwnRedis, type OwnRedis } from '../support/redis-server.js';
import { fakeEnv, videoCommand } from './harness.js';
import { buildBotOnce, compiledFile, startBotProcess, type BotProcess, type BotProcessOptions, trackBotProcesses } from './process.js';

// The bound: every failed start ends within 15 s, in one or two plain lines.
const BOUND_MS = 15_000;
const STACK_LINE = /^\s+at\s/m;
const runsAsRoot = process.getuid?.() === 0;
// Root writes anything; the unwritable-file cases run the bot as `nobody`, as a service user would.
const asServiceUser: BotProcessOptions = runsAsRoot ? { uid: 65534, gid: 65534 } : {};

/**
 * The service user must reach the built bot: a checkout inside a private folder (`mktemp -d` is
 * 0700) is not traversable by `nobody`. Adds search permission (o+x, no listing) to the folders
 * above the project that lack it; returns how to put them back.
 */
function letServiceUserReach(path: string): () => void {
  if (!runsAsRoot) return () => undefined;
  const changed: Array<[string, number]> = [];
  for (let folder = dirname(path); folder !== dirname(folder); folder = dirname(folder)) {
    const mode = statSync(folder).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(folder, mode | 0o001);
      changed.push([folder, mode]);
    }
  }
  return () => {
    for (const [folder, mode] of changed) chmodSync(folder, mode);
  };
}

describe('a start that cannot work stops within 15 s, naming the variable and the fix', () => {
  let entry: string;
  let discord: FakeDiscord;
  let provider: FakeProvider;
  let dir: string;
  const bots = trackBotProcesses('afterEach');
  let restoreModes = () => undefined as void;

  beforeAll(async () => {
    entry = buildBotOnce();
    restoreModes = letServiceUserReach(entry);
    discord = await startFakeDiscord();
    provider = await startFakeProvider();
    dir = mkdtempSync(join(tmpdir(), 'hvb-startup-'));
    chmodSync(dir, 0o755);
  }, 300_000);

  afterAll(async () => {
    restoreModes();
    await discord?.close();
    await provider?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const env = (overrides: Record<string, string>) => ({ ...fakeEnv(discord, provider, join(dir, 'ok', 'bot.sqlite')), ...overrides });

  /** Starts the bot and waits for it to give up; returns its exit code, time taken and stderr. */
  async function failedStart(overrides: Record<string, string>, options: BotProcessOptions = {}) {
    const startedAt = Date.now();
    const identifiesBefore = discord.identifies.length;
    const bot = bots.start(entry, env(overrides), options);
    const timer = setTimeout(() => bot.child.kill('SIGKILL'), BOUND_MS + 5_000);
    const code = await bot.exited;
    clearTimeout(timer);
    const elapsed = Date.now() - startedAt;
    const lines = bot
      .stderr()
      .trim()
      .split('\n')
      .filter((line) => line.trim() !== '');
    return { code, elapsed, stderr: bot.stderr(), output: bot.output(), lines, identifies: discord.identifies.length - identifiesBefore };
  }

  function expectPlainFailure(result: Awaited<ReturnType<typeof failedStart>>, variable: string | RegExp) {
    expect(result.code, result.output).not.toBe(0);
    expect(result.code, result.output).not.toBeNull();
    expect(result.elapsed).toBeLessThan(BOUND_MS);
    expect(result.stderr).toMatch(variable);
    expect(result.output).not.toMatch(STACK_LINE);
    expect(result.lines.length).toBeGreaterThanOrEqual(1);
    expect(result.lines.length).toBeLessThanOrEqual(2);
    // The bot's code loads while the checks run, but nothing connects to the gateway before they pass.
    expect(result.identifies, result.output).toBe(0);
  }

  it('GIVEN a bad setting in the .env file ENV_FILE names THEN it exits 78 naming the setting, a good value and the file it came from', async () => {
    const file = join(dir, 'bad-setting.env');
    writeFileSync(file, 'POLL_INTERVAL_MS=fast\n');
    // Empty in the environment means unset, so the file's value is the one read.
    const result = await failedStart({ ENV_FILE: file, POLL_INTERVAL_MS: '' });
    expect(result.code, result.output).toBe(78);
    expect(result.stderr).toContain('POLL_INTERVAL_MS must be a whole number, for example 5000');
    expect(result.stderr).toContain(`settings read from ${file}`);
    expect(result.output).not.toMatch(STACK_LINE);
  });

  it.each([
    ['a key in the wrong case', '{"minimax-hailuo-2.3:768p:6":5}', '"minimax-hailuo-2.3:768p:6" is not a video the bot offers'],
    [
      'a video the provider does not make (1080p for 10 s)',
      '{"MiniMax-Hailuo-2.3:1080p:10":5}',
      '"MiniMax-Hailuo-2.3:1080p:10" is not a video the bot offers',
    ],
    [
      'a cost over the bound',
      '{"MiniMax-Hailuo-2.3:768p:6":2000000}',
      '"MiniMax-Hailuo-2.3:768p:6" must cost a whole number of credits from 0 to 1000000',
    ],
  ])(
    'GIVEN QUOTA_COSTS with %s THEN it exits 78 before contacting anyone, naming the key and the keys that exist, instead of failing after the checks (and being restarted forever)',
    async (_case, value, named) => {
      const result = await failedStart({ QUOTA_COSTS: value });
      expect(result.code, result.output).toBe(78);
      expect(result.stderr).toContain(`QUOTA_COSTS: ${named}`);
      if (named.includes('not a video'))
        expect(result.stderr).toContain('the keys are MiniMax-Hailuo-2.3:768p:6, MiniMax-Hailuo-2.3:768p:10');
      expect(result.output).not.toMatch(STACK_LINE);
    },
  );

  describe('STORE_URL on Redis', () => {
    it('GIVEN a Redis port where nothing listens THEN it names STORE_URL once instead of retrying forever', async () => {
      const result = await failedStart({ STORE_URL: 'redis://127.0.0.1:1/0' });
      expectPlainFailure(result, /STORE_URL/);
      expect(result.stderr).toContain('127.0.0.1:1');
    });

    it('GIVEN a Redis host that does not resolve THEN it names STORE_URL and the host', async () => {
      const result = await failedStart({ STORE_URL: 'redis://no-such-redis-host.invalid:6379/0' });
      expectPlainFailure(result, /STORE_URL/);
      expect(result.stderr).toContain('no-such-redis-host.invalid');
    });

    describe.skipIf(!redisServerInstalled)('against a redis-server of the test’s own', () => {
      let secured: OwnRedis;
      beforeAll(async () => {
        secured = await startOwnRedis(['--requirepass', 'right-pass'], 'right-pass');
      });
      afterAll(async () => {
        await secured?.stop();
      });

      it('GIVEN the wrong password THEN it names the password in STORE_URL, without printing it', async () => {
        const result = await failedStart({ STORE_URL: `redis://:wrong-pass-77@127.0.0.1:${secured.port}/0` });
        expectPlainFailure(result, /STORE_URL/);
        expect(result.code).toBe(78);
        expect(result.stderr).toMatch(/refused the password in STORE_URL/);
        expect(result.output).not.toContain('wrong-pass-77');
      });

      it('GIVEN no password in STORE_URL for a Redis that asks for one THEN it says STORE_URL gives none (not that it refused one)', async () => {
        const result = await failedStart({ STORE_URL: `redis://127.0.0.1:${secured.port}/0` });
        expectPlainFailure(result, /STORE_URL/);
        expect(result.code).toBe(78);
        expect(result.stderr).toMatch(/asks for a password, and STORE_URL gives none/);
        expect(result.stderr).not.toMatch(/refused/);
      });

      it('GIVEN a user name and no password in STORE_URL THEN it says the user was given no password, keeping the user in the example', async () => {
        const result = await failedStart({ STORE_URL: `redis://default@127.0.0.1:${secured.port}/0` });
        expectPlainFailure(result, /STORE_URL/);
        expect(result.code).toBe(78);
        expect(result.stderr).toMatch(/refused user default without a password/);
        expect(result.stderr).toContain(`STORE_URL=redis://default:password@127.0.0.1:${secured.port}/0`);
      });

      it('GIVEN a password in STORE_URL for a Redis that has none THEN it says to leave the password out, without printing it', async () => {
        const open = await startOwnRedis();
        try {
          const result = await failedStart({ STORE_URL: `redis://:needless-pass-3@127.0.0.1:${open.port}/2` });
          expectPlainFailure(result, /STORE_URL/);
          expect(result.code).toBe(78);
          expect(result.stderr).toMatch(/has no password set( for its default user)?, but STORE_URL gives one/);
          expect(result.stderr).toContain(`STORE_URL=redis://127.0.0.1:${open.port}/2`);
          expect(result.output).not.toContain('needless-pass-3');
        } finally {
          await open.stop();
        }
      });

      it('GIVEN a password typed with a line break (URL parsers drop it) THEN no part of it is printed', async () => {
        const lineBreak = await failedStart({ STORE_URL: `redis://:wrong\nsecret-nl-5@127.0.0.1:${secured.port}/0` });
        expectPlainFailure(lineBreak, /STORE_URL/);
        expect(lineBreak.output).not.toContain('secret-nl-5');
        // Refused as typed: URL parsing would have sent Redis the password without its line break.
        expect(lineBreak.code).toBe(78);
        expect(lineBreak.stderr).toMatch(/tab or a line break/);
      });

      it('GIVEN rediss:// (TLS) to a Redis without TLS THEN it says to write redis://, instead of "did not answer", without printing the password', async () => {
        const result = await failedStart({ STORE_URL: `rediss://:right-pass@127.0.0.1:${secured.port}/0` });
        expectPlainFailure(result, /STORE_URL/);
        expect(result.code).toBe(78);
        expect(result.stderr).toMatch(/write redis:\/\/ instead of rediss:\/\//);
        expect(result.output).not.toContain('right-pass');
      });

      it('GIVEN a database index the server lacks THEN it says so and names STORE_URL', async () => {
        const result = await failedStart({ STORE_URL: `redis://:right-pass@127.0.0.1:${secured.port}/99` });
        expectPlainFailure(result, /STORE_URL/);
        expect(result.stderr).toMatch(/no database 99/);
      });
    });
  });

  describe.skipIf(!redisServerInstalled)('a Redis that keeps nothing on disk (issue 11, item 6)', () => {
    let volatile: OwnRedis;
    let durable: OwnRedis;
    beforeAll(async () => {
      volatile = await startOwnRedis(['--save', '', '--appendonly', 'no']);
      durable = await startOwnRedis(['--appendonly', 'yes']);
    });
    afterAll(async () => {
      await volatile?.stop();
      await durable?.stop();
    });

    it('GIVEN appendonly no and no save points THEN it refuses to start, naming the risk, appendonly yes and STORE_ALLOW_VOLATILE', async () => {
      const result = await failedStart({ STORE_URL: `redis://127.0.0.1:${volatile.port}/0`, STORE_ALLOW_VOLATILE: '' });
      expectPlainFailure(result, /appendonly yes/);
      expect(result.stderr).toMatch(/STORE_ALLOW_VOLATILE=true/);
      expect(result.stderr).toMatch(/job/);
    });

    it('GIVEN the same Redis and STORE_ALLOW_VOLATILE=true THEN it starts, with an error line naming the risk and the fix', async () => {
      const bot = bots.start(
        entry,
        env({ STORE_URL: `redis://127.0.0.1:${volatile.port}/0`, STORE_ALLOW_VOLATILE: 'true', LOG_LEVEL: 'error' }),
      );
      const sessions = discord.identifies.length;
      await discord.waitFor(() => discord.identifies.length > sessions, { timeoutMs: 20_000 });
      const line = bot
        .output()
        .split('\n')
        .find((l) => l.includes('appendonly'));
      expect(line, bot.output()).toBeDefined();
      expect(JSON.parse(line ?? '{}')).toMatchObject({ level: 50, fix: 'appendonly yes' });
    });

    it('GIVEN a Redis with appendonly yes THEN the bot starts and logs no persistence warning', async () => {
      const bot = bots.start(entry, env({ STORE_URL: `redis://127.0.0.1:${durable.port}/0`, STORE_ALLOW_VOLATILE: '', LOG_LEVEL: 'warn' }));
      const sessions = discord.identifies.length;
      await discord.waitFor(() => discord.identifies.length > sessions, { timeoutMs: 20_000 });
      expect(bot.child.exitCode).toBeNull();
      expect(bot.output()).not.toContain('appendonly');
    });
  });

  describe('STORE_URL on SQLite', () => {
    it('GIVEN the typo sqlite:/x THEN it stops naming STORE_URL and creates no folder named "sqlite:"', async () => {
      const cwd = mkdtempSync(join(dir, 'cwd-'));
      const result = await failedStart({ STORE_URL: 'sqlite:/x' }, { cwd });
      expectPlainFailure(result, /STORE_URL/);
      expect(result.stderr).toContain('sqlite://');
      expect(existsSync(join(cwd, 'sqlite:'))).toBe(false);
    });

    it('GIVEN a folder that cannot be created THEN it names STORE_URL and the folder', async () => {
      const file = join(dir, 'a-file');
      writeFileSync(file, 'not a folder');
      const result = await failedStart({ STORE_URL: `sqlite://${file}/data/bot.sqlite` });
      expectPlainFailure(result, /STORE_URL/);
      expect(result.stderr).toContain(`${file}/data`);
    });

    it('GIVEN a folder under /proc, where no folder can be made THEN it stops naming STORE_URL and the folder instead of hanging', async () => {
      // Node's recursive mkdir retries forever there (ENOENT although the parent exists).
      const result = await failedStart({ STORE_URL: 'sqlite:///proc/hvb-no-such-folder/data/bot.sqlite' });
      expectPlainFailure(result, /STORE_URL/);
      expect(result.stderr).toContain('/proc/hvb-no-such-folder/data');
    });

    it('GIVEN a folder that is a link to nothing THEN it names STORE_URL and the folder, in two plain lines', async () => {
      const dangling = join(dir, 'dangling-store');
      symlinkSync(join(dir, 'no-such-target'), dangling);
      const result = await failedStart({ STORE_URL: `sqlite://${dangling}/bot.sqlite` });
      expectPlainFailure(result, /STORE_URL/);
      expect(result.code).toBe(78);
      expect(result.stderr).toContain(`${dangling} is a link to ${join(dir, 'no-such-target')}, which does not exist`);
    });

    it('GIVEN a folder the bot’s user cannot write THEN it names STORE_URL and the folder', async () => {
      const locked = join(dir, 'locked');
      mkdirSync(locked);
      chmodSync(locked, 0o555);
      const result = await failedStart({ STORE_URL: `sqlite://${locked}/bot.sqlite` }, asServiceUser);
      expectPlainFailure(result, /STORE_URL/);
      expect(result.stderr).toContain(locked);
    });

    it('GIVEN a shared-memory file (-shm) the bot’s user cannot write THEN it names that file instead of dying without a word', async () => {
      const shared = join(dir, 'shared');
      mkdirSync(shared);
      chmodSync(shared, 0o777);
      // What a run under another user (root, say) leaves behind.
      closeSync(openSync(join(shared, 'bot.sqlite-shm'), 'w', 0o444));
      chmodSync(join(shared, 'bot.sqlite-shm'), 0o444);
      const result = await failedStart({ STORE_URL: `sqlite://${shared}/bot.sqlite` }, asServiceUser);
      expectPlainFailure(result, /bot\.sqlite-shm/);
    });
  });

  describe('VIDEO_TMP_DIR', () => {
    it('GIVEN a folder under /proc, where no folder can be made THEN it stops naming VIDEO_TMP_DIR instead of failing every download later', async () => {
      const result = await failedStart({ VIDEO_TMP_DIR: '/proc/hvb-no-such-folder/videos' });
      expectPlainFailure(result, /VIDEO_TMP_DIR/);
      expect(result.code).toBe(78);
      expect(result.stderr).toContain('/proc/hvb-no-such-folder/videos');
    });

    it('GIVEN a file where the folder should be THEN it says it is not a folder', async () => {
      const file = join(dir, 'videos-is-a-file');
      writeFileSync(file, 'not a folder');
      const result = await failedStart({ VIDEO_TMP_DIR: file });
      expectPlainFailure(result, /VIDEO_TMP_DIR/);
      expect(result.stderr).toContain(`${file} is not a folder`);
    });

    it('GIVEN a folder the bot’s user cannot write THEN it names VIDEO_TMP_DIR and the folder', async () => {
      const locked = join(dir, 'locked-videos');
      mkdirSync(locked);
      chmodSync(locked, 0o555);
      // A store the service user may write, so the video folder is the one problem.
      const open = join(dir, 'open-store');
      mkdirSync(open);
      chmodSync(open, 0o777);
      const result = await failedStart({ VIDEO_TMP_DIR: locked, STORE_URL: `sqlite://${open}/bot.sqlite` }, asServiceUser);
      expectPlainFailure(result, /VIDEO_TMP_DIR/);
      expect(result.stderr).toContain(locked);
    });

    // Its default is a folder of the bot's user in the temporary folder; one shared by every user
    // stopped a service user's bot once root had made it (a first start with sudo).
    const sharedTmp = (name: string) => {
      const tmp = join(dir, name);
      mkdirSync(tmp);
      chmodSync(tmp, 0o1777);
      // A store the service user may write, so the folder is what is checked.
      const store = join(tmp, 'store');
      mkdirSync(store);
      chmodSync(store, 0o777);
      // VIDEO_TMP_DIR's default for the service user (uid 65534) under this TMPDIR.
      return { tmp, storeUrl: `sqlite://${store}/bot.sqlite`, defaultFolder: join(tmp, 'hailuo-video-bot-65534') };
    };

    it.runIf(runsAsRoot)(
      'GIVEN the old shared default folder made by root WHEN a service user starts the bot without VIDEO_TMP_DIR THEN it uses a folder of its own and the start goes on',
      async () => {
        const { tmp, storeUrl, defaultFolder } = sharedTmp('tmp-root-made');
        mkdirSync(join(tmp, 'hailuo-video-bot'), { mode: 0o755 });
        // A token Discord refuses ends the start right after the folder check.
        const result = await failedStart({ TMPDIR: tmp, STORE_URL: storeUrl, DISCORD_TOKEN: 'not-the-bot-token' }, asServiceUser);
        expectPlainFailure(result, /DISCORD_TOKEN/);
        expect(result.stderr).not.toMatch(/VIDEO_TMP_DIR/);
        const own = statSync(defaultFolder);
        expect(own.isDirectory()).toBe(true);
        expect(own.uid).toBe(65534);
        // Private: other local users can neither read nor swap the videos.
        expect(own.mode & 0o777).toBe(0o700);
      },
    );

    it.runIf(runsAsRoot)(
      'GIVEN the default folder made by another user WHEN the bot starts without VIDEO_TMP_DIR THEN it refuses, naming the folder, its owner and the fix',
      async () => {
        const { tmp, storeUrl, defaultFolder: taken } = sharedTmp('tmp-taken');
        // Made by root (uid 0) for the service user's bot, and open to it: writable, but not its own.
        mkdirSync(taken);
        chmodSync(taken, 0o777);
        const result = await failedStart({ TMPDIR: tmp, STORE_URL: storeUrl }, asServiceUser);
        expectPlainFailure(result, /VIDEO_TMP_DIR \(its default/);
        expect(result.code).toBe(78);
        expect(result.stderr).toContain(`${taken} belongs to another user (uid 0)`);
        expect(result.stderr).toContain(`Fix: remove ${taken}, or set VIDEO_TMP_DIR`);
        // Closed to the bot (0755): still named as another user's folder, not as one to give write access to.
        chmodSync(taken, 0o755);
        const closed = await failedStart({ TMPDIR: tmp, STORE_URL: storeUrl }, asServiceUser);
        expectPlainFailure(closed, /VIDEO_TMP_DIR \(its default/);
        expect(closed.stderr).toContain(`${taken} belongs to another user (uid 0)`);
        chmodSync(taken, 0o777);
        // The same folder named in VIDEO_TMP_DIR, written another way, is the default all the same.
        const named = await failedStart({ TMPDIR: tmp, STORE_URL: storeUrl, VIDEO_TMP_DIR: `${taken}/` }, asServiceUser);
        expectPlainFailure(named, /belongs to another user/);
      },
    );

    it.runIf(runsAsRoot)(
      "GIVEN the default folder of the bot's user readable by others (0755, as an earlier version made it) THEN the start goes on and the folder is made private",
      async () => {
        const { tmp, storeUrl, defaultFolder } = sharedTmp('tmp-readable');
        mkdirSync(defaultFolder, { mode: 0o755 });
        chownSync(defaultFolder, 65534, 65534);
        const result = await failedStart({ TMPDIR: tmp, STORE_URL: storeUrl, DISCORD_TOKEN: 'not-the-bot-token' }, asServiceUser);
        expectPlainFailure(result, /DISCORD_TOKEN/);
        expect(statSync(defaultFolder).mode & 0o777).toBe(0o700);
      },
    );

    it.runIf(runsAsRoot)(
      "GIVEN the default folder of the bot's user left open to everyone (0777) THEN it refuses, saying how to close it",
      async () => {
        const { tmp, storeUrl, defaultFolder: open } = sharedTmp('tmp-open');
        mkdirSync(open);
        chownSync(open, 65534, 65534);
        chmodSync(open, 0o777);
        const result = await failedStart({ TMPDIR: tmp, STORE_URL: storeUrl }, asServiceUser);
        expectPlainFailure(result, /VIDEO_TMP_DIR \(its default/);
        expect(result.stderr).toContain(`other users may write in ${open} (mode 777)`);
        expect(result.stderr).toContain(`Fix: chmod 700 ${open}, or set VIDEO_TMP_DIR`);
      },
    );

    it.runIf(runsAsRoot)(
      "GIVEN the default folder's name taken by another user's link to a folder of the bot's user THEN it refuses the link too (its owner could point it elsewhere later)",
      async () => {
        const { tmp, storeUrl, defaultFolder: link } = sharedTmp('tmp-link');
        const target = join(tmp, 'bots-own');
        mkdirSync(target);
        chownSync(target, 65534, 65534);
        symlinkSync(target, link);
        const result = await failedStart({ TMPDIR: tmp, STORE_URL: storeUrl }, asServiceUser);
        expectPlainFailure(result, /VIDEO_TMP_DIR \(its default/);
        expect(result.stderr).toContain(`${link} belongs to another user (uid 0)`);
      },
    );
  });

  describe('Discord', () => {
    let silent: TcpServer;
    let notDiscord: Server;
    const sockets = new Set<Socket>();
    beforeAll(async () => {
      // Accepts connections and never answers.
      silent = createTcpServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      notDiscord = createHttpServer((req, res) => {
        if (req.url?.startsWith('/moved/')) {
          res.writeHead(301, { location: `https://discord.com/api${req.url.slice('/moved'.length)}` });
          res.end();
          return;
        }
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<h1>Not Found</h1>');
      });
      await new Promise<void>((resolve) => notDiscord.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent?.close(resolve));
      await new Promise((resolve) => notDiscord?.close(resolve));
    });
    const portOf = (server: TcpServer | Server) => {
      const address = server.address();
      return typeof address === 'object' && address ? address.port : 0;
    };

    it('GIVEN a token Discord refuses (401) THEN it names DISCORD_TOKEN', async () => {
      const result = await failedStart({ DISCORD_TOKEN: 'not-the-bot-token' });
      expectPlainFailure(result, /DISCORD_TOKEN/);
      expect(result.output).not.toContain('not-the-bot-token');
    });

    it('GIVEN a DISCORD_API_URL that answers 404 THEN it names DISCORD_API_URL instead of "No Description"', async () => {
      const result = await failedStart({ DISCORD_API_URL: `http://127.0.0.1:${portOf(notDiscord)}/api` });
      expectPlainFailure(result, /DISCORD_API_URL/);
      expect(result.stderr).not.toContain('No Description');
    });

    it('GIVEN a DISCORD_API_URL that redirects (http:// for https://, say) THEN it exits 78 naming DISCORD_API_URL and where it redirects, instead of "try again later"', async () => {
      const result = await failedStart({ DISCORD_API_URL: `http://127.0.0.1:${portOf(notDiscord)}/moved/api` });
      expectPlainFailure(result, /DISCORD_API_URL/);
      expect(result.code).toBe(78);
      expect(result.stderr).toContain('https://discord.com/api');
      expect(result.stderr).not.toMatch(/try again/);
    });

    it('GIVEN Discord cannot be reached THEN it names DISCORD_API_URL and the network', async () => {
      const result = await failedStart({ DISCORD_API_URL: 'http://127.0.0.1:1/api' });
      expectPlainFailure(result, /DISCORD_API_URL/);
      expect(result.stderr).toMatch(/network/);
    });

    it('GIVEN Discord accepts the connection but never answers THEN it gives up within 15 s naming DISCORD_API_URL and the network', async () => {
      const result = await failedStart({ DISCORD_API_URL: `http://127.0.0.1:${portOf(silent)}/api` });
      expectPlainFailure(result, /DISCORD_API_URL/);
      expect(result.stderr).toMatch(/did not answer/);
      expect(result.stderr).toMatch(/network/);
    });

    it('GIVEN a store that fails and a Discord that never answers (both checks run at once) THEN it names STORE_URL, the one to fix first, without waiting for Discord', async () => {
      const started = Date.now();
      const result = await failedStart({ STORE_URL: 'redis://127.0.0.1:1/0', DISCORD_API_URL: `http://127.0.0.1:${portOf(silent)}/api` });
      expectPlainFailure(result, /STORE_URL/);
      expect(result.stderr).not.toMatch(/DISCORD_API_URL/);
      // The Discord check would give up only after its deadline; the store's answer does not wait for it.
      expect(Date.now() - started).toBeLessThan(DISCORD_CHECK_DEADLINE_MS - 2_000);
    });

    it('GIVEN a store that fails and a token Discord refuses THEN only STORE_URL is named, as when the checks ran one after the other', async () => {
      const result = await failedStart({ STORE_URL: 'redis://127.0.0.1:1/0', DISCORD_TOKEN: 'not-the-bot-token' });
      expectPlainFailure(result, /STORE_URL/);
      expect(result.stderr).not.toMatch(/DISCORD_TOKEN/);
    });

    it.each([
      ['accepts connections and never speaks (a firewall that lets the handshake hang)', () => `ws://127.0.0.1:${portOf(silent)}/gateway`],
      ['refuses connections (a firewall that rejects)', () => 'ws://127.0.0.1:1/gateway'],
    ])(
      'GIVEN Discord’s REST API answers but its gateway %s THEN it gives up within 15 s naming DISCORD_API_URL and the network',
      async (_case, gatewayUrl) => {
        const walledOff = await startFakeDiscord({ gatewayUrl: gatewayUrl() });
        try {
          const result = await failedStart({ DISCORD_API_URL: walledOff.apiUrl });
          expectPlainFailure(result, /DISCORD_API_URL/);
          expect(result.stderr).toMatch(/gateway/);
          expect(result.stderr).toMatch(/network/);
          expect(result.stderr).not.toContain('Opening handshake');
        } finally {
          await walledOff.close();
        }
      },
    );
  });
});

const template = readFileSync(resolve(import.meta.dirname, '..', '..', '.env.example'), 'utf8');

/**
 * The README's own path: `cp .env.example .env`, fill the two required values. Only the URLs of
 * the local fakes are changed besides; every other line stays exactly as the template has it.
 */
function filledTemplate(values: Record<string, string>): string {
  const seen = new Set<string>();
  const text = template
    .split('\n')
    .map((line) => {
      const name = /^([A-Z_]+)=/.exec(line)?.[1];
      if (name === undefined || !(name in values)) return line;
      seen.add(name);
      return `${name}=${values[name]}`;
    })
    .join('\n');
  // Each value must replace a line of the template, so the test breaks if the template changes.
  expect([...seen].sort()).toEqual(Object.keys(values).sort());
  return text;
}

describe('the .env.example template boots the bot (the README’s path)', () => {
  let entry: string;
  let discord: FakeDiscord;
  let provider: FakeProvider;
  let dir: string;
  let bot: BotProcess | undefined;

  beforeAll(async () => {
    entry = buildBotOnce();
    discord = await startFakeDiscord();
    provider = await startFakeProvider({ pollsToComplete: 1 });
    dir = mkdtempSync(join(tmpdir(), 'hvb-template-'));
  }, 300_000);

  afterAll(async () => {
    if (bot && bot.child.exitCode === null) {
      bot.child.kill('SIGKILL');
      await bot.exited;
    }
    await discord?.close();
    await provider?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('GIVEN a copy of .env.example with only DISCORD_TOKEN and XCOMPUTE_API_KEY filled (plus the fakes’ URLs) and empty discord.js variables in the environment WHEN npm start runs from that folder THEN it serves a /video end to end', async () => {
    const filled = filledTemplate({
      DISCORD_TOKEN: discord.token,
      XCOMPUTE_API_KEY: provider.apiKey,
      DISCORD_API_URL: discord.apiUrl,
      XCOMPUTE_BASE_URL: provider.baseUrl,
    });
    // The template leaves these empty; discord.js reads SHARD_COUNT itself and refused it.
    expect(filled).toMatch(/^SHARD_COUNT=$/m);
    writeFileSync(join(dir, '.env'), filled);
    // systemd-style: the working folder holds the .env; the environment has empty leftovers.
    bot = startBotProcess(entry, { SHARD_COUNT: '', SHARD_LIST: '', SHARDS: '', DISCORD_TOKEN: '', LOG_LEVEL: '' }, { cwd: dir });
    const exitedEarly = bot.exited.then((code) => {
      throw new Error(`the bot exited (${String(code)}):\n${bot?.output() ?? ''}`);
    });
    const served = (async () => {
      await discord.waitFor(() => discord.identifies.length > 0, { timeoutMs: 30_000 });
      await new Promise((r) => setTimeout(r, 300));
      const { id } = discord.dispatchInteraction(videoCommand({ prompt: 'a red fox in fresh snow', camera: 'Push in' }));
      return discord.waitFor(() => (discord.originalResponse(id)?.attachments.length ? discord.originalResponse(id) : undefined), {
        timeoutMs: 40_000,
      });
    })();
    const message = await Promise.race([served, exitedEarly]);
    expect(JSON.stringify(message?.embeds)).toContain('Your video is ready');
    expect(provider.submissions).toHaveLength(1);
    // The member reads the camera bracket apart from the prompt; the provider gets its documented form.
    expect(JSON.stringify(message?.embeds)).toContain('[推进] a red fox in fresh snow');
    expect((provider.submissions[0]?.body as { prompt: string }).prompt).toBe('[推进]a red fox in fresh snow');
    // The template's store: the default SQLite file, relative to the working folder.
    expect(() => readFileSync(join(dir, 'data', 'bot.sqlite'))).not.toThrow();
    // The log says which file the settings came from (the first thing to check when one seems ignored).
    expect(bot.output()).toContain(`settings read from ${join(dir, '.env')}`);
  }, 90_000);
});

describe('--help', () => {
  let entry: string;
  let discord: FakeDiscord;
  beforeAll(async () => {
    entry = buildBotOnce();
    discord = await startFakeDiscord();
  }, 300_000);
  afterAll(async () => {
    await discord?.close();
  });

  const run = async (script: string) => {
    const before = discord.requests.length;
    const bot = startBotProcess(
      script,
      { DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl, XCOMPUTE_API_KEY: 'k' },
      { args: ['--help'] },
    );
    const code = await bot.exited;
    return { code, output: bot.output(), requests: discord.requests.length - before };
  };

  it('GIVEN npm start -- --help THEN it says what the bot does and the required variables, exits 0 and contacts nobody', async () => {
    const { code, output, requests } = await run(entry);
    expect(code).toBe(0);
    expect(output).toMatch(/DISCORD_TOKEN/);
    expect(output).toMatch(/XCOMPUTE_API_KEY/);
    expect(output).toMatch(/\/video/);
    expect(requests).toBe(0);
    expect(discord.identifies).toHaveLength(0);
  });

  it('GIVEN npm run deploy-commands -- --help THEN it says what it does and the required variable, exits 0 and registers nothing', async () => {
    const { code, output, requests } = await run(compiledFile('src/deploy-commands.js'));
    expect(code).toBe(0);
    expect(output).toMatch(/Registers/);
    expect(output).toMatch(/DISCORD_TOKEN/);
    expect(requests).toBe(0);
    expect(discord.registeredCommands.global).toHaveLength(0);
  });
});
