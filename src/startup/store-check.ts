import { constants } from 'node:fs';
import { chmod, lstat, open, readlink, stat, statfs, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { withRedisClient, type RedisPersistence } from './redis-probe.js';
import { CHECK_STUCK, probeRedisOffThread, WORKER_GRACE_MS } from './redis-probe-thread.js';
import { withoutPassword, type Logger } from '../log.js';
import { sqlitePath } from '../store/open-store.js';
import { EXIT_CONFIG, EXIT_UNAVAILABLE, StartupError } from './startup-error.js';
import { cutCodePoints } from '../text/code-points.js';
import { makeFolder, VIDEO_FOLDER_MODE } from '../make-folder.js';

/** The whole Redis check ends within this, so a start-up on a dead Redis stops in under 15 s. */
export const REDIS_CHECK_DEADLINE_MS = 6_000;
// Below this, SQLite may fail to grow its file or its shared-memory index mid-write.
const MIN_FREE_BYTES = 16 * 1024 * 1024;

export type { RedisPersistence };

export interface StoreCheckOptions {
  /** STORE_ALLOW_VOLATILE: start on a Redis that keeps nothing, after logging the risk. */
  allowVolatile: boolean;
  logger: Logger;
}

/**
 * Checks, before the store is opened, what would otherwise fail later or badly: for SQLite, that the
 * folder exists (or can be made) and is writable and that the database file and its `-wal` and
 * `-shm` companions, when present, can be opened for writing (an unwritable shared-memory file
 * crashes SQLite, once with SIGBUS and no log line); for Redis, that it answers (once, within
 * {@link REDIS_CHECK_DEADLINE_MS}, no retry loop), accepts the password and has the database, and
 * that it keeps its data on disk (issue 11: a Redis that restarts empty loses every job in flight
 * and every server's quota silently).
 *
 * @throws StartupError naming STORE_URL (or STORE_ALLOW_VOLATILE, or the file) and the fix.
 */
export async function checkStore(storeUrl: string, options: StoreCheckOptions): Promise<void> {
  if (storeUrl.startsWith('sqlite:')) return checkSqlite(storeUrl);
  if (/^rediss?:/.test(storeUrl)) {
    const persistence = await checkRedis(storeUrl);
    judgePersistence(persistence, options);
  }
}

/** See {@link checkStore}; SQLite part. */
export async function checkSqlite(storeUrl: string): Promise<void> {
  const path = sqlitePath(storeUrl);
  if (path === ':memory:') return;
  const dir = dirname(path);
  const fix = 'set STORE_URL to a file in a folder the bot may write, for example sqlite://data/bot.sqlite';
  await checkWritableFolder(dir, {
    setting: `STORE_URL=${storeUrl}`,
    fix,
    why: 'SQLite creates its -wal and -shm files there',
  });
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    const info = await stat(file).catch(() => undefined);
    if (!info) continue;
    if (!info.isFile()) throw new StartupError([`STORE_URL=${storeUrl}: ${file} is not a file.`, `Fix: move it away, or ${fix}.`]);
    try {
      const handle = await open(file, constants.O_RDWR);
      await handle.close();
    } catch (err) {
      const leftover = file.endsWith('-shm')
        ? ` (it is SQLite's shared-memory index, left by a run under another user: with the bot stopped, deleting it is safe)`
        : '';
      throw new StartupError([
        `The SQLite file ${file} cannot be opened for writing (${codeOf(err)})${leftover}.`,
        `Fix: give the bot's user ownership of the store's files, for example chown <bot user> ${dir} ${path}*.`,
      ]);
    }
  }
  const space = await statfs(dir).catch(() => undefined);
  if (space && space.bavail * space.bsize < MIN_FREE_BYTES) {
    throw new StartupError([
      `The disk holding ${path} has ${Math.floor((space.bavail * space.bsize) / 1024)} KiB free; SQLite needs room for its log and shared-memory files.`,
      'Fix: free some space on that disk, or set STORE_URL to a file on another disk.',
    ]);
  }
}

