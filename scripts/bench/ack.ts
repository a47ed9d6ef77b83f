/**
 * Ours against the floor, interleaved: each round starts a fresh world (fakes, empty store) for
 * our bot and one for the floor (a bare discord.js bot that only defers), alternating which goes
 * first, and measures in each
 * - cold start: forking the process → the fake gateway receiving IDENTIFY;
 * - idle RSS: after login, 500 guilds, no jobs, after global.gc(), in a world of its own (the
 *   burst's process never calls gc(), as a production process does not), once V8's memory
 *   reducer has given back what logging in grew (see {@link idleRound}); also just after login;
 * - acknowledgement latency: 200 `/video` dispatched at once, one per guild and member, from the
 *   fake sending INTERACTION_CREATE to the fake receiving the interaction callback (both on the
 *   fake's clock). Late callbacks count too: the fake refuses those after 3 s, as Discord does.
 *   Twice per world: the process' first burst after login (info), then, once its jobs are in
 *   line, a second one on other guilds, which holds the verdict (see {@link FIRST_BURST}).
 * The figures are medians over the rounds, and ours are given as ratios to the floor's: on a
 * shared machine absolute times move with the load, ratios measured side by side much less.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BotKind } from './bot-handle.js';
import type { MemorySample } from './protocol.js';
import { mebibytes as megabytes, median, ms, percentile, sleep, waitUntil } from './stats.js';
import { verdict, type Row } from './table.js';
import { startWorld, videoInteraction, type Backend } from './world.js';

export const ACK_INTERACTIONS = 200;
/**
 * Bursts of each bot, interleaved (`BENCH_ROUNDS`, default 9). A round's p99 is the 198th of 200
 * latencies, which one stall of a shared machine moves: within a round ours/floor ran from 0.6× to
 * 2.4× in the same run (2026-12-02), and the median of 5 rounds moved between 1.2× and 1.5× from one
 * run to the next for the same tree. More bursts steady the median; a round costs about
 * 19 s of each bot (its world, the first burst, 8 s and the measured one).
 */
export const ACK_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
/**
 * Idle-RSS rounds of each bot (at most {@link ACK_ROUNDS}): resident memory moves little from one
 * round to the next, and an idle round waits about 10 s for V8's memory reducer.
 */
export const IDLE_ROUNDS = Math.min(ACK_ROUNDS, 5);
export const IDLE_GUILDS = 500;
/** Targets, as ratios to the floor measured in the same run (issue 15). */
export const ACK_P99_RATIO_TARGET = 1.5;
export const COLD_START_RATIO_TARGET = 1.2;
export const IDLE_RSS_MARGIN_BYTES = 25 * 1024 * 1024;
/**
 * The first burst of each world (200 `/video` on guilds 200–399, measured as info), made before the
 * measured one on guilds 0–199. It is also what warms the process up: until then none of the code
 * a `/video` runs has been optimised by V8, which compiles a function once it has run hot, on
 * background threads. With 5 `/video` before the burst, as until 2026-12-03, ours' burst was its
 * code's first real use: ours' CPU to the last acknowledgement was 230–346 ms against 179–256 ms
 * with 100 before it (the floor's, whose whole handler is `deferReply()`, 117–263 ms in both), in
 * back-to-back runs. A bot in service has run its handlers thousands of times; a burst right
 * after a start is the first-burst figure. Ours' first-burst jobs are in flight during the
 * measured burst, as a busy bot's are: their first status requests come 5 s after their
 * submission, 5–10 s after the first burst, so some fall in the measured window (see
 * {@link BURSTS_APART_MS}). That work, which the floor has none of, varies from round to round
 * and counts in ours' CPU figures.
 */
export const FIRST_BURST = ACK_INTERACTIONS;
/**
 * From the first burst's dispatch to the measured one's (ms), the same for both bots (later only
 * when ours' first-burst jobs took longer to be sent). Waiting only for each bot's own work made
 * the gap about 2 s for the floor and 2–7 s for ours, whose jobs are sent after their
 * acknowledgements: the floor's 200 connections to Discord from its first burst were still open
 * (the undici discord.js ships keeps an idle one 3 s under the fake's `Keep-Alive: timeout=5`),
 * ours' often closed, so the floor's measured burst opened none and ours' opened them again. 8 s
 * is past that keep-alive for both, except for the few connections ours keeps busy editing its
 * first burst's replies (at most 10 edits at a time).
 */
