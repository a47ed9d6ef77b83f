/**
 * Scale in simulation (the last phase of a default run, on Redis only; alone with
 * `--phases=scale`: about fourteen minutes). The real bot against the fakes on Redis with the
 * provider's default status budget (XCOMPUTE_MAX_POLLS_PER_S=10, shared through Redis) and tasks
 * that never finish:
 * - one process holding SCALE_JOBS jobs in flight ({@link ONE_PROCESS_MEMBERS_PER_GUILD} a guild);
 * - four shard processes (SHARD_COUNT=4, one shard each) holding SCALE_JOBS between them, each
 *   logged in to {@link SHARD_GUILDS} guilds.
 * The fill reports how the `/video` were acknowledged (p50/p99/max, and how many missed Discord's
 * 3 s: the fake refuses those, as Discord does, so they are counted rather than waited for). Then,
 * once the progress edits of the fill have gone out, a steady window reports each process' CPU
 * (share of one core) and RSS after gc, the store's operations per second (Redis commands, from
 * INFO), status requests per second against the budget, and progress edits per status request;
 * the edits that changed nothing the member sees are counted over the whole run (target 0), and
 * the one process' RSS added per job in flight is judged (under 20 kB).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createClient } from '@keyv/redis';
import { startFakeDiscord, type FakeCommandInteractionSpec, type FakeDiscord } from '../../test/fakes/discord/index.js';
import { startFakeProvider } from '../../test/fakes/provider.js';
import { startBotProcess, type BotHandle } from './bot-handle.js';
import { editCounter } from './edits.js';
import { JOB_MEMORY_TARGET_BYTES } from './memory.js';
import { kilobytes, mebibytes, ms, percentile, sleep, waitUntil } from './stats.js';
import { verdict, type Row } from './table.js';

export const SCALE_JOBS = Number(process.env.BENCH_SCALE_JOBS ?? 10_000);
/** Which runs: one process, four shard processes, or both (default `1,4`). */
export const SCALE_PROCESSES = (process.env.BENCH_SCALE_PROCESSES ?? '1,4').split(',').map(Number);
/**
 * Guilds each shard process is logged in to: Discord's most per shard (its docs, "Sharding": a
 * shard may hold at most 2,500 guilds), so a shard of the four-shard run is the process the
 * README's "What one process holds" is about: 10,000 guilds, 2,500 a shard, one member each asking
 * (2,500 jobs a shard).
 */
export const SHARD_GUILDS = 2_500;
/**
 * Members asking in each guild of the one-process run: under the default of 3 videos a server may
 * have in progress at once (`/quota set max_concurrent`), so none is refused. 10,000 jobs in one
 * process are then 5,000 guilds, two shards' worth.
 */
export const ONE_PROCESS_MEMBERS_PER_GUILD = 2;
const BATCH = 250;
const STEADY_MS = 30_000;
const POLL_BUDGET_PER_S = 10;
/** Status requests measured over a 30 s window may read this much over the budget's rate. */
const STATUS_SLACK = 1.05;
/** A batch whose interactions are neither answered nor refused within this is a stall. */
const BATCH_TIMEOUT_MS = 60_000;
/** The edits of the fill (a place in line, then "queued") have gone out when edits per poll fall to this. */
const DRAINED_EDITS_PER_POLL = 1.5;
const DRAIN_MAX_MS = 300_000;

// Guild ids one shard apart (1 << 22), so `(id >> 22) % 4` spreads them over four shards evenly.
const GUILD_BASE = 1_300_000_000_000_000_000n;
const guildId = (g: number) => (GUILD_BASE + BigInt(g) * 4_194_304n).toString();
const channelId = (g: number) => (BigInt(guildId(g)) + 1n).toString();
const userId = (g: number, m: number) => (1_400_000_000_000_000_000n + BigInt(g) * 100n + BigInt(m)).toString();

function video(g: number, m: number): FakeCommandInteractionSpec {
  return {
    guildId: guildId(g),
    channelId: channelId(g),
    user: { id: userId(g, m), username: `scale_${g}_${m}` },
    commandName: 'video',
    options: [{ name: 'prompt', type: 3, value: `scale ${g}/${m}: a slow timelapse of clouds over mountains` }],
  };
}

