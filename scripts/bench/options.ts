/**
 * What `npm run bench` was asked for: its `--name=value` options and BENCH_ settings, read and
 * checked before any phase runs, so a mistake costs one line, not minutes of the wrong phases.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { profileInterval } from './bot-handle.js';
import { withoutPassword } from '../../src/log.js';
import { redisUrlMisreading } from '../../src/store/redis-options.js';

/** Fewest interleaved ack rounds of each bot a verdict is given on (issue 15: "≥ 5 rounds each"). */
export const MIN_ACK_ROUNDS = 5;

/** A wrong argument or BENCH_ setting: the bench prints its message alone and exits with 1. */
export class UsageError extends Error {}

export type Phase = 'ack' | 'polling' | 'memory' | 'line' | 'scale';
export const PHASES: Phase[] = ['ack', 'polling', 'memory', 'line', 'scale'];
/**
 * Every phase: issue 15's targets are all in `npm run bench`. `scale` (about fourteen minutes)
 * needs Redis: left out of a default run with `--only=sqlite`, and skipped with the rest of
 * Redis' phases when no Redis answers.
 */
export const DEFAULT_PHASES: Phase[] = [...PHASES];

/** A database of its own: the Redis tests use db 0. */
export const DEFAULT_BENCH_REDIS_URL = 'redis://127.0.0.1:6379/14';

/** The bench's options, each written `--name=value`. */
export const OPTIONS = ['only', 'phases', 'cpu-prof', 'heap-snapshots', 'alloc-prof'] as const;
type OptionName = (typeof OPTIONS)[number];

export interface BenchOptions {
  /** One store only; both (SQLite, then Redis) when undefined. */
  only?: 'sqlite' | 'redis';
  phases: Phase[];
  /** Absolute folders of the output options, when given (not made yet: see the bench's makeFolders). */
  cpuProfDir?: string;
  heapSnapshotDir?: string;
  allocProfDir?: string;
  /** Where the SQLite worlds and the commit probe live (absolute). */
  sqliteDir: string;
  /** The Redis database the bench flushes and uses. */
  redisUrl: string;
}

/**
 * Reads the bench's command line (`argv`: process.argv without node and the script) and
 * environment.
 *
 * Paths (the output options, BENCH_SQLITE_DIR) are taken from `INIT_CWD`, the folder `npm run
 * bench` was typed in (npm runs scripts in the package's folder). BENCH_REDIS_URL must be a
 * redis:// or rediss:// URL that names its database (`…/14`): the bench flushes that database
 * before and after each phase, and a URL without one would mean database 0, where other data
 * usually lives.
 *
 * @param defaultSqliteDir the folder SQLite worlds go to without BENCH_SQLITE_DIR (the OS temp dir).
 * @throws UsageError naming the option or variable and what to write instead.
 */
