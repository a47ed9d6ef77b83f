import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { noAnswer, probeRedis, type RedisPersistence } from './redis-probe.js';

// Past the probe's own deadline, how long the worker may take to start and answer (ms).
export const WORKER_GRACE_MS = 3_000;

/** The `code` of the error thrown when the check's worker thread itself gave no answer in time (see `redisProblem`). */
export const CHECK_STUCK = 'HVB_CHECK_STUCK';

const answerSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), persistence: z.enum(['aof', 'snapshots', 'none', 'unknown']) }),
  z.object({ ok: z.literal(false), message: z.string(), code: z.string().optional() }),
]);

/**
 * {@link probeRedis} on a worker thread: the same answer, or the same error (its message and
 * `code`), with the Redis client loaded on another thread than the bot's.
 *
 * Why (issue 15's cold start): loading node-redis and building its client class (a method per
 * Redis command, about 750) takes about 150 ms of the thread that does it, and `npm start` needs
 * the check's answer before it connects to Discord. On the main thread those 150 ms came between
 * the process start and IDENTIFY, one after the bot's own loading; on a thread of its own the check
 * runs while the main thread loads discord.js. The bot's own Redis clients are made once the
 * gateway answered (see bot.ts), so nothing on the main thread loads the client before IDENTIFY.
 *
 * Runs in the calling thread instead when the worker's file is not there (the TypeScript sources
 * under a test runner) or the worker could not start or died without answering.
 *
 * @param deadlineMs the probe's own bound (ms); the worker is stopped {@link WORKER_GRACE_MS} after it.
 * @throws as {@link probeRedis}.
 */
export async function probeRedisOffThread(storeUrl: string, deadlineMs: number): Promise<RedisPersistence> {
  const file = workerFile();
  if (file === undefined) return probeRedis(storeUrl, deadlineMs);
  const startedAt = Date.now();
  const answer = await new Promise<z.infer<typeof answerSchema> | undefined>((resolve) => {
    let worker: Worker;
    try {
      // No flags of the bot's (--cpu-prof would write a profile of this thread beside the bot's).
      worker = new Worker(file, { workerData: { storeUrl, deadlineMs }, execArgv: [] });
    } catch {
      resolve(undefined);
      return;
    }
    const settle = (value: z.infer<typeof answerSchema> | undefined) => {
      clearTimeout(timer);
      worker.removeAllListeners();
      worker.on('error', () => undefined);
      void worker.terminate();
      resolve(value);
    };
    // The probe bounds itself by `deadlineMs`: a worker silent past that and the grace is stuck
    // itself (an overloaded machine), which is not Redis failing to answer.
    const timer = setTimeout(
      () => settle({ ok: false, message: `the check's worker thread gave no answer`, code: CHECK_STUCK }),
      deadlineMs + WORKER_GRACE_MS,
    );
    worker.on('message', (message: unknown) => {
      const parsed = answerSchema.safeParse(message);
      settle(parsed.success ? parsed.data : undefined);
    });
    worker.on('error', () => settle(undefined));
    worker.on('exit', () => settle(undefined));
  });
  // In the calling thread with the time left, so a worker that died late keeps the start's bound.
  if (answer === undefined) {
    const left = deadlineMs - (Date.now() - startedAt);
    if (left <= 0) throw noAnswer();
    return probeRedis(storeUrl, left);
  }
  if (answer.ok) return answer.persistence;
  throw Object.assign(new Error(answer.message), answer.code === undefined ? {} : { code: answer.code });
}

/**
 * The worker's compiled file: beside this module (tsc's output, or the bundle's main.js), or one
 * folder up when this module was bundled into `bundle/chunks/`. Undefined under the TypeScript
 * sources, which a worker cannot run.
 */
function workerFile(): URL | undefined {
  for (const relative of ['./redis-probe-worker.js', '../redis-probe-worker.js']) {
    const url = new URL(relative, import.meta.url);
    if (url.protocol === 'file:' && existsSync(url)) return url;
  }
  return undefined;
}
