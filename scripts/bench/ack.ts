/**
 * Acknowledgement latency: 200 `/video` interactions dispatched at once, one per guild and member;
 * latency = the fake's callback record − the moment the fake sent the interaction.
 */
import { percentile, ms, sleep, waitUntil } from './stats.js';
import { verdict, type Row } from './table.js';
import { startWorld, videoInteraction, type Backend } from './world.js';

export const ACK_INTERACTIONS = 200;
export const ACK_TARGET_P99_MS = 500;
const WARM_UP = 5;

export interface AckFigures {
  p50: number;
  p99: number;
  max: number;
  deferred: number;
  loopP99: number;
  loopMax: number;
}

export async function measureAck(backend: Backend, cpuProfDir?: string): Promise<AckFigures> {
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

    const sentAt = new Map<string, number>();
    for (let g = 0; g < ACK_INTERACTIONS; g += 1) {
      const at = Date.now();
      const { id } = discord.dispatchInteraction(videoInteraction(g, 0, `bench ack ${g}: a red fox trotting through fresh snow`));
      sentAt.set(id, at);
    }
    const measured = () => discord.callbacks.filter((c) => sentAt.has(c.interactionId));
    await waitUntil(() => measured().length >= ACK_INTERACTIONS, 30_000, `${ACK_INTERACTIONS} interaction callbacks`);
    const loop = await bot.loop();
    const callbacks = measured();
    const latencies = callbacks.map((c) => c.at - (sentAt.get(c.interactionId) ?? c.at));
    // Let every job reach the provider before the world stops (not measured).
    await waitUntil(() => provider.submissions.length >= ACK_INTERACTIONS + WARM_UP, 60_000, 'every job to be submitted');
    return {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
      deferred: callbacks.filter((c) => c.type === 5).length,
      loopP99: loop.p99,
      loopMax: loop.max,
    };
  } finally {
    await world.close();
  }
}

export function ackRows(f: AckFigures): Row[] {
  const note = f.deferred === ACK_INTERACTIONS ? '' : ` (${ACK_INTERACTIONS - f.deferred} not deferred!)`;
  return [
    { figure: `ack latency p50 (${ACK_INTERACTIONS} /video at once, ${ACK_INTERACTIONS} guilds)`, measured: ms(f.p50), target: '—', result: 'info' },
    {
      figure: 'ack latency p99',
      measured: `${ms(f.p99)} (max ${ms(f.max)}; bot loop delay p99 ${ms(f.loopP99)})${note}`,
      target: `< ${ACK_TARGET_P99_MS} ms`,
      result: verdict(f.p99 < ACK_TARGET_P99_MS && f.deferred === ACK_INTERACTIONS),
    },
  ];
}