async function redisCommands(url: string): Promise<number> {
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const info = await client.info('stats');
    return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? Number.NaN);
  } finally {
    await client.quit().catch(() => undefined);
  }
}

async function flush(url: string): Promise<void> {
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  await client.flushDb();
  await client.quit().catch(() => undefined);
}

const CALLBACK = /^\/v10\/interactions\/\d+\/[^/]+\/callback$/;

/**
 * Counts what the fake Discord received, reading only the requests that arrived since the last
 * look: with 10,000 jobs the list holds hundreds of thousands, too many to filter every 10 ms.
 */
function tallyOf(discord: FakeDiscord) {
  let seen = 0;
  const counts = { answered: 0, refused: 0 };
  const edits = editCounter(
    () => discord.requests,
    (path) => discord.messageIdOf(path),
  );
  return () => {
    const requests = discord.requests;
    for (; seen < requests.length; seen += 1) {
      const r = requests[seen];
      if (!r) continue;
      if (r.method === 'POST' && CALLBACK.test(r.path)) {
        if (r.status < 300) counts.answered += 1;
        else counts.refused += 1;
      }
    }
    const { edits: sent, unchanged } = edits();
    return { ...counts, edits: sent, unchanged };
  };
}

export interface ScaleRun {
  processes: number;
  jobs: number;
  /** Guilds the fake gateway gave each process. */
  guildsPerProcess: number;
  fillSeconds: number;
  /** Acknowledgements of the fill's `/video`: latency, and those Discord refused (later than 3 s). */
  ack: { p50: number; p99: number; max: number; late: number };
  /** Event-loop delay p99 of the benchmark's own process (the fakes) during the fill, in ms. */
  harnessLoopP99: number;
  /** From the last submission to the edit backlog of the fill having gone out, in s. */
  drainSeconds: number;
  /** Per process: CPU as a share of one core in the steady window; RSS after gc idle (logged in) and after it. */
  perProcess: Array<{ cpuShare: number; idleRss: number; rss: number; heap: number }>;
  storeOpsPerS: number;
  statusPerS: number;
  editsPerS: number;
  /** Every progress edit of the run (fill and steady window), and those that changed nothing the member sees. */
  edits: { sent: number; unchanged: number };
}

