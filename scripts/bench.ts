/**
 * `npm run bench`: the real bot (createBot + start, LOG_LEVEL silent, in its own process)
 * against the local fake Discord and fake xcompute, first on SQLite, then on Redis when one
 * answers. Prints one table per store: figure, measured, target, pass/fail.
 *
 *   npm run bench -- --only=sqlite|redis --phases=ack,polling,memory,line --cpu-prof=DIR --heap-snapshots=DIR --alloc-prof=DIR
 *
 * BENCH_REDIS_URL chooses the Redis database (default redis://127.0.0.1:6379/14; it is flushed
 * before and after each phase).
 */
import { availableParallelism, cpus, platform, arch, loadavg, tmpdir } from 'node:os';
import { accessSync, constants, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ackRows, measureAck, ACK_INTERACTIONS, ACK_ROUNDS, IDLE_GUILDS, IDLE_ROUNDS } from './bench/ack.js';
import { profileInterval } from './bench/bot-handle.js';
import { measureMemory, memoryRows, MEMORY_JOBS } from './bench/memory.js';
import { measurePolling, pollingRows, POLL_BASE_MS, POLL_JOBS } from './bench/polling.js';
import { sqliteCommitMs } from './bench/probe.js';
import { measureScale, scaleRows } from './bench/scale.js';
import { lineRows, measureLine, LINE_BUDGET, LINE_BUSY_JOBS, LINE_SMALL_JOBS, LINE_WINDOW_MS } from './bench/line.js';
import { renderTable, type Row } from './bench/table.js';
import { makeFolder } from '../src/make-folder.js';
import { DEFAULT_BENCH_REDIS_URL, redisAnswers, redisBackend, sqliteBackend, type Backend } from './bench/world.js';

type Phase = 'ack' | 'polling' | 'memory' | 'line' | 'scale';
const PHASES: Phase[] = ['ack', 'polling', 'memory', 'line', 'scale'];
/** `scale` takes several minutes and needs Redis: only when asked for with --phases. */
const DEFAULT_PHASES: Phase[] = ['ack', 'polling', 'memory', 'line'];

const redisUrlOf = (): string => process.env.BENCH_REDIS_URL ?? DEFAULT_BENCH_REDIS_URL;

/** The bench's options, each written `--name=value`. */
const OPTIONS = ['only', 'phases', 'cpu-prof', 'heap-snapshots', 'alloc-prof'] as const;

function argument(name: (typeof OPTIONS)[number]): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

