import { dirname, resolve } from 'node:path';
import type { Logger } from '../log.js';
import { makeFolder } from '../make-folder.js';
import { createLocalStore } from './local-store.js';
import { deserialize, serialize } from './serialize.js';
import type { Store } from './types.js';

/** Path of the SQLite file named by `sqlite://relative/or/absolute/path`. */
export function sqlitePath(storeUrl: string): string {
  const raw = storeUrl.replace(/^sqlite:\/\//, '');
  return raw === ':memory:' ? raw : resolve(raw);
}

/**
 * Opens the store named by STORE_URL: `sqlite://file` (the embedded default), `memory://`
 * (nothing survives; tests and the demo) or `redis://host:port/db` (shared by many processes).
 */
export async function openStore(storeUrl: string, options: { logger?: Logger } = {}): Promise<Store> {
  if (storeUrl.startsWith('memory:')) {
    return createLocalStore('memory', { store: new Map(), throwOnErrors: true }, async () => undefined);
  }
  if (storeUrl.startsWith('sqlite:')) {
    const path = sqlitePath(storeUrl);
    if (path !== ':memory:') await makeFolder(dirname(path));
    // Loaded only for SQLite: a Redis deployment never needs the native module.
    const { SqliteAdapter } = await import('./sqlite-adapter.js');
    const adapter = new SqliteAdapter({ path, table: 'kv', busyTimeoutMs: 10_000 });
    // Nothing is lost when a checkpoint fails (the log keeps every commit; it is tried again), but
    // a log that keeps failing to shrink (a full disk) is worth a line.
    adapter.on('checkpointError', (err: unknown) =>
      options.logger?.warn({ err }, 'could not copy the SQLite log into the database file; trying again later'),
    );
    return createLocalStore(
      'sqlite',
      { store: adapter, namespace: 'hvb', throwOnErrors: true, serialize, deserialize },
      () => adapter.disconnect(),
      adapter,
    );
  }
  if (storeUrl.startsWith('redis')) {
    const { openRedisStore } = await import('./redis-store.js');
    return openRedisStore(storeUrl, options);
  }
  throw new Error(`Unsupported STORE_URL scheme: ${storeUrl.split(':')[0] ?? ''}`);
}