async function run(redisUrl: string, processes: number): Promise<ScaleRun> {
  const guilds = processes === 1 ? Math.ceil(SCALE_JOBS / ONE_PROCESS_MEMBERS_PER_GUILD) : SHARD_GUILDS * processes;
  const membersPerGuild = Math.ceil(SCALE_JOBS / guilds);
  await flush(redisUrl);
  const discord = await startFakeDiscord({
    guilds: Array.from({ length: guilds }, (_, g) => ({
      id: guildId(g),
      name: `scale ${g}`,
      channels: [{ id: channelId(g), name: 'general' }],
    })),
    recommendedShards: processes,
  });
  const provider = await startFakeProvider({ pollsToComplete: null });
  const bots: BotHandle[] = [];
  try {
    const env: Record<string, string> = {
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      XCOMPUTE_API_KEY: provider.apiKey,
      XCOMPUTE_BASE_URL: provider.baseUrl,
      STORE_URL: redisUrl,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
      QUOTA_DEFAULT_LIMIT: '1000000',
      // Submissions lifted so the jobs are in flight within minutes; status requests keep the default budget.
      XCOMPUTE_MAX_RPM: '1000000',
      XCOMPUTE_MAX_POLLS_PER_S: String(POLL_BUDGET_PER_S),
      STORE_ALLOW_VOLATILE: 'true',
    };
    for (let shard = 0; shard < processes; shard += 1) {
      const sharding: Record<string, string> =
        processes > 1
          ? { SHARDING_MANAGER: 'true', SHARDING_MANAGER_MODE: 'process', SHARDS: String(shard), SHARD_COUNT: String(processes) }
          : {};
      bots.push(await startBotProcess({ ...env, ...sharding }, { processEnv: sharding, startTimeoutMs: 180_000 }));
    }
    await waitUntil(() => discord.gatewaySessions >= processes, 60_000, 'every shard to identify');
    // Logged in to its guilds (discord.js' caches of guilds, channels, roles), no job yet.
    await sleep(2_000);
    const idle = await Promise.all(bots.map((b) => b.memory()));

    const tally = tallyOf(discord);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const started = Date.now();
    let sent = 0;
    for (let m = 0; m < membersPerGuild; m += 1) {
      for (let g = 0; g < guilds && sent < SCALE_JOBS; g += 1) {
        discord.dispatchInteraction(video(g, m));
        sent += 1;
        if (sent % BATCH === 0 || sent === SCALE_JOBS) {
          const batchEnd = sent;
          await waitUntil(
            () => {
              const { answered, refused } = tally();
              return answered + refused >= batchEnd;
            },
            BATCH_TIMEOUT_MS,
            `${batchEnd} interactions answered or refused (answered ${tally().answered}, refused ${tally().refused})`,
          );
        }
      }
    }
    const late = tally().refused;
    const accepted = () => provider.submissions.reduce((n, s) => n + (s.status === 200 ? 1 : 0), 0);
    // Every job the bot acknowledged in time is submitted; those Discord refused never reach it.
    await waitUntil(() => accepted() >= SCALE_JOBS - late, 900_000, `${SCALE_JOBS - late} submissions`);
    const fillSeconds = (Date.now() - started) / 1000;
    loop.disable();
    const afterMs = discord.callbacks.map((c) => c.afterMs);

    // The fill's edits (each reply's place in line, then "queued") wait for Discord's rate limits;
    // the window opens once they have gone out, so it counts what the poller causes.
    const drainStarted = Date.now();
    for (;;) {
      const [edits0, status0] = [tally().edits, provider.statusRequests.length];
      await sleep(5_000);
      const edits = tally().edits - edits0;
      const polls = provider.statusRequests.length - status0;
      if (edits <= DRAINED_EDITS_PER_POLL * Math.max(1, polls) || Date.now() - drainStarted > DRAIN_MAX_MS) break;
    }
    const drainSeconds = (Date.now() - drainStarted) / 1000;

    const [cpu0, ops0, status0, edits0, t0] = [
      await Promise.all(bots.map((b) => b.cpuMs())),
      await redisCommands(redisUrl),
      provider.statusRequests.length,
      tally().edits,
      Date.now(),
    ];
    await sleep(STEADY_MS);
    const [cpu1, ops1, status1, edits1, t1] = [
      await Promise.all(bots.map((b) => b.cpuMs())),
      await redisCommands(redisUrl),
      provider.statusRequests.length,
      tally().edits,
      Date.now(),
    ];
    const seconds = (t1 - t0) / 1000;
    const memory = await Promise.all(bots.map((b) => b.memory()));
    const { edits: editsSent, unchanged } = tally();
    return {
      processes,
      jobs: provider.tasks.size,
      guildsPerProcess: guilds / processes,
      fillSeconds,
      ack: { p50: percentile(afterMs, 50), p99: percentile(afterMs, 99), max: Math.max(...afterMs), late },
      harnessLoopP99: loop.percentile(99) / 1e6,
      drainSeconds,
      perProcess: bots.map((_, i) => ({
        cpuShare: ((cpu1[i] ?? 0) - (cpu0[i] ?? 0)) / (t1 - t0),
        idleRss: idle[i]?.rss ?? Number.NaN,
        rss: memory[i]?.rss ?? Number.NaN,
        heap: memory[i]?.heapUsed ?? Number.NaN,
      })),
      storeOpsPerS: (ops1 - ops0) / seconds,
      statusPerS: (status1 - status0) / seconds,
      editsPerS: (edits1 - edits0) / seconds,
      edits: { sent: editsSent, unchanged },
    };
  } finally {
    await Promise.allSettled(bots.map((b) => b.stop()));
    await discord.close().catch(() => undefined);
    await provider.close().catch(() => undefined);
    await flush(redisUrl).catch(() => undefined);
  }
}

