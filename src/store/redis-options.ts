/**
 * The connection settings of every long-lived Redis client (the store's and the rate limiter's):
 * a 5 s connect timeout, then reconnects 200 ms apart per attempt, at most 5 s apart, for ever —
 * an outage after a good start is survived (the start-up check has its own, non-retrying client).
 * Plain data, so a SQLite bot need not load the Redis client to read it.
 */
export function redisClientOptions(url: string) {
  return { url, socket: { connectTimeout: 5_000, reconnectStrategy: (retries: number) => Math.min(retries * 200, 5_000) } };
}
