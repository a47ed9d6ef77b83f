/**
 * The bench's side of a measured bot process (ours or the floor): answers the parent's requests
 * over the IPC channel (memory after gc, event-loop delay, CPU time, stop). Imports nothing but
 * Node itself, so it adds the same little to both bots' start-up and memory.
 */
import { writeFileSync } from 'node:fs';
import type { HeapProfiler, Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BotReply, BotRequest, MemorySample } from './protocol.js';

const send = (message: BotReply): Promise<void> =>
  new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });

/** How often, and how many times at most, RSS is read after a forced GC until it stops falling. */
const RSS_SETTLE_STEP_MS = 50;
const RSS_SETTLE_READS = 30;
/** RSS has stopped falling once two steps in a row give back less than this each (bytes). */
const RSS_SETTLE_BYTES = 256 * 1024;

/** Resident bytes of V8's young generation now (new space, physical size). */
const youngGeneration = (): number =>
  getHeapSpaceStatistics()
    .filter((space) => space.space_name === 'new_space')
    .reduce((total, space) => total + space.physical_space_size, 0);

/**
 * RSS once the pages a full GC freed are back with the OS, with the young generation's resident
 * bytes read at the same moment (bytes; the figures subtract one from the other). V8 unmaps freed
 * pages on a background thread after gc() returns: measured 2026-12-03 with 1,000 jobs in flight,
 * RSS read right after the GCs was 266 MB, 100 ms later 162 MB and flat from then on (158.9 →
 * 151.5 in another sample), so a sample read at once counted memory the process was already giving
 * back. Reads every {@link RSS_SETTLE_STEP_MS} ms until two steps in a row give back less than
 * {@link RSS_SETTLE_BYTES} each, at most {@link RSS_SETTLE_READS} times; the lowest reading.
 */
async function settledRss(first: { rss: number; young: number }): Promise<{ rss: number; young: number }> {
  let lowest = first;
  let quiet = 0;
  for (let i = 0; i < RSS_SETTLE_READS && quiet < 2; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, RSS_SETTLE_STEP_MS));
    const now = { rss: process.memoryUsage.rss(), young: youngGeneration() };
    quiet = lowest.rss - now.rss < RSS_SETTLE_BYTES ? quiet + 1 : 0;
    if (now.rss < lowest.rss) lowest = now;
  }
  return lowest;
}

async function memory(collect = true): Promise<MemorySample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc && collect) {
    // Two rounds: the first may only promote what the second can free.
    gc();
    await nextTurn();
    gc();
  }
  // The heap's figures right after the GCs (a job's objects, not the garbage of the next 1.5 s).
  const usage = process.memoryUsage();
  const atOnce = { rss: usage.rss, young: youngGeneration() };
  const { rss, young } = collect && gc ? await settledRss(atOnce) : atOnce;
  return {
    rss,
    heapUsed: usage.heapUsed,
    heapTotal: usage.heapTotal,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    youngGeneration: young,
    gcExposed: Boolean(gc) && collect,
  };
}

/** The configuration the parent handed over (the bot's environment). */
export const benchEnv = (): Record<string, string> => JSON.parse(process.env.BENCH_BOT_ENV ?? '{}') as Record<string, string>;

/**
 * Ends this process when the bench that forked it goes away (its IPC channel closes: Ctrl-C, a
 * crash), from the first line on: a bot still starting when the bench stops would otherwise run
 * on, orphaned, and write its store into a folder the bench already removed. Call first thing.
 */
export function exitWithParent(): void {
  process.on('disconnect', () => process.exit(0));
  if (!process.connected) process.exit(0);
}

/** Starts the loop-delay histogram; call first thing, before the bot starts. */
export function watchLoop() {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  return loop;
}

/** Answers the parent's requests once the bot has started; `stop` stops the bot cleanly. */
export async function serveBench(loop: ReturnType<typeof watchLoop>, stop: () => Promise<void>): Promise<void> {
  // The inspector session of the allocation profile, loaded and opened on first use only (the
  // bench's other figures are measured without it).
  let inspector: Session | undefined;
  const connected = async () => {
    const { Session: InspectorSession } = await import('node:inspector/promises');
    const session = new InspectorSession();
    session.connect();
    return session;
  };
  process.on('message', (raw) => {
    const request = raw as BotRequest;
    void (async () => {
      switch (request.type) {
        case 'memory':
          return send({ id: request.id, type: 'memory', memory: await memory(request.gc !== false) });
        case 'loop-reset':
          loop.reset();
          return send({ id: request.id, type: 'ok' });
        case 'loop':
          return send({
            id: request.id,
            type: 'loop',
            p50: loop.percentile(50) / 1e6,
            p99: loop.percentile(99) / 1e6,
            max: loop.max / 1e6,
          });
        case 'cpu':
          return send({ id: request.id, type: 'cpu', ...process.cpuUsage() });
        case 'alloc-start': {
          inspector ??= await connected();
          // Collected objects count too: the burst's garbage is what its scavenges cost.
          const params: HeapProfiler.StartSamplingParameterType & Record<string, unknown> = {
            samplingInterval: 1024,
            includeObjectsCollectedByMinorGC: true,
            includeObjectsCollectedByMajorGC: true,
          };
          await inspector.post('HeapProfiler.startSampling', params);
          return send({ id: request.id, type: 'ok' });
        }
        case 'alloc-stop': {
          if (!inspector) throw new Error('alloc-stop without alloc-start');
          const { profile } = await inspector.post('HeapProfiler.stopSampling');
          writeFileSync(request.path, JSON.stringify(profile));
          return send({ id: request.id, type: 'ok' });
        }
        case 'heap-snapshot':
          await memory();
          writeHeapSnapshot(request.path);
          return send({ id: request.id, type: 'ok' });
        case 'stop':
          await stop();
          await send({ id: request.id, type: 'ok' });
          process.exit(0);
      }
    })().catch((err: unknown) =>
      send({ id: request.id, type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
  });
  await send({ type: 'ready', id: 0 });
}