export const BURSTS_APART_MS = 8_000;
const GIVE_UP_MS = 90_000;
/** Discord's window to acknowledge an interaction. */
const RESPONSE_WINDOW_MS = 3_000;

export interface AckRound {
  kind: BotKind;
  coldStartMs: number;
  /** The bench process' longest event-loop delay during that start (ms; see `World.harnessStallMs`). */
  harnessStallMs: number;
  /**
   * Idle, settled: after V8's memory reducer ran (or {@link SETTLE_MS} passed: `settled` false).
   * Measured in the first {@link IDLE_ROUNDS} rounds only (undefined after).
   */
  idle?: MemorySample & { settled: boolean };
  /** 1.5 s after login, as every run before the eighth measured idle (with `idle`). */
  justLoggedIn?: MemorySample;
  p50: number;
  p99: number;
  max: number;
  /** p50 and p99 of the process' first burst after login (see {@link FIRST_BURST}; info). */
  firstP50: number;
  firstP99: number;
  /** Callbacks the fake accepted as a deferred reply (type 5) inside the 3 s window. */
  deferred: number;
  /**
   * Bot CPU (user + system) from the burst until every callback (ours: every submission), per
   * /video; ours' includes its first burst's status requests and reply edits made meanwhile.
   */
  cpuPerJobMs: number;
  /**
   * The bot process' CPU (ms, every thread) from sending the burst to its last callback arriving;
   * ours' includes its first burst's status requests and reply edits made meanwhile.
   */
  cpuToAckMs: number;
  loopP99: number;
}

export interface AckFigures {
  rounds: AckRound[];
  /** An allocation profile ran in each burst (`--alloc-prof`): the latencies are no verdict then. */
  profiled: boolean;
  /**
   * The bench could collect its own garbage before each start (run with --expose-gc, as `npm run
   * bench` runs it; see `startWorld`). Without it (`node dist/scripts/bench.js` typed by hand) its
   * GC can land inside a start: the cold-start row says so.
   */
  benchGcExposed?: boolean;
}

const CALLBACK = /^\/v10\/interactions\/(\d+)\/[^/]+\/callback$/;

async function idleMemory(take: () => Promise<MemorySample>): Promise<MemorySample> {
  const samples: MemorySample[] = [];
  for (let i = 0; i < 3; i += 1) {
    samples.push(await take());
    await sleep(200);
  }
  return samples.sort((a, b) => a.rss - b.rss)[1] ?? samples[0]!;
}

/**
 * How long an idle round waits for V8's memory reducer at most. Here it ran 8.0 s after the 1.5 s
 * sample in every round: V8 arms it 8 s after a full GC (the sample's forced ones included) and
 * runs it then if the process is quiet.
 */
const SETTLE_MS = 20_000;
/** The reducer has run once the heap V8 holds (heapTotal, no gc) falls below this share of the peak. */
const SETTLED_HEAP_SHARE = 0.75;

/**
 * Idle RSS after gc(), in a world of its own, twice: 1.5 s after login, and settled.
 *
 * Settled: a process that has just logged in still holds the heap it grew doing so, the young
 * generation above all (V8 grows its two semi-spaces to 16 MiB each under load and keeps their
 * pages after any GC, forced ones included), until V8's memory reducer sees the process idle and
 * gives them back, a few seconds later. How much of that young generation a process had touched
 * 1.5 s after login depended on how many scavenges logging in took: measured on 2026-12-01, the
 * young generation alone was 30.5 MiB resident in ours and 15.8 in the floor at 1.5 s, 0.3–1.0
 * MiB in both once the reducer had run (`v8.getHeapSpaceStatistics()`), RSS falling by 30 MiB
 * for ours and 17 for the floor. A bot idles for hours; the settled figure is the one a server's
 * operator sees. The wait peeks at heapTotal without collecting (a forced GC would be work V8
 * did not choose), until it falls below {@link SETTLED_HEAP_SHARE} of its peak.
 *
 * Not in the burst's world: a forced full GC
 * recomputes V8's old-generation limit from the live heap at a time the process does nothing,
 * which gives it the least headroom, so the first burst after it pays a major GC that a
 * production process (which never calls gc()) would not, and more so the larger its live heap.
 * Measured side by side on 2026-11-30 (SQLite): the ack p99 ratio was about 2.0× after the forced
 * GCs and 1.5-1.6× without them.
 */
