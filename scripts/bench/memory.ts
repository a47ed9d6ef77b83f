/**
 * Resident memory with 1,000 jobs in flight: 500 guilds × 2 members, one job each (the default
 * limits allow 3 a guild and 2 a member), default timings. The tasks never complete, so every job
 * stays in flight, polled and edited as in production. Samples are taken after global.gc().
 *
 * The jobs come in two halves of 500 (guilds 0–249, then 250–499, both members each), memory
 * sampled after each half's steady polling: what the second half adds, per job, is what a job in
 * flight holds (the marginal cost an operator plans with), apart from what the process keeps
 * once, whatever the number of jobs, after its first burst of them (compiled code of the paths the
 * burst ran hot, V8's and glibc's freed pages kept for reuse, the store's page cache).
 */
import { join } from 'node:path';
import type { MemorySample } from './protocol.js';
import { kilobytes, megabytes, median, sleep, waitUntil } from './stats.js';
import { verdict, type Row, type Verdict } from './table.js';
import { startWorld, videoInteraction, type Backend } from './world.js';
import { editCounter } from './edits.js';

export const MEMORY_JOBS = 1_000;
/** Jobs in flight at the first sample: half of {@link MEMORY_JOBS}, in half of the guilds. */
export const MEMORY_HALF_JOBS = MEMORY_JOBS / 2;
const MEMBERS_PER_GUILD = 2;
const BATCH = 100;
/** Long enough for every job to be polled at least twice at the default 5 s (5 s, then 6.25 s). */
const STEADY_MS = 15_000;
/** Jobs made and delivered before the idle sample (see the warm-up in {@link measureMemory}). */
const WARM_UP_JOBS = 20;
/** Issue 15: under 20 KB a job in flight. */
export const MEMORY_TARGET_BYTES = 20e6;
/** The same target per job (bytes). */
export const JOB_MEMORY_TARGET_BYTES = MEMORY_TARGET_BYTES / MEMORY_JOBS;
/** An edit is sent only when what the member sees changes: never more than one per status poll. */
export const EDITS_PER_POLL_TARGET = 1;

export interface MemoryFigures {
  idle: MemorySample;
  /** With {@link MEMORY_HALF_JOBS} jobs in flight, after steady polling. */
  half: MemorySample;
  halfJobs: number;
  loaded: MemorySample;
  jobs: number;
  /** Status requests per second while 1,000 jobs were in flight (steady window). */
  pollsPerSecond: number;
  /** Reply edits (PATCH of a reply, through the interaction or the channel) per second in the same window. */
  editsPerSecond: number;
  /** Of those edits, how many changed nothing the member sees (the same message and files as its last edit). */
  unchangedEdits: number;
  /** Every edit in the same window. */
  windowEdits: number;
  /** From the first interaction to the 1,000th submission at the provider. */
  submitSeconds: number;
  /** Heap snapshots were written between the samples: writing one grows RSS, so growth is not the jobs'. */
  snapshots: boolean;
}

async function sampleMemory(take: () => Promise<MemorySample>): Promise<MemorySample> {
  const samples: MemorySample[] = [];
  for (let i = 0; i < 3; i += 1) {
    samples.push(await take());
    await sleep(200);
  }
  const pick = (key: keyof Omit<MemorySample, 'gcExposed'>) => median(samples.map((s) => s[key]));
  return {
    rss: pick('rss'),
    heapUsed: pick('heapUsed'),
    heapTotal: pick('heapTotal'),
    external: pick('external'),
    arrayBuffers: pick('arrayBuffers'),
    youngGeneration: pick('youngGeneration'),
    gcExposed: samples.every((s) => s.gcExposed),
  };
}

/**
 * `heapSnapshotDir`: also write the bot's heap, idle and with the jobs in flight, as
 * `<store>-idle.heapsnapshot` and `<store>-loaded.heapsnapshot` (compare them in Chrome DevTools).
 */
