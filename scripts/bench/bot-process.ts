/**
 * The bot under test, in its own process: the real createBot + start with the configuration the
 * parent hands over in BENCH_BOT_ENV. Running apart from the fakes keeps their memory out of the
 * bot's resident set and gives the bot its own event loop, as against the real Discord.
 * Started by bot-handle.ts with --expose-gc; answers requests over the IPC channel.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { loadConfig } from '../../src/config.js';
import { createBot } from '../../src/bot.js';
import type { BotReply, BotRequest, MemorySample } from './protocol.js';

const send = (message: BotReply): Promise<void> =>
  new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });

async function memory(): Promise<MemorySample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    // Two rounds: the first may only promote what the second can free.
    gc();
    await nextTurn();
    gc();
  }
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external, arrayBuffers: usage.arrayBuffers, gcExposed: Boolean(gc) };
}

const env = JSON.parse(process.env.BENCH_BOT_ENV ?? '{}') as Record<string, string>;
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
const bot = await createBot(loadConfig(env));
await bot.start();

process.on('message', (raw) => {
  const request = raw as BotRequest;
  void (async () => {
    switch (request.type) {
      case 'memory':
        return send({ id: request.id, type: 'memory', memory: await memory() });
      case 'loop-reset':
        loop.reset();
        return send({ id: request.id, type: 'ok' });
      case 'loop':
        return send({ id: request.id, type: 'loop', p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 });
      case 'cpu':
        return send({ id: request.id, type: 'cpu', ...process.cpuUsage() });
      case 'stop':
        await bot.stop();
        await send({ id: request.id, type: 'ok' });
        process.exit(0);
    }
  })().catch((err: unknown) => send({ id: request.id, type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
});
// The parent went away: nothing left to measure.
process.on('disconnect', () => process.exit(0));
await send({ type: 'ready', id: 0 });