async function idleRound(backend: Backend, kind: BotKind): Promise<Pick<AckRound, 'idle' | 'justLoggedIn'>> {
  const world = await startWorld({ backend, guilds: IDLE_GUILDS, bot: kind });
  try {
    const { bot } = world;
    await sleep(1_500);
    const justLoggedIn = await idleMemory(() => bot.memory());
    const started = Date.now();
    let peak = (await bot.memory({ gc: false })).heapTotal;
    let settled = false;
    while (Date.now() - started < SETTLE_MS) {
      await sleep(250);
      const { heapTotal } = await bot.memory({ gc: false });
      peak = Math.max(peak, heapTotal);
      if (heapTotal < SETTLED_HEAP_SHARE * peak) {
        settled = true;
        break;
      }
    }
    await sleep(500);
    return { justLoggedIn, idle: { ...(await idleMemory(() => bot.memory())), settled } };
  } finally {
    await world.close();
  }
}

/**
 * `cpuProfDir`: where the round's bot writes its CPU profile (`--cpu-prof`: `<dir>/<kind>/round-<n>/`);
 * `allocProfilePath`: where it writes its allocation profile (`--alloc-prof`).
 */
async function measureRound(
  backend: Backend,
  kind: BotKind,
  round: number,
  withIdle: boolean,
  cpuProfDir?: string,
  allocProfilePath?: string,
): Promise<AckRound> {
  const memory = withIdle ? await idleRound(backend, kind) : {};
  // Guilds 200..399 take the first burst; 0..199 the measured one.
  const profile = cpuProfDir ? { cpuProfDir: join(cpuProfDir, kind, `round-${round}`) } : {};
  const world = await startWorld({ backend, guilds: IDLE_GUILDS, bot: kind, ...profile });
  try {
    const { discord, provider, bot } = world;
    await sleep(1_500);

    const callbacksFor = (ids: Set<string>) =>
      discord.requests.filter((r) => r.method === 'POST' && ids.has(CALLBACK.exec(r.path)?.[1] ?? ''));
    /** Each interaction's latency, dispatch → callback (ms); a callback that never came counts as infinitely late. */
    const latenciesOf = (ids: Set<string>) => {
      const requests = callbacksFor(ids);
      const latencies = requests.map((r) => r.at - (discord.interaction(CALLBACK.exec(r.path)?.[1] ?? '')?.dispatchedAt ?? r.at));
      for (let missing = ids.size - requests.length; missing > 0; missing -= 1) latencies.push(Number.POSITIVE_INFINITY);
      return latencies;
    };
    /** How many of `ids` the fake accepted a deferred reply (type 5) for, inside the 3 s window. */
    const deferredOf = (ids: Set<string>) => discord.callbacks.filter((c) => ids.has(c.interactionId) && c.type === 5).length;
    const firstIds = new Set<string>();
    const firstAt = Date.now();
    for (let g = ACK_INTERACTIONS; g < ACK_INTERACTIONS + FIRST_BURST; g += 1) {
      firstIds.add(discord.dispatchInteraction(videoInteraction(g, 0, `bench first burst ${g}: a quiet lake at dawn`)).id);
    }
    await waitUntil(() => callbacksFor(firstIds).length >= FIRST_BURST, GIVE_UP_MS, "the first burst's callbacks").catch(() => undefined);
    const first = latenciesOf(firstIds);
    const firstDeferred = deferredOf(firstIds);
    // Ours: its first burst's jobs are sent before the measured burst (the fake provider's tasks
    // never end). A job deferred and never sent (refused after its deferral, a store error) only
    // ends the wait later: no reason to stop the bench.
    if (kind === 'ours') {
      await waitUntil(() => provider.submissions.length >= firstDeferred, 60_000, "the first burst's jobs to be submitted").catch(
        () => undefined,
      );
    }
    await sleep(Math.max(1_000, BURSTS_APART_MS - (Date.now() - firstAt)));
    await bot.resetLoop();
    if (allocProfilePath) await bot.allocStart();
    const cpuBefore = await bot.cpuMs();

    const ids = new Set<string>();
    for (let g = 0; g < ACK_INTERACTIONS; g += 1) {
      ids.add(discord.dispatchInteraction(videoInteraction(g, 0, `bench ack ${g}: a red fox trotting through fresh snow`)).id);
    }
    await waitUntil(() => callbacksFor(ids).length >= ACK_INTERACTIONS, GIVE_UP_MS, `${ACK_INTERACTIONS} interaction callbacks`).catch(
      () => undefined,
    );
    const cpuToAckMs = (await bot.cpuMs()) - cpuBefore;
    const loop = await bot.loop();
    // Stopping the profiler and writing its file block the bot for about 100 ms: after the loop
    // delay is read, and its CPU left out of the CPU per /video.
    let profilerCpuMs = 0;
    if (allocProfilePath) {
      const before = await bot.cpuMs();
      await bot.allocStop(allocProfilePath);
      profilerCpuMs = (await bot.cpuMs()) - before;
    }
    const latencies = latenciesOf(ids);
    const deferred = deferredOf(ids);
    if (kind === 'ours') {
      await waitUntil(() => provider.submissions.length >= firstDeferred + deferred, 60_000, 'the accepted jobs to be submitted').catch(
        () => undefined,
      );
    }
    const cpuMs = (await bot.cpuMs()) - cpuBefore - profilerCpuMs;
    return {
      kind,
      coldStartMs: world.coldStartMs,
      harnessStallMs: world.harnessStallMs,
      ...memory,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
      firstP50: percentile(first, 50),
      firstP99: percentile(first, 99),
      deferred,
      cpuPerJobMs: cpuMs / ACK_INTERACTIONS,
      cpuToAckMs,
      loopP99: loop.p99,
    };
  } finally {
    await world.close();
  }
}