async function runBackend(
  backend: Backend,
  phases: Phase[],
  cpuProfRoot: string | undefined,
  heapSnapshotDir: string | undefined,
  allocProfRoot: string | undefined,
): Promise<Row[]> {
  const rows: Row[] = [];
  // A profile folder of its own per store and phase (`<root>/sqlite-ack`, …), when asked for.
  const phaseDir = (root: string | undefined, phase: Phase) => {
    if (!root) return undefined;
    const dir = resolve(root, `${backend.name.toLowerCase()}-${phase}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const profDir = (phase: Phase) => phaseDir(cpuProfRoot, phase);
  const run = async (phase: Phase, measure: () => Promise<Row[]>) => {
    if (!phases.includes(phase)) return;
    const started = Date.now();
    process.stderr.write(`bench: ${backend.name} ${phase} …`);
    try {
      rows.push(...(await measure()));
      process.stderr.write(` ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } catch (err) {
      process.stderr.write(' failed\n');
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      rows.push({
        figure: `${phase} phase`,
        measured: `error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
        target: '—',
        result: 'FAIL',
      });
    }
  };
  await run('ack', async () => ackRows(await measureAck(backend, profDir('ack'), phaseDir(allocProfRoot, 'ack'))));
  await run('polling', async () => pollingRows(await measurePolling(backend, profDir('polling'))));
  await run('memory', async () => memoryRows(await measureMemory(backend, profDir('memory'), heapSnapshotDir)));
  await run('line', async () => lineRows(await measureLine(backend, profDir('line'))));
  if (backend.name === 'Redis') await run('scale', async () => scaleRows(await measureScale(redisUrlOf())));
  return rows;
}

/** A wrong argument or BENCH_ setting: reported as its message alone. */
class UsageError extends Error {}

/**
 * Where a path given on the command line points: relative to the folder `npm run bench` was typed
 * in (npm runs scripts in the package's folder and says where it was started in INIT_CWD).
 * @throws UsageError for a path starting with `~`, which no shell expands after `--name=`.
 */
function pathOf(option: (typeof OPTIONS)[number], path: string): string {
  if (path.startsWith('~')) throw new UsageError(`--${option}=${path}: the shell does not expand ~ after "="; write $HOME/… instead`);
  return resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

/** The deepest folder of `dir`'s ancestors (or `dir` itself) that does not exist yet; undefined when all do. */
function firstMissing(dir: string): string | undefined {
  let missing: string | undefined;
  for (let at = dir; !existsSync(at); at = dirname(at)) {
    missing = at;
    if (dirname(at) === at) break;
  }
  return missing;
}

/**
 * Makes the folders the output options (`--cpu-prof`, `--heap-snapshots`, `--alloc-prof`) name, so
 * one that cannot be made or written to stops the bench now, in one line, not minutes later in a
 * phase (a bot started with `--cpu-prof-dir` it cannot write to runs on and writes nothing). All
 * or none: when one fails, the folders made for the others are removed again.
 * Rejects with a UsageError naming the option and the reason (ENOTDIR, EACCES…).
 */
async function makeFolders(folders: ReadonlyArray<{ option: (typeof OPTIONS)[number]; dir: string }>): Promise<void> {
  const made: string[] = [];
  try {
    for (const { option, dir } of folders) {
      const missing = firstMissing(dir);
      try {
        // The bot's own folder maker: Node's recursive mkdir spins forever under /proc.
        await makeFolder(dir);
        // A folder that exists but cannot be written to (EACCES) stops here too.
        accessSync(dir, constants.W_OK);
        if (missing) made.push(missing);
      } catch (err) {
        // A failed make may have made some of the parents.
        if (missing && existsSync(missing)) made.push(missing);
        throw new UsageError(
          `--${option}=${dir}: cannot make or write to that folder (${err instanceof Error ? err.message : String(err)})`,
        );
      }
    }
  } catch (err) {
    for (const dir of made.reverse()) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // Left behind; the error below says which option failed.
      }
    }
    throw err;
  }
}

/**
 * BENCH_SQLITE_DIR (every run measures one SQLite commit there) must be a folder the bench can write to,
 * and BENCH_REDIS_URL (when Redis is) a redis:// or rediss:// URL: checked before any phase runs,
 * not after the SQLite phases' minutes.
 * @throws UsageError naming the variable.
 */
function checkStoreSettings(only: string | undefined): void {
  const disk = process.env.BENCH_SQLITE_DIR;
  if (disk !== undefined) {
    try {
      const dir = resolve(process.env.INIT_CWD ?? process.cwd(), disk);
      if (!statSync(dir).isDirectory()) throw new Error('not a folder');
      accessSync(dir, constants.W_OK);
    } catch (err) {
      throw new UsageError(
        `BENCH_SQLITE_DIR=${disk}: must be a folder the bench can write to (${err instanceof Error ? err.message : String(err)})`,
      );
    }
  }
  const url = process.env.BENCH_REDIS_URL;
  if (url !== undefined && only !== 'sqlite') {
    let protocol = '';
    try {
      protocol = new URL(url).protocol;
    } catch {
      // Reported below.
    }
    if (protocol !== 'redis:' && protocol !== 'rediss:')
      throw new UsageError(`BENCH_REDIS_URL must be a redis:// or rediss:// URL (like ${DEFAULT_BENCH_REDIS_URL}), got "${url}"`);
  }
}

async function main(): Promise<void> {
  // `--phases ack` (a space) or a misspelt option would otherwise run every phase for minutes.
  for (const arg of process.argv.slice(2)) {
    if (!OPTIONS.some((name) => arg.startsWith(`--${name}=`) && arg.length > name.length + 3))
      throw new UsageError(`cannot read "${arg}"; options are ${OPTIONS.map((name) => `--${name}=…`).join(', ')}`);
  }
  // Given twice, only one would count: say so instead of choosing.
  const twice = OPTIONS.filter((name) => process.argv.filter((a) => a.startsWith(`--${name}=`)).length > 1);
  if (twice.length > 0) throw new UsageError(`${twice.map((name) => `--${name}`).join(', ')} given more than once`);
  const rounds = process.env.BENCH_ROUNDS;
  if (rounds !== undefined && !/^[1-9][0-9]*$/.test(rounds))
    throw new UsageError(`BENCH_ROUNDS must be a positive whole number, got "${rounds}"`);
  const only = argument('only')?.toLowerCase();
  if (only !== undefined && only !== 'sqlite' && only !== 'redis') throw new UsageError(`--only must be sqlite or redis, got "${only}"`);
  const asked = argument('phases')?.toLowerCase().split(',') ?? DEFAULT_PHASES;
  const unknown = asked.filter((p) => !(PHASES as string[]).includes(p));
  if (unknown.length > 0) throw new UsageError(`unknown phase ${unknown.map((p) => `"${p}"`).join(', ')}; phases are ${PHASES.join(', ')}`);
  const phases = asked as Phase[];
  if (only === 'sqlite' && phases.includes('scale'))
    throw new UsageError('the scale phase runs on Redis only: leave out --only=sqlite or the scale phase');
  const cpuProf = argument('cpu-prof');
  // A bad BENCH_CPU_PROF_INTERVAL_US stops the bench here, before any phase runs.
  if (cpuProf) {
    try {
      profileInterval();
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
  checkStoreSettings(only);
  const cpuProfDir = cpuProf === undefined ? undefined : pathOf('cpu-prof', cpuProf);
  const heapSnapshotDir = heapSnapshots === undefined ? undefined : pathOf('heap-snapshots', heapSnapshots);
  const allocProfDir = allocProf === undefined ? undefined : pathOf('alloc-prof', allocProf);
  // Folders last: a usage error above leaves none behind.
  await makeFolders([
    ...(cpuProfDir ? [{ option: 'cpu-prof' as const, dir: cpuProfDir }] : []),
    ...(heapSnapshotDir ? [{ option: 'heap-snapshots' as const, dir: heapSnapshotDir }] : []),
    ...(allocProfDir ? [{ option: 'alloc-prof' as const, dir: allocProfDir }] : []),
  ]);
  const redisUrl = process.env.BENCH_REDIS_URL ?? DEFAULT_BENCH_REDIS_URL;
  const started = Date.now();
  const loadBefore = loadavg()[0] ?? 0;
  // A relative BENCH_SQLITE_DIR is taken from where `npm run bench` was typed, as the folder options.
  const disk =
    process.env.BENCH_SQLITE_DIR === undefined ? tmpdir() : resolve(process.env.INIT_CWD ?? process.cwd(), process.env.BENCH_SQLITE_DIR);
  const commitMs = await sqliteCommitMs(disk);

  const lines: string[] = [];
  lines.push('Hailuo Video Bot benchmark');
  lines.push(
    `machine: ${availableParallelism()} cores (os.availableParallelism()), ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${platform()} ${arch()}, Node ${process.version}`,
  );
  lines.push(
    'bot: real createBot + start as shipped (the esbuild bundle npm start runs) in its own process (node --expose-gc), LOG_LEVEL=silent; floor: bare discord.js from node_modules, defer only; fakes in this process',
  );
  lines.push(`SQLite commit (one upsert, default journal) in ${disk}: ${commitMs.toFixed(1)} ms median`);
  lines.push('');

  const tables: Array<{ name: string; rows: Row[] }> = [];
  if (only === undefined || only === 'sqlite') {
    tables.push({
      name: `SQLite (STORE_URL=sqlite://<temp dir>/bot.sqlite in ${disk})`,
      rows: await runBackend(sqliteBackend(disk), phases, cpuProfDir, heapSnapshotDir, allocProfDir),
    });
  }
  if (only === undefined || only === 'redis') {
    if (await redisAnswers(redisUrl)) {
      const redis = redisBackend(redisUrl);
      tables.push({
        name: `Redis (STORE_URL=${redisUrl}, flushed before and after each phase)`,
        rows: await runBackend(redis, phases, cpuProfDir, heapSnapshotDir, allocProfDir),
      });
    } else {
      tables.push({
        name: `Redis (${redisUrl})`,
        rows: [{ figure: 'all figures', measured: 'skipped (no Redis)', target: '—', result: 'skipped' }],
      });
    }
  }
  for (const table of tables) {
    lines.push(`Store: ${table.name}`);
    lines.push(renderTable(table.rows));
    lines.push('');
  }
  lines.push('How to read it:');
  lines.push(
    `- ack, cold start, idle RSS: ${ACK_ROUNDS} rounds of ours and of the floor (a bare discord.js 14 bot that only defers, default`,
    '  caches), interleaved, each in a fresh world; medians over the rounds, ours as a ratio to the floor. Cold start: forking the',
    `  process → the fake gateway receiving IDENTIFY. Idle RSS (the first ${IDLE_ROUNDS} rounds): logged in to ${IDLE_GUILDS} guilds, after gc (in a world of its own),`,
    "  once V8's memory reducer has given back the young generation logging in grew (and 1.5 s after login, as before). Ack latency:",
    `  ${ACK_INTERACTIONS} /video interactions sent by the fake gateway at once, one per guild and member; from the fake sending`,
    '  INTERACTION_CREATE to the fake receiving the interaction callback (deferred reply). Default timings.',
    `- status requests: ${POLL_JOBS} jobs at POLL_INTERVAL_MS=${POLL_BASE_MS} whose tasks the fake provider completes 1–20 s after`,
    '  submission. Minimum = polls of the jitter-free schedule (first after POLL_INTERVAL_MS, then ×1.25 a poll, ceiling 15 s)',
    '  up to and including the first at or after the completion. The ratio is scale-free.',
    '- completion → upload: from the task turning completed at the fake provider to the fake Discord receiving the upload',
    '  (PATCH of the original reply with the MP4, 1 MiB). Compared per job with the longest gap the schedule allows before the',
    '  status request that can see the completion (the planned gap with its ±10 % jitter at +10 %) + 1 s; the 1 s slack is not',
    `  scaled. Also given against the jitter-free schedule's gap at the completion (POLL_INTERVAL_MS=${POLL_BASE_MS}).`,
    `- memory: RSS of the bot process after global.gc(), before the jobs (2 s after 20 warm-up videos) vs. with ${MEMORY_JOBS} jobs in flight`,
    '  (500 guilds × 2 members, tasks never complete, default 5 s polling and 3 s progress edits, 15 s of steady polling).',
    `- line: XCOMPUTE_MAX_RPM=${LINE_BUDGET} with a ${LINE_WINDOW_MS / 1000} s window (XCOMPUTE_RPM_WINDOW_MS: time 10× faster). A busy server asks`,
    `  ${LINE_BUSY_JOBS} times, keeping its cap of 20 jobs in flight full (it asks again when a video arrives or a request is refused);`,
    `  1 s later two small servers ask ${LINE_SMALL_JOBS} each. Measured: asking → the fake provider receiving the submission, for each`,
    "  small-server job, in budget windows; first come, first served would put them behind the busy server's line.",
  );
  lines.push('');
  lines.push(
    `total time ${((Date.now() - started) / 1000).toFixed(0)} s; 1-minute load average ${loadBefore.toFixed(1)} before, ${(loadavg()[0] ?? 0).toFixed(1)} after ` +
      `(on ${availableParallelism()} cores: anything else running shares the CPU with the bot and the fakes)`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  const failed = tables.some((t) => t.rows.some((r) => r.result === 'FAIL'));
  process.exitCode = failed ? 1 : 0;
}

main().catch((err: unknown) => {
  // A wrong argument or setting is said in one line; anything else with its stack.
  console.error(err instanceof UsageError ? `bench: ${err.message}` : err);
  process.exit(1);
});