/** A run that failed keeps its error, so the other run's figures are still printed. */
export type ScaleOutcome = ScaleRun | { processes: number; error: string };

export async function measureScale(redisUrl: string): Promise<ScaleOutcome[]> {
  const outcomes: ScaleOutcome[] = [];
  for (const processes of SCALE_PROCESSES) {
    outcomes.push(
      await run(redisUrl, processes).catch((err: unknown) => ({
        processes,
        error: err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err),
      })),
    );
  }
  return outcomes;
}

const pct = (share: number) => `${(share * 100).toFixed(1)} %`;

export function scaleRows(runs: ScaleOutcome[]): Row[] {
  return runs.flatMap((r) => {
    if ('error' in r)
      return [
        {
          figure: `${SCALE_JOBS} jobs in flight, ${r.processes} process(es)`,
          measured: `error: ${r.error}`,
          target: '—',
          result: 'FAIL' as const,
        },
      ];
    const what =
      r.processes === 1
        ? `${r.jobs} jobs in flight, one process (${r.guildsPerProcess} guilds)`
        : `${r.jobs} jobs in flight, ${r.processes} shard processes on one Redis (${r.guildsPerProcess} guilds each)`;
    const cpu = r.perProcess.map((p) => pct(p.cpuShare)).join(' / ');
    const rss = r.perProcess.map((p) => `${mebibytes(p.rss)} (idle ${mebibytes(p.idleRss)})`).join(' / ');
    const perJob = r.perProcess.reduce((total, p) => total + p.rss - p.idleRss, 0) / r.jobs;
    const judgedMemory = r.processes === 1 && r.jobs >= 10_000;
    return [
      {
        figure: `${what}: fill, /video acknowledged (p50 / p99 / max; later than 3 s)`,
        measured: `${ms(r.ack.p50)} / ${ms(r.ack.p99)} / ${ms(r.ack.max)}; ${r.ack.late} late; filled in ${r.fillSeconds.toFixed(0)} s (bench loop delay p99 ${ms(r.harnessLoopP99)})`,
        target: '0 late',
        result: verdict(r.ack.late === 0),
      },
      {
        // One process with 10,000 jobs: what they added to its idle RSS, per job, nothing left out
        // (the one-time cost of a first burst and V8's young generation, spread over 10,000 jobs,
        // are a kB or two). Fewer jobs (a shard's 2,500, a smaller BENCH_SCALE_JOBS) are within
        // that noise: info.
        figure: `${what}: CPU of one core, RSS after gc (each process; idle: logged in, no job), RSS added per job in flight`,
        measured: `${cpu}; ${rss}; ${kilobytes(perJob)} a job`,
        target: judgedMemory ? `< ${kilobytes(JOB_MEMORY_TARGET_BYTES)} a job` : '—',
        result: judgedMemory ? verdict(perJob < JOB_MEMORY_TARGET_BYTES) : ('info' as const),
      },
      {
        figure: `${what}: store ops, status requests`,
        measured: `${r.storeOpsPerS.toFixed(0)} Redis commands/s; ${r.statusPerS.toFixed(1)} status requests/s (budget ${POLL_BUDGET_PER_S}/s)`,
        // The budget's sliding window and the steady window's edges do not line up: 5 % over, at most.
        target: `status ≤ ${POLL_BUDGET_PER_S}/s (+5 %: the windows' edges)`,
        result: verdict(r.statusPerS <= POLL_BUDGET_PER_S * STATUS_SLACK),
      },
      {
        figure: `${what}: progress edits per status poll (after the fill's edits went out)`,
        measured: `${(r.editsPerS / r.statusPerS).toFixed(2)} (${r.editsPerS.toFixed(1)} edits/s; the fill's edits took ${r.drainSeconds.toFixed(0)} s to go out)`,
        target: '≤ 1',
        result: verdict(r.editsPerS <= r.statusPerS),
      },
      {
        figure: `${what}: progress edits that changed nothing the member sees (the whole run; the same body and files as the message's last edit)`,
        measured: `${r.edits.unchanged} of ${r.edits.sent}`,
        target: '0',
        result: verdict(r.edits.unchanged === 0),
      },
    ];
  });
}