/**
 * Checks VIDEO_TMP_DIR before the bot starts, as STORE_URL's folder is checked: it exists or can
 * be made, is a folder and the bot's user can write in it. Without this a bad folder showed only
 * when a video was ready: every download failed, and members were told the provider's file could
 * not be downloaded. `isDefault`: `dir` is VIDEO_TMP_DIR's per-user default in the
 * shared temporary folder (see `defaultVideoTmpDir`), which must also belong to the bot's user:
 * one another user made in its place is refused (its owner could read or swap the videos), as is
 * one others may write in; one others may only read is made 0700.
 *
 * @throws StartupError naming VIDEO_TMP_DIR, the folder and the fix.
 */
export async function checkVideoFolder(dir: string, options: { isDefault?: boolean } = {}): Promise<void> {
  const setting = options.isDefault ? `VIDEO_TMP_DIR (its default, ${dir})` : `VIDEO_TMP_DIR=${dir}`;
  const fix = options.isDefault
    ? 'set VIDEO_TMP_DIR to a folder the bot may write'
    : "set VIDEO_TMP_DIR to a folder the bot may write, or leave it unset (a folder of the bot's user in the system's temporary folder)";
  const why = 'finished videos wait there between their download and their upload';
  const uid = options.isDefault ? process.geteuid?.() : undefined;
  // The entry itself (lstat): a link another user made could point elsewhere later.
  const foreign = async (): Promise<void> => {
    const entry = await lstat(dir).catch(() => undefined);
    if (uid === undefined || entry === undefined || entry.uid === uid) return;
    throw new StartupError([
      `${setting}: ${dir} belongs to another user (uid ${entry.uid}), not to the bot's (uid ${uid}); videos must not wait in a folder someone else controls.`,
      `Fix: remove ${dir}, or ${fix}.`,
    ]);
  };
  // Before the write test too: another user's folder is named as such, whatever its mode.
  await foreign();
  // Made private (0700) when the bot makes it: others must not read or swap the videos.
  await checkWritableFolder(dir, { setting, fix, why, mode: VIDEO_FOLDER_MODE });
  if (uid === undefined) return;
  await foreign();
  const mode = (await lstat(dir)).mode & 0o777;
  if ((mode & 0o022) !== 0) {
    throw new StartupError([
      `${setting}: other users may write in ${dir} (mode ${mode.toString(8)}); videos must not wait in a folder someone else can change.`,
      `Fix: chmod 700 ${dir}, or ${fix}.`,
    ]);
  }
  // Readable by others only (an earlier version made it 0755): its own folder, so the bot closes it.
  if ((mode & 0o077) !== 0) await chmod(dir, VIDEO_FOLDER_MODE);
}

/**
 * Makes `dir` if it is missing and checks that it is a folder the bot can write in (a real write,
 * not access(): root passes access() on a read-only file system).
 *
 * @throws StartupError whose lines name `setting`, the folder, the system's error code and `fix`.
 */
async function checkWritableFolder(dir: string, named: { setting: string; fix: string; why: string; mode?: number }): Promise<void> {
  try {
    await makeFolder(dir, named.mode);
  } catch (err) {
    if (codeOf(err) === 'ENOTDIR' && (await stat(dir).catch(() => undefined))?.isDirectory() === false) {
      throw new StartupError([`${named.setting}: ${dir} is not a folder.`, `Fix: ${named.fix}.`]);
    }
    const target = await readlink(dir).catch(() => undefined);
    if (codeOf(err) === 'ENOENT' && target !== undefined) {
      throw new StartupError([
        `${named.setting}: ${dir} is a link to ${target}, which does not exist.`,
        `Fix: create ${target} (or remove the link), or ${named.fix}.`,
      ]);
    }
    throw new StartupError([
      `${named.setting}: cannot create the folder ${dir} (${codeOf(err)}).`,
      `Fix: create it and give the bot's user write access (chown), or ${named.fix}.`,
    ]);
  }
  const probe = join(dir, `.hvb-write-check-${process.pid}`);
  try {
    const handle = await open(probe, 'wx');
    await handle.close();
    await unlink(probe);
  } catch (err) {
    throw new StartupError([
      `${named.setting}: the bot cannot write in ${dir} (${codeOf(err)}); ${named.why}.`,
      `Fix: give the bot's user write access to ${dir} (chown), or ${named.fix}.`,
    ]);
  }
}

