/** Messages between the benchmark and the bot process it starts. */

export interface MemorySample {
  /** Resident set size (bytes); after a forced GC, read once it stops falling (serve-bench.ts). */
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /**
   * Resident bytes of V8's young generation (new space, physical size): pages V8 keeps for its
   * nursery whatever lives in it, up to 2 × 16 MiB on 64-bit Node 20 and 22, given back by the
   * memory reducer when the process idles. Not the new large-object space: it has no such cap,
   * and what a job keeps can sit there.
   */
  youngGeneration: number;
  /** False when global.gc was not available (then the sample includes garbage). */
  gcExposed: boolean;
}

export type BotRequest =
  | { id: number; type: 'loop-reset' | 'loop' | 'cpu' | 'stop' }
  /** Memory now; after two full GCs unless `gc` is false (a peek that leaves V8's own schedule alone). */
  | { id: number; type: 'memory'; gc?: boolean }
  /** Writes a V8 heap snapshot of the bot to `path` (after gc). */
  | { id: number; type: 'heap-snapshot'; path: string }
  /**
   * Starts V8's sampling heap profiler, counting what is collected too (every allocation, not only
   * what survives); `alloc-stop` writes the profile (`.heapprofile`, DevTools' Memory tab) to `path`.
   */
  | { id: number; type: 'alloc-start' }
  | { id: number; type: 'alloc-stop'; path: string };

export type BotReply =
  | { id: number; type: 'ready' | 'ok' }
  | { id: number; type: 'memory'; memory: MemorySample }
  | { id: number; type: 'loop'; p50: number; p99: number; max: number }
  /** process.cpuUsage() of the bot, in microseconds. */
  | { id: number; type: 'cpu'; user: number; system: number }
  | { id: number; type: 'error'; message: string };