export function readBenchOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  defaultSqliteDir: string,
  npmArgv?: readonly string[],
): BenchOptions {
  // `npm run bench --phases=ack` (without `--`) hands the option to npm, which passes it on as
  // npm_config_phases and runs every phase for minutes. `--phases ack` (a space) arrives as
  // npm_config_phases=true, the value as a bare argument.
  const swallowed = OPTIONS.flatMap((name) => {
    const value = env[`npm_config_${name.replace(/-/g, '_')}`];
    return value === undefined ? [] : [{ name, value }];
  });
  // npm keeps `--only` for itself (an npm setting; it only warns that the value is invalid) and
  // says nothing of it to the script: its own command line shows it.
  const npmOptions = npmArgv?.slice(0, npmArgv.includes('--') ? npmArgv.indexOf('--') : undefined) ?? [];
  const onlyToNpm = npmOptions.find((arg) => arg === '--only' || arg.startsWith('--only='));
  if (swallowed.length > 0 || onlyToNpm !== undefined) {
    const typed = [
      ...(onlyToNpm === undefined ? [] : [onlyToNpm === '--only' ? '--only=…' : onlyToNpm]),
      ...swallowed.map(({ name, value }) => `--${name}=${value === 'true' || value === '' ? '…' : value}`),
    ].join(' ');
    throw new UsageError(
      `npm took ${typed} as its own option: write npm run bench -- ${typed} (with "--" before the options, and "=" between name and value)`,
    );
  }
  // `--phases ack` (a space) or a misspelt option would otherwise run every phase for minutes.
  for (const arg of argv) {
    if (!OPTIONS.some((name) => arg.startsWith(`--${name}=`) && arg.length > name.length + 3))
      throw new UsageError(`cannot read "${arg}"; options are ${OPTIONS.map((name) => `--${name}=…`).join(', ')}`);
  }
  const argument = (name: OptionName): string | undefined => {
    const prefix = `--${name}=`;
    return argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
  };
  // Given twice, only one would count: say so instead of choosing.
  const twice = OPTIONS.filter((name) => argv.filter((a) => a.startsWith(`--${name}=`)).length > 1);
  if (twice.length > 0) throw new UsageError(`${twice.map((name) => `--${name}`).join(', ')} given more than once`);
  const rounds = env.BENCH_ROUNDS;
  if (rounds !== undefined && !(/^[1-9][0-9]*$/.test(rounds) && Number(rounds) >= MIN_ACK_ROUNDS))
    throw new UsageError(
      `BENCH_ROUNDS must be a whole number of at least ${MIN_ACK_ROUNDS} (the ack phase's verdict is a median over interleaved rounds of each bot; issue 15 asks for at least ${MIN_ACK_ROUNDS}), got "${rounds}"`,
    );
  const named = argument('phases')?.toLowerCase().split(',');
  // Phases that run on Redis only (scale) are a Redis run: no empty SQLite table, and no Redis
  // answering is refused in one line instead of a run that measured nothing.
  const only = argument('only')?.toLowerCase() ?? (named?.every((p) => p === 'scale') ? 'redis' : undefined);
  if (only !== undefined && only !== 'sqlite' && only !== 'redis') throw new UsageError(`--only must be sqlite or redis, got "${only}"`);
  const asked = named ?? (only === 'sqlite' ? DEFAULT_PHASES.filter((p) => p !== 'scale') : DEFAULT_PHASES);
  const unknown = asked.filter((p) => !(PHASES as string[]).includes(p));
  if (unknown.length > 0) throw new UsageError(`unknown phase ${unknown.map((p) => `"${p}"`).join(', ')}; phases are ${PHASES.join(', ')}`);
  const phases = asked as Phase[];
  if (only === 'sqlite' && phases.includes('scale'))
    throw new UsageError('the scale phase runs on Redis only: leave out --only=sqlite or the scale phase');
  const cpuProf = argument('cpu-prof');
  // A bad BENCH_CPU_PROF_INTERVAL_US stops the bench here, before any phase runs.
  if (cpuProf) {
    try {
      profileInterval(env);
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
  }
  // An output option no asked phase writes to is said so, rather than leaving its folder empty.
  if (cpuProf && phases.every((p) => p === 'scale'))
    throw new UsageError('--cpu-prof profiles the bot in ack, polling, memory and line, not in scale');
  const heapSnapshots = argument('heap-snapshots');
  if (heapSnapshots && !phases.includes('memory'))
    throw new UsageError('--heap-snapshots are taken in the memory phase: add memory to --phases');
  const allocProf = argument('alloc-prof');
  if (allocProf && !phases.includes('ack')) throw new UsageError('--alloc-prof profiles the ack phase: add ack to --phases');
  const from = env.INIT_CWD ?? process.cwd();
  const pathOf = (option: OptionName, path: string): string => {
    if (path.startsWith('~')) throw new UsageError(`--${option}=${path}: the shell does not expand ~ after "="; write $HOME/… instead`);
    return resolve(from, path);
  };
  return {
    ...(only !== undefined && { only }),
    phases,
    ...(cpuProf !== undefined && { cpuProfDir: pathOf('cpu-prof', cpuProf) }),
    ...(heapSnapshots !== undefined && { heapSnapshotDir: pathOf('heap-snapshots', heapSnapshots) }),
    ...(allocProf !== undefined && { allocProfDir: pathOf('alloc-prof', allocProf) }),
    sqliteDir: sqliteDirOf(env.BENCH_SQLITE_DIR, from, defaultSqliteDir),
    redisUrl: only === 'sqlite' ? (env.BENCH_REDIS_URL ?? DEFAULT_BENCH_REDIS_URL) : redisUrlOf(env.BENCH_REDIS_URL),
  };
}

/**
 * BENCH_SQLITE_DIR (every run measures one SQLite commit there, even with --only=redis) must be a
 * folder the bench can write to; relative to `from`.
 */
function sqliteDirOf(disk: string | undefined, from: string, fallback: string): string {
  // Empty means unset, as for the bot's own settings (a template's `NAME=` line).
  if (disk === undefined || disk.trim() === '') return fallback;
  const dir = resolve(from, disk);
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new UsageError(
      `BENCH_SQLITE_DIR=${disk}: must be a folder the bench can write to (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  return dir;
}

function redisUrlOf(url: string | undefined): string {
  if (url === undefined) return DEFAULT_BENCH_REDIS_URL;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // Reported below.
  }
  // A URL that starts as one but cannot be read (a port that is not a number, a space) is said
  // as such: "must be a redis:// URL" would send the user looking at the part that is right.
  if (parsed === undefined && /^rediss?:\/\//i.test(url))
    throw new UsageError(
      `BENCH_REDIS_URL cannot be read as a URL: "${redactedUrl(url)}" (a port that is not a number, a space, or a / # or ? ` +
        'in the password, which must be percent-encoded as %2F %23 %3F)',
    );
  if (parsed?.protocol !== 'redis:' && parsed?.protocol !== 'rediss:')
    throw new UsageError(
      `BENCH_REDIS_URL must be a redis:// or rediss:// URL (like ${DEFAULT_BENCH_REDIS_URL}), got "${redactedUrl(url)}"`,
    );
  // The bot's own rule for what node-redis would misread (a tab or line break, a ? or # that cuts
  // the URL short, a stray %).
  const misread = redisUrlMisreading(url, parsed);
  if (misread === 'dropped-whitespace')
    throw new UsageError(
      'BENCH_REDIS_URL holds a tab or a line break, which URL parsing drops (the bench would use another database or password than the one typed): remove it',
    );
  if (misread === 'query-or-fragment')
    throw new UsageError(
      `BENCH_REDIS_URL holds a ? or # ("${redactedUrl(url)}"): a Redis URL has none; in a password, write them as %3F and %23`,
    );
  if (misread === 'stray-percent')
    throw new UsageError(
      `BENCH_REDIS_URL has a % in its user or password that is not followed by two hex digits: "${redactedUrl(url)}"; write a % as %25`,
    );
  if (!/^\/[0-9]+$/.test(parsed.pathname))
    throw new UsageError(
      `BENCH_REDIS_URL must name the database the bench may flush, as in ${DEFAULT_BENCH_REDIS_URL} (database 14): ` +
        `got "${redactedUrl(url)}"; without a number it would be database 0, where other data usually lives`,
    );
  return url;
}

/** `url` as the bench prints it, its password hidden by the bot's own {@link withoutPassword}. */
export const redactedUrl = (url: string): string => String(withoutPassword(url));

/**
 * The command line of the `npm run …` that started this process (its arguments after `run`), read
 * from /proc on Linux by walking up a few parent processes; undefined elsewhere or when npm did
 * not start it. Best effort: only used to catch options npm kept for itself.
 */
export function npmCommandLine(): string[] | undefined {
  if (process.platform !== 'linux' || process.env.npm_lifecycle_event === undefined) return undefined;
  let pid = process.ppid;
  for (let depth = 0; depth < 4 && pid > 1; depth += 1) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
        .split('\0')
        .filter((arg) => arg !== '');
      const run = args.findIndex((arg) => arg === 'run' || arg === 'run-script');
      if (run >= 0 && args.slice(0, run).some((arg) => /(^|\/)npm(-cli\.js)?$/.test(arg))) return args.slice(run + 1);
      // The fourth field of /proc/<pid>/stat is the parent's pid (after the command in parentheses).
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
