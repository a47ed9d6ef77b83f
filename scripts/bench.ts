/**
 * `npm run bench`: the real bot (started as npm start starts it, LOG_LEVEL silent, in its own process)
 * against the local fake Discord and fake xcompute, first on SQLite, then on Redis when one
 * answers. Prints one table per store: figure, measured, target, pass/fail.
 *
 *   npm run bench -- --only=sqlite|redis --phases=ack,polling,memory,line,scale --cpu-prof=DIR --heap-snapshots=DIR --alloc-prof=DIR
 *
 * BENCH_REDIS_URL chooses the Redis database (default redis://127.0.0.1:6379/14; it is flushed
 * before and after each phase).
 */
import { availableParallelism, cpus, platform, arch, loadavg, tmpdir, constants as osConstants } from 'node:os';
import closeWithGrace from 'close-with-grace';
import { accessSync, constants, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ackRows, measureAck, ACK_INTERACTIONS, ACK_ROUNDS, BURSTS_APART_MS, FIRST_BURST, IDLE_GUILDS, IDLE_ROUNDS } from './bench/ack.js';
import { measureMemory, memoryRows, MEMORY_HALF_JOBS, MEMORY_JOBS } from './bench/memory.js';
import { measurePolling, pollingRows, POLL_BASE_MS, POLL_JOBS } from './bench/polling.js';
import { sqliteCommitMs } from './bench/probe.js';
import { killBotProcesses } from './bench/bot-handle.js';
import { measureScale, scaleRows, ONE_PROCESS_MEMBERS_PER_GUILD, SCALE_JOBS, SCALE_PROCESSES, SHARD_GUILDS } from './bench/scale.js';
import { lineRows, measureLine, LINE_BUDGET, LINE_BUSY_JOBS, LINE_SMALL_JOBS, LINE_WINDOW_MS } from './bench/line.js';
import { exitCodeOf, renderTable, type Row } from './bench/table.js';
import { makeFolder } from '../src/make-folder.js';
import { npmCommandLine, OPTIONS, readBenchOptions, redactedUrl, UsageError, type Phase } from './bench/options.js';
import { probeRedis, redisBackend, removeWorldFolders, sqliteBackend, type Backend } from './bench/world.js';

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
  const { redisUrl } = backend;
  if (redisUrl !== undefined) await run('scale', async () => scaleRows(await measureScale(redisUrl)));
  return rows;
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