export async function measureMemory(backend: Backend, cpuProfDir?: string, heapSnapshotDir?: string): Promise<MemoryFigures> {
  const guilds = MEMORY_JOBS / MEMBERS_PER_GUILD;
  const world = await startWorld({ backend, guilds, ...(cpuProfDir ? { cpuProfDir } : {}) });
  try {
    const { discord, provider, bot } = world;
    // Warm-up: a few videos asked for, made and delivered, so what the first job loads once (the
    // provider client, the download and upload paths, their compiled code, connection pools) is
    // in the idle figure and not counted as held by every job in flight.
    for (let g = 0; g < WARM_UP_JOBS; g += 1) discord.dispatchInteraction(videoInteraction(g, 0, `bench memory warm-up ${g}`));
    await waitUntil(() => provider.tasks.size >= WARM_UP_JOBS, 60_000, 'the warm-up jobs to be submitted');
    const warmUp = new Set(provider.tasks.keys());
    for (const taskId of warmUp) provider.completeTask(taskId);
    await waitUntil(() => discord.requests.filter((r) => r.files.length > 0).length >= WARM_UP_JOBS, 120_000, 'the warm-up videos');
    await sleep(2_000);
    const idle = await sampleMemory(() => bot.memory());
    const snapshot = async (when: string) => {
      if (heapSnapshotDir) await bot.heapSnapshot(join(heapSnapshotDir, `${backend.name.toLowerCase()}-${when}.heapsnapshot`));
    };
    await snapshot('idle');

    const callbackAttempts = () => discord.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/callback')).length;
    const accepted = () => provider.submissions.filter((s) => s.status === 200).length;
    const dispatched = new Set<string>();
    let sent = 0;
    let submitSeconds = 0;
    /** Asks for a video in guilds [from, to), every member, and waits for them all to be submitted. */
    const dispatchGuilds = async (from: number, to: number) => {
      const started = Date.now();
      for (let member = 0; member < MEMBERS_PER_GUILD; member += 1) {
        for (let g = from; g < to; g += 1) {
          const { id } = discord.dispatchInteraction(
            videoInteraction(g, member, `bench memory ${g}/${member}: waves breaking on black sand`),
          );
          dispatched.add(id);
          sent += 1;
          if (sent % BATCH === 0) {
            // Batches of 100 as fast as the bot answers them.
            await waitUntil(() => callbackAttempts() >= WARM_UP_JOBS + sent, 120_000, `${sent} interaction callbacks`);
          }
        }
      }
      await waitUntil(() => accepted() >= WARM_UP_JOBS + sent, 300_000, `${sent} submissions at the provider`);
      submitSeconds += (Date.now() - started) / 1000;
    };

    await dispatchGuilds(0, guilds / 2);
    await sleep(STEADY_MS);
    const half = await sampleMemory(() => bot.memory());
    const halfJobs = provider.tasks.size - warmUp.size;
    await dispatchGuilds(guilds / 2, guilds);
    const refused = discord.callbacks.filter((c) => dispatched.has(c.interactionId) && c.type !== 5).length;
    if (refused > 0) throw new Error(`bench: ${refused} /video interactions were not deferred (refused?)`);

    const edits = editCounter(
      () => discord.requests,
      (path) => discord.messageIdOf(path),
    );
    const before = provider.statusRequests.length;
    const editsBefore = edits();
    const windowStart = Date.now();
    await sleep(STEADY_MS);
    const windowS = (Date.now() - windowStart) / 1000;
    const pollsPerSecond = (provider.statusRequests.length - before) / windowS;
    const editsAfter = edits();
    const windowEdits = editsAfter.edits - editsBefore.edits;
    const editsPerSecond = windowEdits / windowS;
    const unchangedEdits = editsAfter.unchanged - editsBefore.unchanged;
    const loaded = await sampleMemory(() => bot.memory());
    await snapshot('loaded');
    const completed = [...provider.tasks.values()].filter(
      (t) => !warmUp.has(t.id) && (t.state === 'completed' || t.state === 'failed'),
    ).length;
    if (completed > 0) throw new Error('bench: some tasks finished; jobs were not all in flight');
    return {
      idle,
      half,
      halfJobs,
      loaded,
      jobs: provider.tasks.size - warmUp.size,
      pollsPerSecond,
      editsPerSecond,
      unchangedEdits,
      windowEdits,
      submitSeconds,
      snapshots: heapSnapshotDir !== undefined,
    };
  } finally {
    await world.close();
  }
}

/**
 * What the jobs added between two samples (bytes): RSS growth without V8's young generation, and
 * never less than what the heap grew.
 *
 * The young generation is the process' nursery, its pages resident or not depending on how many
 * scavenges came lately (measured 2026-12-01: 7-15 MB of a 17-23 MB growth on SQLite), not
 * something a job holds: it is shown, and left out. Never less than the heap's growth: memory
 * glibc kept from start-up and handed to the jobs can make RSS grow less than the jobs' own
 * objects (one SQLite run: 5.3 MB for a 6.0 MB heap).
 */
function jobsGrowth(from: MemorySample, to: MemorySample): number {
  const young = to.youngGeneration - from.youngGeneration;
  return Math.max(to.rss - from.rss - young, to.heapUsed - from.heapUsed);
}

