/**
 * The line's fairness: three servers share the provider's submission budget (20 a window). A busy
 * server has 50 requests and keeps as many waiting as its cap of jobs in flight allows (20: it
 * asks again as soon as one of its videos is delivered, or is refused); two small servers ask 5
 * each a moment later. Time runs 10× faster than with the real one-minute window.
 * Measured: how long after asking each small server's job was sent to the provider, against one
 * budget window (first come, first served would keep them behind the busy server's line).
 */
import { openStore } from '../../src/store/open-store.js';
import { createQuotaService } from '../../src/quota/quota-service.js';
import type { FakeDiscord } from '../../test/fakes/discord/index.js';
import { seconds, sleep, waitUntil } from './stats.js';
import { verdict, type Row } from './table.js';
import { guildId, startWorld, videoInteraction, type Backend } from './world.js';

export const LINE_BUDGET = 20;
export const LINE_WINDOW_MS = 6_000;
export const LINE_BUSY_JOBS = 50;
export const LINE_SMALL_JOBS = 5;
/** The busy server's cap of jobs in flight (the most a server may set). */
const BUSY_CAP = 20;
/** Members per server: at most 2 jobs each may be in flight. */
const MEMBERS = 25;
/** The small servers ask this long after the busy one started: its line is already full. */
const SMALL_DELAY_MS = 1_000;

export interface LineFigures {
  /** From asking to being sent to the provider, per job of the small servers, in ms. */
  smallStartMs: number[];
  /** From the busy server's first request to its last job being sent, in ms. */
  busyLastStartMs: number;
  /** Requests of the busy server refused (its cap was full) and asked again. */
  busyRetries: number;
}

const promptOf = (body: unknown): string => {
  const prompt = (body as { prompt?: unknown } | undefined)?.prompt;
  return typeof prompt === 'string' ? prompt : '';
};

/** True when the interaction was answered privately (a refusal): its first answer is ephemeral. */
const refused = (discord: FakeDiscord, interactionId: string): boolean =>
  discord.callbacks.some(
    (c) => c.interactionId === interactionId && (((c.data as { flags?: number } | undefined)?.flags ?? 0) & 64) === 64,
  );

export async function measureLine(backend: Backend, cpuProfDir?: string): Promise<LineFigures> {
  const world = await startWorld({
    backend,
    guilds: 3,
    // Tasks finish on their first status request: the budget, not the provider, sets the pace.
    provider: { pollsToComplete: 1 },
    env: {
      XCOMPUTE_MAX_RPM: String(LINE_BUDGET),
      XCOMPUTE_RPM_WINDOW_MS: String(LINE_WINDOW_MS),
      POLL_INTERVAL_MS: '100',
      PROGRESS_EDIT_MIN_MS: '500',
    },
    // The busy server raises its cap of jobs in flight to the most a server may have; the small
    // ones to their 5 (the default cap is 3).
    seed: async (storeUrl) => {
      const store = await openStore(storeUrl);
      try {
        const quota = createQuotaService({ store, defaults: { limit: 1_000_000, period: 'day' } });
        await quota.setPolicy(guildId(0), { maxConcurrent: BUSY_CAP });
        for (const g of [1, 2]) await quota.setPolicy(guildId(g), { maxConcurrent: LINE_SMALL_JOBS });
      } finally {
        await store.close();
      }
    },
    ...(cpuProfDir ? { cpuProfDir } : {}),
  });
  try {
    const { discord, provider } = world;
    await sleep(500);
    const startedAt = Date.now();
    let next = 0;
    let retries = 0;
    const outstanding = new Map<string, number>();
    const askBusy = (n: number) => {
      const { id } = discord.dispatchInteraction(videoInteraction(0, n % MEMBERS, `bench line busy ${n}: rain on a tin roof`));
      outstanding.set(id, n);
    };
    for (; next < BUSY_CAP; next += 1) askBusy(next);
    // The busy server keeps its cap full until it has asked 50 times.
    const busy = (async () => {
      while (outstanding.size > 0) {
        for (const [id, n] of [...outstanding]) {
          if (refused(discord, id)) {
            outstanding.delete(id);
            retries += 1;
            askBusy(n);
          } else if (discord.originalResponse(id)?.attachments.length) {
            outstanding.delete(id);
            if (next < LINE_BUSY_JOBS) askBusy(next++);
          }
        }
        await sleep(20);
      }
    })();
    await sleep(SMALL_DELAY_MS);
    const askedAt = new Map<string, number>();
    for (const g of [1, 2]) {
      for (let j = 0; j < LINE_SMALL_JOBS; j += 1) {
        const prompt = `bench line small ${g}.${j}: a paper boat`;
        discord.dispatchInteraction(videoInteraction(g, j % 3, prompt));
        askedAt.set(prompt, Date.now());
      }
    }
    const sentAt = (prompt: string) => provider.submissions.find((s) => promptOf(s.body) === prompt)?.at;
    const timeout = 10 * LINE_WINDOW_MS;
    await waitUntil(() => [...askedAt.keys()].every((p) => sentAt(p) !== undefined), timeout, "the small servers' jobs to be sent");
    // The bound is cancelled once the busy server is done: a pending timer would hold the bench's
    // process open for up to a minute after it printed its tables.
    const bound = new AbortController();
    await Promise.race([busy, sleep(timeout, undefined, { signal: bound.signal }).catch(() => undefined)]);
    bound.abort();
    const busySent = provider.submissions.filter((s) => promptOf(s.body).startsWith('bench line busy')).map((s) => s.at);
    return {
      smallStartMs: [...askedAt].map(([prompt, at]) => (sentAt(prompt) ?? Number.POSITIVE_INFINITY) - at),
      busyLastStartMs: busySent.length >= LINE_BUSY_JOBS ? Math.max(...busySent) - startedAt : Number.POSITIVE_INFINITY,
      busyRetries: retries,
    };
  } finally {
    await world.close();
  }
}

export function lineRows(f: LineFigures): Row[] {
  const worst = Math.max(...f.smallStartMs);
  const ratio = worst / LINE_WINDOW_MS;
  return [
    {
      figure: `line: small servers' ${f.smallStartMs.length} jobs, asked behind a busy server's full line (${LINE_BUDGET} a ${LINE_WINDOW_MS / 1000} s window, 10× time)`,
      measured: `sent ${seconds(worst)} after asking at worst = ${ratio.toFixed(2)} windows`,
      target: '≤ 1.00 window',
      result: verdict(ratio <= 1),
    },
    {
      figure: `line: busy server's ${LINE_BUSY_JOBS} jobs (cap ${BUSY_CAP} in flight, ${f.busyRetries} refused and asked again)`,
      measured: `last sent ${seconds(f.busyLastStartMs)} after its first = ${(f.busyLastStartMs / LINE_WINDOW_MS).toFixed(2)} windows`,
      target: `≥ ${(Math.ceil((LINE_BUSY_JOBS + 2 * LINE_SMALL_JOBS) / LINE_BUDGET) - 1).toFixed(2)} windows (the budget)`,
      result: 'info',
    },
  ];
}
