import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { createQuotaService } from '../../src/quota/quota-service.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { startFakeProvider, type FakeProvider } from '../fakes/provider.js';
import { fakeEnv, videoCommand } from './harness.js';
import { buildBotOnce, startBotProcess, type BotProcess } from './process.js';

/**
 * The chaos test of issue 11: the real bot as a child process, SIGKILLed at a random moment of
 * each step of a job's life (acknowledgement, submission, status poll, upload, failure message),
 * restarted, and killed again, on SQLite and on Redis (a redis-server of its own with appendonly,
 * as an operator must run it). Seeded and reproducible: CHAOS_SEED picks the seed (printed on a
 * failure), CHAOS_KILLS the number of kills per store. After the last start, with every job
 * ended, four invariants must hold:
 *  1. every job whose deferral Discord received ends with a final message to its member;
 *  2. reservations held = jobs in flight (none);
 *  3. credits charged = videos delivered (ledger `charged` lines = replies holding the video);
 *  4. no task submitted twice and no video delivered twice.
 */

const SEED = Number(process.env.CHAOS_SEED ?? 20261130);
const KILLS = Number(process.env.CHAOS_KILLS ?? 8);
const STEPS = ['deferral', 'submission', 'status poll', 'upload', 'failure message'] as const;
type Step = (typeof STEPS)[number];

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const promptOf = (body: unknown) => (body as { prompt: string }).prompt;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const hasRedisServer = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
})();