export function memoryRows(f: MemoryFigures): Row[] {
  const growth = f.loaded.rss - f.idle.rss;
  const heap = f.loaded.heapUsed - f.idle.heapUsed;
  const young = f.loaded.youngGeneration - f.idle.youngGeneration;
  const fromIdle = jobsGrowth(f.idle, f.loaded);
  // What a job in flight holds: the second half's growth per job. The first half's growth also
  // holds what the process keeps once after a burst of jobs: both halves are printed, and how much
  // more the first grew than the second's rate would give (it reads negative when the samples'
  // noise, or a step of V8's or glibc's growth, lands in the second half instead).
  const secondHalf = f.jobs - f.halfJobs;
  const firstGrowth = jobsGrowth(f.idle, f.half);
  const secondGrowth = jobsGrowth(f.half, f.loaded);
  const marginal = secondGrowth / secondHalf;
  const firstExtra = firstGrowth - marginal * f.halfJobs;
  const gcNote = f.idle.gcExposed ? 'after gc' : 'gc not exposed';
  // Writing a heap snapshot grows the process by about its size: no verdict on memory then.
  const memoryVerdict = (ok: boolean): Verdict => (f.snapshots ? 'info' : verdict(ok));
  const snapshotNote = f.snapshots ? '; heap snapshots were written between the samples, so RSS growth is not the jobs alone' : '';
  return [
    {
      // Not the settled idle figure of the ack phase: this one is taken 2 s after the warm-up's
      // videos, while V8 still holds the young generation they grew; it is the base of the growth.
      figure: 'bot RSS before the jobs (logged in, 2 s after the warm-up videos; not settled)',
      measured: `${megabytes(f.idle.rss)} (heap ${megabytes(f.idle.heapUsed)}, ${gcNote})`,
      target: '—',
      result: 'info',
    },
    {
      figure: `bot RSS growth, ${f.jobs} jobs in flight`,
      measured: `${megabytes(fromIdle)} without the young generation, ${megabytes(growth)} with it (heap +${megabytes(heap)}, V8 heap reserved +${megabytes(f.loaded.heapTotal - f.idle.heapTotal)}; the young generation's resident pages ${young >= 0 ? '+' : ''}${megabytes(young)}, external (C++ objects, incl. Buffers) +${megabytes(f.loaded.external - f.idle.external)}; ${f.pollsPerSecond.toFixed(0)} status req/s; all submitted in ${f.submitSeconds.toFixed(1)} s${snapshotNote})`,
      target: '—',
      result: 'info',
    },
    {
      figure: `progress edits per status poll (${f.jobs} jobs, steady ${STEADY_MS / 1000} s)`,
      measured: `${(f.editsPerSecond / f.pollsPerSecond).toFixed(2)} (${f.editsPerSecond.toFixed(1)} edits/s for ${f.pollsPerSecond.toFixed(1)} status requests/s)`,
      target: `≤ ${EDITS_PER_POLL_TARGET}`,
      result: verdict(f.editsPerSecond <= EDITS_PER_POLL_TARGET * f.pollsPerSecond),
    },
    {
      // At most one edit a poll could still be twice the edits needed when fewer than half the
      // polls change a view: this one counts the edits that changed nothing at all.
      figure: `progress edits that changed nothing the member sees (same window; the same body and files as the message's last edit)`,
      measured: `${f.unchangedEdits} of ${f.windowEdits}`,
      target: '0',
      result: verdict(f.unchangedEdits === 0),
    },
    {
      figure: `bot RSS per job in flight: what ${f.halfJobs} → ${f.jobs} jobs added, per job (V8's young generation aside, at least the heap's growth)`,
      measured:
        `${kilobytes(marginal)} (heap ${kilobytes((f.loaded.heapUsed - f.half.heapUsed) / secondHalf)}): the second ${secondHalf} jobs +${megabytes(secondGrowth)}; ` +
        `the first ${f.halfJobs} +${megabytes(firstGrowth)} (${kilobytes(firstGrowth / f.halfJobs)} a job), ${firstExtra >= 0 ? '+' : ''}${megabytes(firstExtra)} over the second's rate ` +
        `(what the process keeps once after its first burst of jobs, within the samples' noise); ` +
        `from idle to ${f.jobs} jobs ${kilobytes(fromIdle / f.jobs)} a job (heap ${kilobytes(heap / f.jobs)}; with the young generation ${kilobytes(growth / f.jobs)})`,
      target: `< ${kilobytes(MEMORY_TARGET_BYTES / MEMORY_JOBS)}`,
      result: memoryVerdict(marginal < MEMORY_TARGET_BYTES / MEMORY_JOBS && f.jobs >= MEMORY_JOBS && f.halfJobs >= MEMORY_HALF_JOBS),
    },
  ];
}
