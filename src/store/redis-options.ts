/**
 * The connection settings of every long-lived Redis client (the store's and the rate limiter's):
 * a 5 s connect timeout, then reconnects 200 ms apart per attempt, at most 5 s apart, for ever —
 * an outage after a good start is survived (the start-up check has its own, non-retrying client).
 * Plain data, so a SQLite bot need not load the Redis client to read it.
 */
export function redisClientOptions(url: string) {
  return { url, socket: { connectTimeout: 5_000, reconnectStrategy: (retries: number) => Math.min(retries * 200, 5_000) } };
}

/**
 * The start-up check's client ({@link redisClientOptions} without reconnects: the first failure
 * is the answer). Its options read the same as the long-lived clients' once functions are left
 * out, and on purpose: node-redis builds a client class with a method per Redis command for each
 * new set of options (about 60 ms) and keeps the last one, compared as JSON, in which a function
 * does not show; so a thread that makes both (the check run in the calling thread, see
 * src/startup/redis-probe-thread.ts) builds it once.
 */
export function redisCheckClientOptions(url: string) {
  return { url, socket: { connectTimeout: 5_000, reconnectStrategy: (): false => false } };
}

/**
 * What in a Redis URL node-redis would misread, from the URL as typed and as parsed:
 * `dropped-whitespace` for a tab or line break inside it (URL parsing drops them, so Redis would
 * get another password, or the bench flush another database, than the one typed),
 * `query-or-fragment` for a `?` or `#` (node-redis reads neither: they are a password's, not
 * percent-encoded, and what came before them is dialed as the host), `stray-percent` for a `%` in
 * the user or password not followed by two hex digits (node-redis throws "URI malformed");
 * undefined when none. The one rule behind STORE_URL's check (src/config.ts) and the bench's
 * BENCH_REDIS_URL check, each worded for its own.
 */
export function redisUrlMisreading(typed: string, url: URL): 'dropped-whitespace' | 'query-or-fragment' | 'stray-percent' | undefined {
  if (/[\t\n\r]/.test(typed.trim())) return 'dropped-whitespace';
  if (url.search !== '' || url.hash !== '') return 'query-or-fragment';
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    return 'stray-percent';
  }
  return undefined;
}
