/**
 * Worker thread entry of the Redis start-up check: runs {@link probeRedis} on `workerData`
 * (`{ storeUrl: string, deadlineMs: number }`) and posts one message: `{ ok: true, persistence }`,
 * or `{ ok: false, message, code? }` with what it threw. Started by `probeRedisOffThread`
 * (redis-probe-thread.ts), which says why it runs on a thread of its own.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { probeRedis } from './redis-probe.js';

const data: unknown = workerData;
const storeUrl = (data as { storeUrl?: unknown } | null)?.storeUrl;
const deadlineMs = (data as { deadlineMs?: unknown } | null)?.deadlineMs;
if (typeof storeUrl !== 'string' || typeof deadlineMs !== 'number') {
  throw new TypeError('redis-probe-worker: workerData must be { storeUrl: string, deadlineMs: number }');
}
try {
  parentPort?.postMessage({ ok: true, persistence: await probeRedis(storeUrl, deadlineMs) });
} catch (err) {
  const code = (err as { code?: unknown } | undefined)?.code;
  parentPort?.postMessage({
    ok: false,
    message: err instanceof Error ? err.message : String(err),
    ...(typeof code === 'string' ? { code } : {}),
  });
}