/**
 * Connects to Redis once (no reconnect loop) and reads its persistence settings, on a worker
 * thread (see {@link probeRedisOffThread}). See {@link checkStore}; Redis part.
 */
export async function checkRedis(storeUrl: string, deadlineMs: number = REDIS_CHECK_DEADLINE_MS): Promise<RedisPersistence> {
  const shown = String(withoutPassword(storeUrl));
  try {
    return await probeRedisOffThread(storeUrl, deadlineMs);
  } catch (err) {
    const problem = redisProblem(storeUrl, shown, err, deadlineMs);
    // rediss:// to a Redis without TLS looks like no Redis at all: said as the setting it is.
    if (problem.exitCode === EXIT_UNAVAILABLE && (await redisAnswersWithoutTls(storeUrl, NO_TLS_PROBE_MS))) {
      throw new StartupError(
        [
          `Redis at ${redisAddress(new URL(storeUrl))} answers without TLS, but STORE_URL starts with rediss:// (TLS): the TLS handshake got no answer.`,
          'Fix: write redis:// instead of rediss:// in STORE_URL, or turn TLS on in that Redis (tls-port).',
        ],
        EXIT_CONFIG,
      );
    }
    throw problem;
  }
}

/** `host:port` of a Redis URL as node-redis dials it (6379 when the URL names no port). */
const redisAddress = (url: URL): string => `${url.hostname}:${url.port || '6379'}`;

/** How long {@link checkRedis} waits for a Redis to answer without TLS, after a rediss:// check failed (ms). */
const NO_TLS_PROBE_MS = 2_000;

// An error reply of Redis' own starts with its code in capitals ("NOAUTH Authentication
// required.", "ERR …"); a silent server or a timeout is not Redis answering.
const REDIS_ERROR_REPLY = /^[A-Z][A-Z_]+ /;

/**
 * Whether a Redis answers without TLS at the host and port of `storeUrl`, a rediss:// URL: to a
 * Redis that has no TLS, the TLS handshake waits for an answer that never comes, which looks like
 * nothing listening. Asked once, within `timeoutMs` (ms), without the user and password (never
 * sent unencrypted): PONG, or one of Redis' own error replies (NOAUTH from a Redis with a
 * password), says a Redis is there. False for any other URL, and when nothing answers.
 */
export async function redisAnswersWithoutTls(storeUrl: string, timeoutMs: number): Promise<boolean> {
  if (!/^rediss:/i.test(storeUrl) || !URL.canParse(storeUrl)) return false;
  const plain = new URL(storeUrl);
  plain.protocol = 'redis:';
  plain.username = '';
  plain.password = '';
  plain.pathname = '';
  try {
    await withRedisClient(
      { url: plain.href, socket: { connectTimeout: timeoutMs, reconnectStrategy: (): false => false } },
      timeoutMs,
      async () => undefined,
    );
    return true;
  } catch (err) {
    return err instanceof Error && REDIS_ERROR_REPLY.test(err.message);
  }
}

/**
 * Decides what a Redis' persistence means for starting: nothing kept refuses to start unless
 * STORE_ALLOW_VOLATILE=true (then an error line is still logged); snapshots only, or settings the
 * bot may not read, start with a warning.
 *
 * @throws StartupError naming the risk, `appendonly yes` and STORE_ALLOW_VOLATILE.
 */
export function judgePersistence(persistence: RedisPersistence, options: StoreCheckOptions): void {
  const risk = "if Redis restarts, every job in flight and every server's quota settings and usage are lost without a word to anyone";
  if (persistence === 'none') {
    if (!options.allowVolatile) {
      throw new StartupError([
        `The Redis in STORE_URL keeps nothing on disk (appendonly no, no save points): ${risk}.`,
        'Fix: turn on its append-only file (appendonly yes in redis.conf, or CONFIG SET appendonly yes then CONFIG REWRITE); for a throwaway test Redis, set STORE_ALLOW_VOLATILE=true.',
      ]);
    }
    options.logger.error(
      { fix: 'appendonly yes' },
      `Redis keeps nothing on disk (appendonly no, no save points): ${risk}. Starting anyway because STORE_ALLOW_VOLATILE=true; set appendonly yes in redis.conf for anything that matters`,
    );
  } else if (persistence === 'snapshots') {
    options.logger.warn(
      { fix: 'appendonly yes' },
      'Redis keeps only periodic snapshots (appendonly no): a restart loses the jobs and quota changes since the last one. Set appendonly yes in redis.conf',
    );
  } else if (persistence === 'unknown') {
    options.logger.warn(
      { fix: 'appendonly yes' },
      "could not read Redis' persistence settings (CONFIG and INFO refused): make sure it runs with appendonly yes, or jobs in flight and quotas are lost when it restarts",
    );
  }
}

