/** Starts the bot in a child process (node --expose-gc) and talks to it. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BotReply, BotRequest, MemorySample } from './protocol.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface BotHandle {
  readonly pid: number;
  /** Date.now() just before the process was forked (cold start is measured from here). */
  readonly forkedAt: number;
  /** Memory after two full GCs; with `{ gc: false }`, as it is, without collecting (gcExposed false). */
  memory(options?: { gc?: boolean }): Promise<MemorySample>;
  /** Starts a fresh event-loop delay histogram in the bot. */
  resetLoop(): Promise<void>;
  /** Event-loop delay of the bot since the last reset, in ms. */
  loop(): Promise<{ p50: number; p99: number; max: number }>;
  /** CPU time the bot process has used so far (user + system), in ms. */
  cpuMs(): Promise<number>;
  /** Writes a V8 heap snapshot of the bot (after gc) to `path`, for Chrome DevTools' Memory tab. */
  heapSnapshot(path: string): Promise<void>;
  /** Starts a sampling profile of every allocation (collected ones included); see `allocStop`. */
  allocStart(): Promise<void>;
  /** Writes the allocation profile started by `allocStart` to `path` (`.heapprofile`, DevTools' Memory tab). */
  allocStop(path: string): Promise<void>;
  stop(): Promise<void>;
}

/** Which bot runs: ours (as npm start starts it: openBot, then start) or the floor (bare discord.js, defer only). */
export type BotKind = 'ours' | 'floor';

export interface BotProcessOptions {
  kind?: BotKind;
  /** Extra variables of the process' own environment (discord.js reads SHARDS/SHARD_COUNT from there). */
  processEnv?: Record<string, string>;
  /** Write a V8 CPU profile of the bot into this directory when it exits. */
  cpuProfDir?: string;
  startTimeoutMs?: number;
}

const SCRIPTS: Record<BotKind, string> = {
  // Ours runs as shipped: the bundle `npm run build` makes (scripts/bundle.ts), as `npm start` does.
  ours: fileURLToPath(new URL('../../bundle/bench-bot.js', import.meta.url)),
  floor: fileURLToPath(new URL('./floor-process.js', import.meta.url)),
};

/**
 * `--cpu-prof-interval` from BENCH_CPU_PROF_INTERVAL_US (microseconds between samples; V8's default
 * is 1000). Node ignores a value it cannot read without a word, so one that is not a positive
 * whole number throws; the bench asks this once before any phase (scripts/bench.ts).
 */
export function profileInterval(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env.BENCH_CPU_PROF_INTERVAL_US;
  if (raw === undefined || raw === '') return [];
  if (!/^[1-9][0-9]*$/.test(raw))
    throw new Error(`BENCH_CPU_PROF_INTERVAL_US must be a positive whole number of microseconds, got "${raw}"`);
  return [`--cpu-prof-interval=${raw}`];
}

// Every bot process forked and not exited yet, so a bench stopped by a signal stops them too.
const liveChildren = new Set<ChildProcess>();

/**
 * Kills every bot process still running (SIGKILL: the bench is being stopped, their state is
 * thrown away) and resolves once each has exited, at most `waitMs` later.
 */
export async function killBotProcesses(waitMs = 3_000): Promise<void> {
  const exits = [...liveChildren].map(
    (child) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  );
  await Promise.race([Promise.all(exits), new Promise((resolve) => setTimeout(resolve, waitMs).unref())]);
}

export async function startBotProcess(env: Record<string, string>, options: BotProcessOptions = {}): Promise<BotHandle> {
  const execArgv = [
    '--expose-gc',
    ...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`, ...profileInterval()] : []),
  ];
  // stdout is a pipe (not a TTY), as in production: the bot logs JSON, not through pino-pretty.
  const forkedAt = Date.now();
  const child: ChildProcess = fork(SCRIPTS[options.kind ?? 'ours'], [], {
    execArgv,
    // MALLOC_ARENA_MAX=2, as the Dockerfile and the systemd unit run the bot (see the README's
    // "Running on a server"), for ours and the floor alike: glibc otherwise gives threads (V8's
    // GC and compiler, libuv's pool) arenas of their own that keep what they freed in RSS.
    env: { MALLOC_ARENA_MAX: '2', ...process.env, ...options.processEnv, BENCH_BOT_ENV: JSON.stringify(env) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    keep(chunk);
    // BENCH_LOG_LEVEL=warn (with the bot's LOG_LEVEL raised the same way) shows its log while investigating.
    if (process.env.BENCH_LOG_LEVEL) process.stderr.write(`[bot ${child.pid ?? '?'}] ${chunk.toString()}`);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    keep(chunk);
    process.stderr.write(`[bot ${child.pid ?? '?'}] ${chunk.toString()}`);
  });

  let nextId = 1;
  const pending = new Map<number, { resolve: (reply: BotReply) => void; reject: (err: Error) => void }>();
  let exited = false;
  const failAll = (err: Error) => {
    for (const waiter of pending.values()) waiter.reject(err);
    pending.clear();
  };
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`bench: the bot did not start within ${options.startTimeoutMs ?? 60_000} ms\n${output.join('')}`)),
      options.startTimeoutMs ?? 60_000,
    );
    child.on('message', (raw) => {
      const reply = raw as BotReply;
      if (reply.type === 'ready') {
        clearTimeout(timer);
        resolve();
        return;
      }
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      if (!waiter) return;
      if (reply.type === 'error') waiter.reject(new Error(`bot process: ${reply.message}`));
      else waiter.resolve(reply);
    });
    child.on('exit', (code, signal) => {
      exited = true;
      clearTimeout(timer);
      const err = new Error(`bench: the bot process exited (code ${code}, signal ${signal})\n${output.join('')}`);
      reject(err);
      failAll(err);
    });
  });
  await ready;

  const ask = (message: DistributiveOmit<BotRequest, 'id'>): Promise<BotReply> => {
    if (exited) return Promise.reject(new Error('bench: the bot process is gone'));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      child.send({ ...message, id } satisfies BotRequest);
    });
  };
  const request = (type: Exclude<BotRequest['type'], 'heap-snapshot' | 'memory' | 'alloc-stop'>): Promise<BotReply> => ask({ type });

  return {
    pid: child.pid ?? 0,
    forkedAt,
    async memory(options = {}) {
      const reply = await ask({ type: 'memory', ...(options.gc === false ? { gc: false } : {}) });
      if (reply.type !== 'memory') throw new Error('bench: unexpected reply to memory');
      return reply.memory;
    },
    async resetLoop() {
      await request('loop-reset');
    },
    async loop() {
      const reply = await request('loop');
      if (reply.type !== 'loop') throw new Error('bench: unexpected reply to loop');
      return { p50: reply.p50, p99: reply.p99, max: reply.max };
    },
    async cpuMs() {
      const reply = await request('cpu');
      if (reply.type !== 'cpu') throw new Error('bench: unexpected reply to cpu');
      return (reply.user + reply.system) / 1000;
    },
    async heapSnapshot(path) {
      await ask({ type: 'heap-snapshot', path });
    },
    async allocStart() {
      await ask({ type: 'alloc-start' });
    },
    async allocStop(path) {
      await ask({ type: 'alloc-stop', path });
    },
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // A bot that cannot stop within 20 s (writes still queued) is killed: its store is thrown away.
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await request('stop').catch(() => undefined);
      await gone;
      clearTimeout(timer);
    },
  };
}