/** A redis-server of the test's own, persisting every write (appendonly, fsync always). */
async function startPersistentRedis(dir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (let i = 0; i < 100; i += 1) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = createServer();
      socket.once('error', () => resolve(true));
      socket.listen(port, '127.0.0.1', () => socket.close(() => resolve(false)));
    });
    if (up) break;
    await sleep(50);
  }
  return {
    url: `redis://127.0.0.1:${port}/0`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

interface Sent {
  interactionId: string;
  prompt: string;
  fail: boolean;
  sentAt: number;
}

interface ChaosResult {
  kills: number;
  jobs: number;
  byStep: Record<Step, number>;
  /** Acknowledged early because the store took over 2 s (see below): not covered by invariant 1. */
  earlyAcks: number;
}

async function runChaos(
  storeUrl: (dir: string) => Promise<{ url: string; stop: () => Promise<void> }>,
  label: string,
): Promise<ChaosResult> {
  const random = prng(SEED + (label === 'redis' ? 1 : 0));
  const entry = buildBotOnce();
  const dir = mkdtempSync(join(tmpdir(), `hvb-chaos-${label}-`));
  const discord: FakeDiscord = await startFakeDiscord();
  // Tasks finish after two status polls; the test fails some of them on purpose.
  const provider: FakeProvider = await startFakeProvider({ pollsToComplete: 2 });
  const backend = await storeUrl(dir);
  const env = {
    ...fakeEnv(discord, provider, join(dir, 'bot.sqlite')),
    STORE_URL: backend.url,
    LOG_LEVEL: 'error',
    QUOTA_DEFAULT_LIMIT: '1000',
  };
  const sent: Sent[] = [];
  const byStep = Object.fromEntries(STEPS.map((s) => [s, 0])) as Record<Step, number>;
  let bot: BotProcess | undefined;
  let jobNo = 0;
  let earlyAcks: number;

  const boot = async () => {
    const sessions = discord.identifies.length;
    bot = startBotProcess(entry, env);
    await discord.waitFor(() => discord.identifies.length > sessions && discord.gatewaySessions > 0, { timeoutMs: 20_000 });
    await sleep(150);
  };
  const kill = async () => {
    if (!bot) return;
    process.kill(bot.child.pid ?? 0, 'SIGKILL');
    await bot.exited;
    bot = undefined;
  };
  const send = (fail: boolean) => {
    jobNo += 1;
    const prompt = `chaos ${label} job ${jobNo}`;
    // Each job its own member, so the per-member cap of jobs in flight never refuses one.
    const { id } = discord.dispatchInteraction({
      ...videoCommand({ prompt }),
      user: { id: String(1_300_000_000_000_000 + jobNo), username: `member${jobNo}` },
    });
    sent.push({ interactionId: id, prompt, fail, sentAt: Date.now() });
  };
  // The moment each step was reached, as seen by the fakes (in this process, checked every ms).
  const counters: Record<Step, () => number> = {
    deferral: () => discord.callbacks.length,
    submission: () => provider.submissions.length,
    'status poll': () => provider.statusRequests.length,
    upload: () => discord.requests.filter((r) => r.files.length > 0).length,
    'failure message': () =>
      discord.requests.filter((r) => r.method === 'PATCH' && JSON.stringify(r.body ?? '').includes('could not be made')).length,
  };
  // Jobs meant to fail are failed at the provider as soon as they are submitted.
  const failer = setInterval(() => {
    for (const s of provider.submissions) {
      const meant = sent.find((x) => x.prompt === promptOf(s.body));
      if (meant?.fail && s.taskId) {
        try {
          provider.failTask(s.taskId, 'chaos says no');
        } catch {
          // not yet known to the fake
        }
      }
    }
  }, 5);

  const started = Date.now();
  try {
    await boot();
    for (let k = 0; k < KILLS; k += 1) {
      const step = STEPS[k % STEPS.length] ?? 'deferral';
      const before = counters[step]();
      // Two new jobs a round, one in three meant to fail; jobs of earlier rounds resume meanwhile.
      send(step === 'failure message' || random() < 0.3);
      await sleep(random() * 40);
      send(random() < 0.3);
      const reached = await waitUntil(() => counters[step]() > before, 8_000);
      // A random point inside the step: 0–5 ms after it was seen.
      await sleep(random() * 5);
      await kill();
      if (reached) byStep[step] += 1;
      if (process.env.CHAOS_VERBOSE)
        console.info(`chaos ${label}: kill ${k + 1} in ${step} (reached ${reached}) after ${Date.now() - started} ms`);
      await boot();
    }
    // The last start: let every job end.
    const settled = () => sent.every((s) => finalText(discord, s.interactionId) !== undefined || !deferred(discord, s.interactionId));
    await waitUntil(settled, 60_000);
    // A video is shown a moment before its ending is written: let the store come to rest.
    const observer = await openStore(backend.url);
    try {
      const quota = createQuotaService({ store: observer, defaults: { limit: 1000, period: 'day' } });
      const until = Date.now() + 30_000;
      while (Date.now() < until && (await quota.heldReservations()).length > 0) await sleep(100);
    } finally {
      await observer.close();
    }
  } finally {
    clearInterval(failer);
    await kill();
  }

  try {
    const store = await openStore(backend.url);
    try {
      const quota = createQuotaService({ store, defaults: { limit: 1000, period: 'day' } });
      const held = await quota.heldReservations();
      const ledger = await quota.ledger(discord.defaultGuildId);
      const context = `(seed ${SEED}, ${label})`;

      // 1. Every job whose deferral Discord received ends with a final message to its member.
      // Known limit: when the store takes over 2 s, /video acknowledges before the job record is
      // written (Discord's 3 s deadline); a kill in that window leaves no record to recover. Such
      // early acknowledgements (only on a starved machine) are counted and reported, not asserted.
      const early = (s: Sent) => {
        const ack = discord.callbacks.find((c) => c.interactionId === s.interactionId);
        return ack !== undefined && ack.at - s.sentAt >= 1_800;
      };
      earlyAcks = sent.filter(early).length;
      const untold = sent.filter(
        (s) => deferred(discord, s.interactionId) && !early(s) && finalText(discord, s.interactionId) === undefined,
      );
      const records = await Promise.all(
        untold.map(async (s) => {
          for (const id of await store.setMembers('jobs:active')) {
            const job = (await store.kv.get(`job:${id}`)) as
              { state?: string; outbox?: unknown; request?: { userPrompt?: string } } | undefined;
            if (job?.request?.userPrompt === s.prompt) return `${s.prompt}: ${job.state} outbox ${JSON.stringify(job.outbox)}`;
          }
          return `${s.prompt}: no job in flight; reply ${JSON.stringify(discord.originalResponse(s.interactionId)?.embeds)}`;
        }),
      );
      expect(records, `untold members ${context}`).toEqual([]);
      // 2. Reservations held = jobs in flight: none is in flight any more.
      const heldJobs = await Promise.all(
        held.map(async (h) => {
          const job = (await store.kv.get(`job:${h.jobId}`)) as { state?: string; outbox?: unknown; taskId?: unknown } | undefined;
          return `${h.jobId}: ${job ? `${job.state} task ${String(job.taskId)} outbox ${JSON.stringify(job.outbox)}` : 'no record'}`;
        }),
      );
      const inFlight: string[] = [];
      for (const id of await store.setMembers('jobs:active')) {
        const job = (await store.kv.get(`job:${id}`)) as { state?: string } | undefined;
        if (job && !['delivered', 'failed', 'expired'].includes(job.state ?? '')) inFlight.push(id);
      }
      expect(held.map((h) => h.jobId).sort(), `held reservations = jobs in flight ${context}: ${heldJobs.join('; ')}`).toEqual(
        inFlight.sort(),
      );
      expect(heldJobs, `nothing in flight at the end ${context}`).toEqual([]);
      // 3. Charged = delivered.
      const delivered = sent.filter((s) => finalText(discord, s.interactionId) === 'video').length;
      const charged = ledger.filter((l) => l.outcome === 'charged');
      expect(charged.length, `charged vs delivered ${context}`).toBe(delivered);
      expect(new Set(ledger.map((l) => l.reservationId)).size, `one ledger line per reservation ${context}`).toBe(ledger.length);
      // 4. No task submitted twice, no video delivered twice.
      for (const s of sent) {
        expect(
          provider.submissions.filter((x) => promptOf(x.body) === s.prompt).length,
          `submissions of ${s.prompt} ${context}`,
        ).toBeLessThanOrEqual(1);
      }
      const uploads = discord.requests.filter((r) => r.files.length > 0 && r.status < 300).flatMap((r) => r.files.map((f) => f.name));
      expect(uploads.length, `videos uploaded twice ${context}`).toBe(new Set(uploads).size);
      const pings = sent.map((s) => discord.followUps(s.interactionId).length);
      expect(Math.max(0, ...pings), `members pinged twice ${context}`).toBeLessThanOrEqual(1);
    } finally {
      await store.close();
    }
  } finally {
    await discord.close();
    await provider.close();
    await backend.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { kills: KILLS, jobs: sent.length, byStep, earlyAcks };
}

async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await sleep(1);
  }
  return check();
}