/**
 * What went wrong reaching Redis, said with the host, port and database node-redis dialed (read
 * from `storeUrl` itself: its redacted form `shown` may not parse, or parse to another host when
 * a password held `#` or `?`). `shown` is the only form of STORE_URL printed whole; a URL the
 * message suggests is built from its parts, never with the password. A setting to correct exits
 * 78 (EX_CONFIG: README's systemd unit does not restart on it); a service that did not answer, or
 * a DNS lookup that failed for now (`EAI_AGAIN`, as while a machine's network comes up), exits 69
 * (EX_UNAVAILABLE: a supervisor with a restart policy tries again). Redis' replies are matched as
 * Redis 6 and 7 word them, and as Redis 5 and older did where they differ. Exported for its tests.
 */
export function redisProblem(storeUrl: string, shown: string, err: unknown, deadlineMs: number): StartupError {
  const message = err instanceof Error ? err.message : String(err);
  const code = codeOf(err);
  const url = URL.canParse(storeUrl) ? new URL(storeUrl) : new URL('redis://unknown-host');
  const where = redisAddress(url);
  const db = url.pathname.slice(1) || '0';
  // The user name is no secret: a suggested URL keeps it, so copying the example does not drop it.
  const example = `for example STORE_URL=${url.protocol}//${url.username}:password@${where}/${db}`;
  // Where the password is not the problem, the example has one only when STORE_URL has a user or one.
  const credentials = url.username !== '' || url.password !== '' ? `${url.username}:password@` : '';
  const exampleAsTyped = `for example STORE_URL=${url.protocol}//${credentials}${where}/${db}`;
  // STORE_URL as typed on another host (the same port, or 6379 when it names none).
  const onHost = (host: string) => `${url.protocol}//${credentials}${host}:${url.port || '6379'}/${db}`;
  const authRefused = /WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(message);
  // Protected mode: a Redis without a password that listens beyond localhost refuses remote clients
  // (its reply also says no password is set: it is matched first).
  if (/^DENIED/.test(message)) {
    return new StartupError([
      `Redis at ${where} refused this machine: it runs in protected mode (no password set, and the connection did not come from its own machine).`,
      "Fix: set a password in that Redis (requirepass) and put it in STORE_URL, or bind it to the network the bot reaches it on with protected-mode no; see Redis' own DENIED reply in its docs.",
    ]);
  }
  // Redis 6+: "AUTH <password> called without any password configured for the default user";
  // Redis 5 and older: "Client sent AUTH, but no password is set".
  if (/without any password configured|no password is set/i.test(message)) {
    return new StartupError([
      `Redis at ${where} has no password set${url.username === '' ? ' for its default user' : ''}, but STORE_URL gives one.`,
      `Fix: leave the password out of STORE_URL (for example STORE_URL=${url.protocol}//${where}/${db}), or set one in that Redis (requirepass).`,
    ]);
  }
  // Redis 5 and older know no user names: AUTH with two arguments is a wrong number of them.
  if (url.username !== '' && /wrong number of arguments for 'auth'/i.test(message)) {
    return new StartupError([
      `Redis at ${where} knows no user names (Redis before 6 has no ACL users), but STORE_URL names user ${url.username}.`,
      `Fix: leave the user name out of STORE_URL, for example STORE_URL=${url.protocol}//:password@${where}/${db}.`,
    ]);
  }
  if (/NOAUTH/.test(message) && url.password === '' && url.username === '') {
    return new StartupError([
      `Redis at ${where} asks for a password, and STORE_URL gives none (${message.split('.')[0]}).`,
      `Fix: put the password Redis expects (requirepass, or an ACL user's) in STORE_URL, ${example}.`,
    ]);
  }
  // With a user name and no password node-redis sends AUTH <user> "", which Redis refuses as a wrong pair.
  if (authRefused && url.username !== '' && url.password === '') {
    return new StartupError([
      `Redis at ${where} refused user ${url.username} without a password: STORE_URL names the user but gives no password.`,
      `Fix: add the user's password to STORE_URL, ${example}.`,
    ]);
  }
  if (authRefused) {
    return new StartupError([
      `Redis at ${where} refused the ${url.username === '' ? 'password' : 'user name or password'} in STORE_URL (${message.split('.')[0]}).`,
      `Fix: put the password Redis expects (requirepass, or the ACL user's) in STORE_URL, ${example}.`,
    ]);
  }
  if (/DB index is out of range/i.test(message)) {
    return new StartupError([
      `Redis at ${where} has no database ${url.pathname.slice(1)} (STORE_URL=${shown}).`,
      `Fix: use a database number below its \`databases\` setting (16 by default), for example STORE_URL=${url.protocol}//${credentials}${where}/0.`,
    ]);
  }
  if (code === 'EAI_AGAIN') {
    return new StartupError(
      [
        `The Redis host in STORE_URL, ${url.hostname}, could not be resolved right now: a temporary DNS failure (EAI_AGAIN).`,
        'Fix: check the host name in STORE_URL and the network and DNS of this machine; exit 69, so a supervisor with a restart policy tries again.',
      ],
      EXIT_UNAVAILABLE,
    );
  }
  if (code === 'ENOTFOUND') {
    return new StartupError(
      [
        `STORE_URL names a Redis host that does not resolve: ${url.hostname} (${code}).`,
        // The example names another host: repeating the one that does not resolve helps no one.
        url.protocol === 'rediss:'
          ? // TLS checks the host name against the server's certificate: an address it was not issued for is refused.
            `Fix: correct the host name in STORE_URL to the name the Redis server's TLS certificate was issued for (rediss:// checks it), for example STORE_URL=${onHost('redis.example.internal')}.`
          : `Fix: correct the host name in STORE_URL: 127.0.0.1 for a Redis on this machine (STORE_URL=${onHost('127.0.0.1')}), the Redis service's name under Docker Compose (STORE_URL=${onHost('redis')} for a service named redis).`,
      ],
      EXIT_CONFIG,
    );
  }
  if (code === CHECK_STUCK) {
    return new StartupError(
      [
        `The check of the Redis at ${where} (STORE_URL) did not finish within ${Math.round((deadlineMs + WORKER_GRACE_MS) / 1000)} s: its worker thread gave no answer, whatever Redis did.`,
        'Fix: this machine may be overloaded or short of memory (check its load and free memory); exit 69, so a supervisor with a restart policy tries again.',
      ],
      EXIT_UNAVAILABLE,
    );
  }
  if (code === 'ETIMEDOUT' || /timeout/i.test(message)) {
    return new StartupError(
      [
        `Redis at ${where} (STORE_URL) did not answer within ${Math.round(deadlineMs / 1000)} s.`,
        'Fix: check that redis-server runs there and that the network or firewall lets this machine reach it, or correct STORE_URL.',
      ],
      EXIT_UNAVAILABLE,
    );
  }
  if (code === 'ECONNREFUSED') {
    return new StartupError(
      [
        `Redis at ${where} (STORE_URL) refused the connection: nothing listens there.`,
        'Fix: start redis-server, or correct the host and port in STORE_URL.',
      ],
      EXIT_UNAVAILABLE,
    );
  }
  return new StartupError(
    [
      // Some replies run to hundreds of characters: the line stays a line.
      `Could not use the Redis in STORE_URL (${where}): ${cutCodePoints(message, 200)}.`,
      `Fix: check that Redis runs there and STORE_URL is right, ${exampleAsTyped}.`,
    ],
    EXIT_UNAVAILABLE,
  );
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  return err instanceof Error ? err.message : String(err);
}