/**
 * ACK_ROUNDS rounds of ours and of the floor, alternating which starts each round.
 * `allocProfDir` (`--alloc-prof`): each round's bot also writes a sampling profile of what it
 * allocated from the burst until its last callback (see `BotHandle.allocStart`); the profiler's
 * own work is in that round's figures.
 */
export async function measureAck(backend: Backend, cpuProfDir?: string, allocProfDir?: string): Promise<AckFigures> {
  const rounds: AckRound[] = [];
  for (let i = 0; i < ACK_ROUNDS; i += 1) {
    const order: BotKind[] = i % 2 === 0 ? ['ours', 'floor'] : ['floor', 'ours'];
    for (const kind of order) {
      const allocDir = allocProfDir ? join(allocProfDir, kind) : undefined;
      if (allocDir) mkdirSync(allocDir, { recursive: true });
      rounds.push(
        await measureRound(backend, kind, i + 1, i < IDLE_ROUNDS, cpuProfDir, allocDir && join(allocDir, `round-${i + 1}.heapprofile`)),
      );
    }
    // Once every callback of ours missed Discord's window, more rounds only take time.
    if (rounds.some((r) => r.kind === 'ours' && r.p50 > RESPONSE_WINDOW_MS)) break;
  }
  return { rounds, profiled: allocProfDir !== undefined, benchGcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function' };
}

/**
 * Ours/floor with two decimals, or three where two would print a target exactly for a figure on
 * either side of it (a cold start of 1.204× read "1.20×" beside "FAIL" against ≤ 1.2×).
 */
const ratio = (ours: number, floor: number): string => {
  const value = ours / floor;
  const nearTarget = [ACK_P99_RATIO_TARGET, COLD_START_RATIO_TARGET].some((target) => value !== target && Math.abs(value - target) < 0.005);
  return `${value.toFixed(nearTarget ? 3 : 2)}×`;
};
const signed = (bytes: number): string => `${bytes < 0 ? '−' : '+'}${megabytes(Math.abs(bytes))}`;

export function ackRows(f: AckFigures): Row[] {
  const of = (kind: BotKind) => f.rounds.filter((r) => r.kind === kind);
  const ours = of('ours');
  const floor = of('floor');
  const med = (rounds: AckRound[], pick: (r: AckRound) => number) => median(rounds.map(pick));
  const p50 = [med(ours, (r) => r.p50), med(floor, (r) => r.p50)] as const;
  const p99 = [med(ours, (r) => r.p99), med(floor, (r) => r.p99)] as const;
  const firstP50 = [med(ours, (r) => r.firstP50), med(floor, (r) => r.firstP50)] as const;
  const firstP99 = [med(ours, (r) => r.firstP99), med(floor, (r) => r.firstP99)] as const;
  const cpuToAck = [med(ours, (r) => r.cpuToAckMs), med(floor, (r) => r.cpuToAckMs)] as const;
  const cold = [med(ours, (r) => r.coldStartMs), med(floor, (r) => r.coldStartMs)] as const;
  const gcNote = f.benchGcExposed === false ? '; the bench ran without --expose-gc' : '';
  // Idle memory was measured in the first rounds only.
  const idleOf = (rounds: AckRound[]) => rounds.flatMap((r) => (r.idle && r.justLoggedIn ? [{ idle: r.idle, early: r.justLoggedIn }] : []));
  const idleMed = (pick: (m: { idle: MemorySample; early: MemorySample }) => number) =>
    [median(idleOf(ours).map(pick)), median(idleOf(floor).map(pick))] as const;
  const rss = idleMed((m) => m.idle.rss);
  const heap = idleMed((m) => m.idle.heapUsed);
  const early = idleMed((m) => m.early.rss);
  const idleRounds = idleOf(f.rounds);
  const unsettled = idleRounds.filter((m) => !m.idle.settled).length;
  // When it ran says nothing about the bot: V8 arms the reducer 8 s after a full GC, here the
  // 1.5 s sample's own. Only a round where it never ran is worth a word.
  const settleNote =
    unsettled > 0
      ? `; in ${unsettled} of ${idleRounds.length} idle rounds V8's memory reducer had not run within ${SETTLE_MS / 1000} s: sampled then`
      : '';
  const late = Math.max(0, ...ours.map((r) => ACK_INTERACTIONS - r.deferred));
  const each = (rounds: AckRound[], pick: (r: AckRound) => number, show: (v: number) => string) =>
    rounds.map((r) => show(pick(r))).join(' / ');
  const lateNote = late > 0 ? `; up to ${late}/${ACK_INTERACTIONS} past the 3 s window` : '';
  // A floor that missed some of its deferrals has an infinite p99, which any figure of ours would
  // "beat": no comparison then.
  const floorMissed = Math.max(0, ...floor.map((r) => ACK_INTERACTIONS - r.deferred));
  const floorNote =
    floorMissed > 0 ? `; the floor deferred only ${ACK_INTERACTIONS - floorMissed}/${ACK_INTERACTIONS} in a round: no comparison` : '';
  // Ours against the floor of the same round (they ran back to back): the machine's drift between
  // rounds cancels there, so a spread of these says how much of the ratio is noise.
  const pairs = ours.flatMap((r, i) => {
    const other = floor[i];
    return other ? [r.p99 / other.p99] : [];
  });
  const pairNote =
    pairs.length > 0
      ? `; ours/floor within each round ${pairs.map((x) => `${x.toFixed(2)}×`).join(' / ')}, median ${median(pairs).toFixed(2)}×`
      : '';
  const rounds = `${ours.length} rounds each, interleaved`;
  return [
    {
      figure: `ack latency p50, ours vs floor (${ACK_INTERACTIONS} /video at once, the process' second burst; ${rounds})`,
      measured: `${ms(p50[0])} vs ${ms(p50[1])} = ${ratio(p50[0], p50[1])} (bot CPU ${med(ours, (r) => r.cpuPerJobMs).toFixed(1)} ms per /video accept → submitted; floor ${med(floor, (r) => r.cpuPerJobMs).toFixed(1)} ms)`,
      target: '—',
      result: 'info',
    },
    {
      figure: 'ack latency p99, ours vs floor',
      measured: `${ms(p99[0])} vs ${ms(p99[1])} = ${ratio(p99[0], p99[1])} (ours ${each(ours, (r) => r.p99, ms)}; floor ${each(floor, (r) => r.p99, ms)}; ours loop delay p99 ${ms(med(ours, (r) => r.loopP99))}${pairNote}${lateNote}${floorNote}${f.profiled ? '; an allocation profile ran in every burst, so no verdict' : ''})`,
      target: `≤ ${ACK_P99_RATIO_TARGET}×`,
      // The allocation profiler slows the bursts it samples: their latencies are info only.
      result: f.profiled ? 'info' : verdict(p99[0] <= ACK_P99_RATIO_TARGET * p99[1] && late === 0 && floorMissed === 0),
    },
    {
      figure: `ack latency p50 / p99 in the first burst after login (${FIRST_BURST} /video at once), ours vs floor`,
      measured: `p50 ${ms(firstP50[0])} vs ${ms(firstP50[1])} = ${ratio(firstP50[0], firstP50[1])}; p99 ${ms(firstP99[0])} vs ${ms(firstP99[1])} = ${ratio(firstP99[0], firstP99[1])} (ours ${each(ours, (r) => r.firstP99, ms)}; floor ${each(floor, (r) => r.firstP99, ms)}; none of ours' handler code optimised by V8 yet)`,
      target: '—',
      result: 'info',
    },
    {
      // Wall-clock latency on a shared machine moves with whatever else runs; the CPU the burst
      // took moves far less, and on a machine with a core to spare the p99 follows it.
      figure: 'bot CPU from the burst to its last acknowledgement, ours vs floor',
      measured: `${ms(cpuToAck[0])} vs ${ms(cpuToAck[1])} = ${ratio(cpuToAck[0], cpuToAck[1])} (ours ${each(ours, (r) => r.cpuToAckMs, ms)}; floor ${each(floor, (r) => r.cpuToAckMs, ms)}; every thread of the process)`,
      target: '—',
      result: 'info',
    },
    {
      figure: 'cold start (fork → IDENTIFY), ours vs floor',
      measured: `${ms(cold[0])} vs ${ms(cold[1])} = ${ratio(cold[0], cold[1])} (ours ${each(ours, (r) => r.coldStartMs, ms)}; floor ${each(floor, (r) => r.coldStartMs, ms)}; the bench's own longest loop delay during each start, ours ${each(ours, (r) => r.harnessStallMs, ms)}; floor ${each(floor, (r) => r.harnessStallMs, ms)}${gcNote})`,
      target: `≤ ${COLD_START_RATIO_TARGET}×`,
      result: verdict(cold[0] <= COLD_START_RATIO_TARGET * cold[1]),
    },
    {
      figure: `RSS idle (${IDLE_GUILDS} guilds, after gc, once V8's memory reducer ran; ${idleOf(ours).length} rounds each), ours vs floor`,
      measured: `${megabytes(rss[0])} vs ${megabytes(rss[1])} = ${signed(rss[0] - rss[1])}, ${ratio(rss[0], rss[1])} (heap ${megabytes(heap[0])} vs ${megabytes(heap[1])}; 1.5 s after login ${megabytes(early[0])} vs ${megabytes(early[1])} = ${signed(early[0] - early[1])}${settleNote})`,
      target: `≤ floor + ${megabytes(IDLE_RSS_MARGIN_BYTES)}`,
      result: verdict(rss[0] - rss[1] <= IDLE_RSS_MARGIN_BYTES),
    },
  ];
}
