/**
 * Acknowledgement latency: 200 `/video` interactions dispatched at once, one per guild and member.
 * Latency = the fake receiving the bot's interaction callback − the fake sending INTERACTION_CREATE
 * (both on the fake's clock). Late callbacks count too: the fake refuses those after 3 s, as
 * Discord does, and the member sees "The application did not respond".
 *
 * The burst is repeated in ROUNDS fresh worlds and the median round is reported: on a shared
 * 2-core machine one burst is at the mercy of whatever else runs during its second.
 */
import { percentile, median, ms, sleep, waitUntil } from './stats.js';
import { verdict, type Row } from './table.js';
import { startWorld, videoInteraction, type Backend } from './world.js';

export const ACK_INTERACTIONS = 200;
export const ACK_TARGET_P99_MS = 500;
export const ACK_ROUNDS = 3;
const WARM_UP = 5;
const GIVE_UP_MS = 90_000;
/** Discord's window to acknowledge an interaction. */
const RESPONSE_WINDOW_MS = 3_000;

export interface AckRound {
  p50: number;
  p99: number;
  max: number;
  /** Callbacks the fake accepted as a deferred reply (type 5) inside the 3 s window. */
  deferred: number;
  /** Bot CPU (user + system) from the burst until every accepted job was submitted, per /video. */
  cpuPerJobMs: number;
  loopP99: number;
}

export interface AckFigures {
  rounds: AckRound[];
}

const CALLBACK = /^\/v10\/interactions\/(\d+)\/[^/]+\/callback$/;

async function measureRound(backend: Backend, cpuProfDir?: string): Promise<AckRound> {
  // Guilds 0..199 are measured; 200..204 only warm the bot up (JIT, connection pools) beforehand.
  const world = await startWorld({ backend, guilds: ACK_INTERACTIONS + WARM_UP, ...(cpuProfDir ? { cpuProfDir } : {}) });
  try {
    const { discord, provider, bot } = world;
    for (let g = ACK_INTERACTIONS; g < ACK_INTERACTIONS + WARM_UP; g += 1) {
      discord.dispatchInteraction(videoInteraction(g, 0, `bench warm-up ${g}: a quiet lake at dawn`));
    }
    await waitUntil(() => provider.submissions.length >= WARM_UP, 30_000, 'the warm-up jobs to be submitted');
    await sleep(1_000);
    await bot.resetLoop();
    const cpuBefore = await bot.cpuMs();

    const ids = new Set<string>();
    for (let g = 0; g < ACK_INTERACTIONS; g += 1) {
      ids.add(discord.dispatchInteraction(videoInteraction(g, 0, `bench ack ${g}: a red fox trotting through fresh snow`)).id);
    }
    const callbackRequests = () => discord.requests.filter((r) => r.method === 'POST' && ids.has(CALLBACK.exec(r.path)?.[1] ?? ''));
    await waitUntil(() => callbackRequests().length >= ACK_INTERACTIONS, GIVE_UP_MS, `${ACK_INTERACTIONS} interaction callbacks`).catch(() => undefined);
    const loop = await bot.loop();
    const requests = callbackRequests();
    const latencies = requests.map((r) => r.at - (discord.interaction(CALLBACK.exec(r.path)?.[1] ?? '')?.dispatchedAt ?? r.at));
    // A callback that never came counts as infinitely late.
    for (let missing = ACK_INTERACTIONS - requests.length; missing > 0; missing -= 1) latencies.push(Number.POSITIVE_INFINITY);
    const deferred = discord.callbacks.filter((c) => ids.has(c.interactionId) && c.type === 5).length;
    await waitUntil(() => provider.submissions.length >= WARM_UP + deferred, 60_000, 'the accepted jobs to be submitted').catch(() => undefined);
    const cpuMs = (await bot.cpuMs()) - cpuBefore;
    return {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
      deferred,
      cpuPerJobMs: cpuMs / ACK_INTERACTIONS,
      loopP99: loop.p99,
    };
  } finally {
    await world.close();
  }
}

export async function measureAck(backend: Backend, cpuProfDir?: string): Promise<AckFigures> {
  const rounds: AckRound[] = [];
  for (let i = 0; i < ACK_ROUNDS; i += 1) {
    const round = await measureRound(backend, cpuProfDir);
    rounds.push(round);
    // Once every callback missed Discord's window, more rounds only take time.
    if (round.p50 > RESPONSE_WINDOW_MS) break;
  }
  return { rounds };
}

export function ackRows(f: AckFigures): Row[] {
  const p50 = median(f.rounds.map((r) => r.p50));
  const p99 = median(f.rounds.map((r) => r.p99));
  const middle = f.rounds.find((r) => r.p99 === p99) ?? f.rounds[0];
  const late = ACK_INTERACTIONS - (middle?.deferred ?? 0);
  const each = f.rounds.map((r) => ms(r.p99)).join(' / ');
  const lateNote = late > 0 ? `; ${late}/${ACK_INTERACTIONS} past the 3 s window` : '';
  const cpu = median(f.rounds.map((r) => r.cpuPerJobMs));
  return [
    {
      figure: `ack latency p50 (${ACK_INTERACTIONS} /video at once, ${ACK_INTERACTIONS} guilds; ${f.rounds.length === 1 ? 'one burst' : `median of ${f.rounds.length} bursts`})`,
      measured: `${ms(p50)} (bot CPU ${cpu.toFixed(1)} ms per /video, accept → submitted)`,
      target: '—',
      result: 'info',
    },
    {
      figure: 'ack latency p99',
      measured: `${ms(p99)} (bursts: ${each}; bot loop delay p99 ${ms(middle?.loopP99 ?? Number.NaN)}${lateNote})`,
      target: `< ${ACK_TARGET_P99_MS} ms`,
      result: verdict(p99 < ACK_TARGET_P99_MS && late === 0),
    },
  ];
}