/** Discord received our deferral (or any answer) for the interaction. */
const deferred = (discord: FakeDiscord, interactionId: string): boolean => discord.interaction(interactionId)?.acknowledged === true;

/** What the member's reply finally shows: the video, a failure, or nothing final yet. */
function finalText(discord: FakeDiscord, interactionId: string): 'video' | 'failure' | 'refused' | undefined {
  const reply = discord.originalResponse(interactionId);
  if (!reply) return undefined;
  const text = JSON.stringify([reply.content, reply.embeds]);
  if (text.includes('Your video is ready')) return 'video';
  if (text.includes('could not be made')) return 'failure';
  if (text.includes('cannot start')) return 'refused';
  return undefined;
}

describe('chaos: SIGKILL at a random point of every step, restart, repeat', () => {
  const results: Record<string, ChaosResult> = {};
  beforeAll(() => {
    buildBotOnce();
  }, 120_000);
  afterAll(() => {
    // The README's reliability section quotes these lines.
    for (const [label, r] of Object.entries(results)) {
      console.info(
        `chaos ${label}: ${r.kills} kills survived, ${r.jobs} jobs, kills by step ${JSON.stringify(r.byStep)}, acknowledged early (store over 2 s) ${r.earlyAcks} (seed ${SEED})`,
      );
    }
  });

  it('GIVEN the bot on SQLite WHEN it is killed at random points of each step THEN every acknowledged member is told, nothing stays held, charged = delivered, nothing is submitted or delivered twice', async () => {
    results.sqlite = await runChaos(async (dir) => ({ url: `sqlite://${join(dir, 'bot.sqlite')}`, stop: async () => undefined }), 'sqlite');
  }, 240_000);

  it.skipIf(!hasRedisServer)(
    'GIVEN the bot on a persistent Redis WHEN it is killed at random points of each step THEN the same four invariants hold',
    async () => {
      results.redis = await runChaos((dir) => startPersistentRedis(dir), 'redis');
    },
    240_000,
  );
});