async function main(): Promise<void> {
  const options = readBenchOptions(process.argv.slice(2), process.env, tmpdir(), npmCommandLine());
  const { only, phases, cpuProfDir, heapSnapshotDir, allocProfDir, sqliteDir: disk, redisUrl } = options;
  // Redis is asked before any phase runs: a refusal (a wrong password, a database past the
  // server's count) stops the bench now, not after the SQLite phases' minutes.
  let redisSkipped: string | undefined;
  if (only !== 'sqlite') {
    const probe = await probeRedis(redisUrl);
    if (!probe.ok && !probe.unreachable)
      throw new UsageError(`BENCH_REDIS_URL=${redactedUrl(redisUrl)}: not a Redis the bench can use (${probe.reason})`);
    if (!probe.ok && only === 'redis')
      throw new UsageError(
        `${phases.every((p) => p === 'scale') ? 'the scale phase runs on Redis' : '--only=redis'}, but no Redis answers at ${redactedUrl(redisUrl)} (${probe.reason}): start one or set BENCH_REDIS_URL`,
      );
    if (!probe.ok) redisSkipped = probe.reason;
  }
  // Folders last: a usage error above leaves none behind.
  await makeFolders([
    ...(cpuProfDir ? [{ option: 'cpu-prof' as const, dir: cpuProfDir }] : []),
    ...(heapSnapshotDir ? [{ option: 'heap-snapshots' as const, dir: heapSnapshotDir }] : []),
    ...(allocProfDir ? [{ option: 'alloc-prof' as const, dir: allocProfDir }] : []),
  ]);
  const started = Date.now();
  const loadBefore = loadavg()[0] ?? 0;
  const commitMs = await sqliteCommitMs(disk);

  const lines: string[] = [];
  lines.push('Hailuo Video Bot benchmark');
  lines.push(
    `machine: ${availableParallelism()} cores (os.availableParallelism()), ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${platform()} ${arch()}, Node ${process.version}`,
  );
  lines.push(
    'bot: started as npm start starts it (start-up checks while its code loads, then createBot + start; the esbuild bundle npm start runs) in its own process (node --expose-gc), LOG_LEVEL=silent; floor: bare discord.js from node_modules, defer only; fakes in this process',
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
    if (redisSkipped === undefined) {
      tables.push({
        name: `Redis (STORE_URL=${redactedUrl(redisUrl)}, flushed before and after each phase)`,
        rows: await runBackend(redisBackend(redisUrl), phases, cpuProfDir, heapSnapshotDir, allocProfDir),
      });
    } else {
      tables.push({
        name: `Redis (${redactedUrl(redisUrl)})`,
        rows: [{ figure: 'all figures', measured: `skipped (no Redis answers: ${redisSkipped})`, target: '—', result: 'skipped' }],
      });
    }
  }
  for (const table of tables) {
    lines.push(`Store: ${table.name}`);
    lines.push(renderTable(table.rows));
    lines.push('');
  }
  // Where the output options wrote, so nobody hunts for them (Chrome DevTools opens each file).
  if (cpuProfDir)
    lines.push(
      `CPU profiles (.cpuprofile, one per bot process): ${cpuProfDir}/<store>-<phase>/, the ack phase's in <store>-ack/<ours|floor>/round-<n>/`,
    );
  if (heapSnapshotDir) lines.push(`heap snapshots (.heapsnapshot, Memory tab): ${heapSnapshotDir}`);
  if (allocProfDir)
    lines.push(`allocation profiles (.heapprofile, Memory tab): ${allocProfDir}/<store>-ack/<ours|floor>/round-<n>.heapprofile`);
  if (cpuProfDir || heapSnapshotDir || allocProfDir) lines.push('');
  // Notes for the phases that ran only (`--phases`).
  const notes: Array<[Phase, string[]]> = [
    [
      'ack',
      [
        `- ack, cold start, idle RSS: ${ACK_ROUNDS} rounds of ours and of the floor (a bare discord.js 14 bot that only defers, default`,
        '  caches), interleaved, each in a fresh world; medians over the rounds, ours as a ratio to the floor. Cold start: forking the',
        `  process → the fake gateway receiving IDENTIFY. Idle RSS (the first ${IDLE_ROUNDS} rounds): logged in to ${IDLE_GUILDS} guilds, after gc (in a world of its own),`,
        "  once V8's memory reducer has given back the young generation logging in grew (and 1.5 s after login, as before). Ack latency:",
        `  ${ACK_INTERACTIONS} /video interactions sent by the fake gateway at once, one per guild and member; from the fake sending`,
        '  INTERACTION_CREATE to the fake receiving the interaction callback (deferred reply). Default timings. Measured in the',
        `  process' second burst: each world first takes ${FIRST_BURST} /video on other guilds (the "first burst after login" row),`,
        '  whose jobs stay in flight, so the measured burst runs code V8 has optimised, as in a bot in service; the measured burst',
        `  comes ${BURSTS_APART_MS / 1000} s after the first for both bots (past the 3 s an idle connection to Discord stays open);`,
        "  ours' CPU figures include its first burst's status requests and reply edits made meanwhile.",
      ],
    ],
    [
      'polling',
      [
        `- status requests: ${POLL_JOBS} jobs at POLL_INTERVAL_MS=${POLL_BASE_MS} whose tasks the fake provider completes 1–20 s after`,
        '  submission. Minimum = polls of the jitter-free schedule (first after POLL_INTERVAL_MS, then ×1.25 a poll, ceiling 15 s)',
        '  up to and including the first at or after the completion. The ratio is scale-free.',
        '- completion → upload: from the task turning completed at the fake provider to the fake Discord receiving the upload',
        '  (PATCH of the original reply with the MP4, 1 MiB). Compared per job with the longest gap the schedule allows before the',
        '  status request that can see the completion (the planned gap with its ±10 % jitter at +10 %) + 1 s; the 1 s slack is not',
        `  scaled. Also given against the jitter-free schedule's gap at the completion (POLL_INTERVAL_MS=${POLL_BASE_MS}).`,
      ],
    ],
    [
      'memory',
      [
        `- memory: RSS of the bot process after global.gc() (read once it stops falling), before the jobs (2 s after 20 warm-up videos),`,
        `  with ${MEMORY_HALF_JOBS} and with ${MEMORY_JOBS} jobs in flight (500 guilds × 2 members, added 250 guilds at a time; tasks never`,
        '  complete, default 5 s polling and 3 s progress edits, 15 s of steady polling before each sample). Per job: what the second',
        `  ${MEMORY_JOBS - MEMORY_HALF_JOBS} jobs added, per job; both halves' growth is printed, the first's also holding what the process keeps once.`,
        '  Progress edits in the last steady window: per status poll, and those that changed nothing the member sees (the same',
        "  body and files as the message's last edit Discord accepted).",
      ],
    ],
    [
      'line',
      [
        `- line: XCOMPUTE_MAX_RPM=${LINE_BUDGET} with a ${LINE_WINDOW_MS / 1000} s window (XCOMPUTE_RPM_WINDOW_MS: time 10× faster). A busy server asks`,
        `  ${LINE_BUSY_JOBS} times, keeping its cap of 20 jobs in flight full (it asks again when a video arrives or a request is refused);`,
        `  1 s later two small servers ask ${LINE_SMALL_JOBS} each. Measured: asking → the fake provider receiving the submission, for each`,
        "  small-server job, in budget windows; first come, first served would put them behind the busy server's line.",
      ],
    ],
    [
      'scale',
      [
        `- scale (Redis): ${SCALE_JOBS.toLocaleString('en-US')} /video, tasks that never finish, XCOMPUTE_MAX_POLLS_PER_S at its default, in`,
        `  runs of ${SCALE_PROCESSES.join(' and ')} process(es) sharing the jobs: one process ${ONE_PROCESS_MEMBERS_PER_GUILD} members a guild (under the default 3 at once),`,
        `  each shard of several logged in to ${SHARD_GUILDS.toLocaleString('en-US')} guilds (Discord's most per shard), 1 member a guild.`,
        "  After the fill's edits went out, a 30 s steady window: each process' CPU and RSS after gc, Redis commands/s (INFO),",
        '  status requests/s against the budget, progress edits per poll; edits that changed nothing are counted over the whole run.',
      ],
    ],
  ];
  const read = notes
    .filter(([phase]) => phases.includes(phase) && (phase !== 'scale' || redisSkipped === undefined))
    .flatMap(([, text]) => text);
  if (read.length > 0) lines.push('How to read it:', ...read);

  lines.push('');
  lines.push(
    `total time ${((Date.now() - started) / 1000).toFixed(0)} s; 1-minute load average ${loadBefore.toFixed(1)} before, ${(loadavg()[0] ?? 0).toFixed(1)} after ` +
      `(on ${availableParallelism()} cores: anything else running shares the CPU with the bot and the fakes)`,
  );
  // A store that was not measured is no pass: its targets (and the scale phase's) are unknown.
  const exitCode = exitCodeOf(tables.flatMap((t) => t.rows));
  if (redisSkipped !== undefined)
    lines.push(
      `not every target was measured (Redis was skipped)${exitCode === 1 ? '' : ': exit 2'}. Start a Redis (or set BENCH_REDIS_URL), or run \`npm run bench -- --only=sqlite\` to measure SQLite alone.`,
    );
  process.stdout.write(`${lines.join('\n')}\n`);
  process.exitCode = exitCode;
}

// Ctrl-C (or a SIGTERM) mid-run: the bot processes are killed and the SQLite worlds' folders
// removed (they would stay in the temp folder, one per interrupted run). close-with-grace, as the
// bot's own stop; it exits with 0 after a signal, so the handler exits first with the shell's
// code for it (130 for SIGINT).
closeWithGrace(
  { delay: 5_000, skip: ['beforeExit', 'uncaughtException', 'unhandledRejection', 'SIGBUS', 'SIGFPE', 'SIGSEGV', 'SIGILL'] },
  async ({ signal }) => {
    // The bots first: one still starting would make its folder again.
    await killBotProcesses();
    removeWorldFolders();
    const number = signal === undefined ? undefined : osConstants.signals[signal as keyof typeof osConstants.signals];
    process.exit(number === undefined ? 1 : 128 + number);
  },
);

main().catch((err: unknown) => {
  // A wrong argument or setting is said in one line; anything else with its stack.
  console.error(err instanceof UsageError ? `bench: ${err.message}` : err);
  process.exit(1);
});
