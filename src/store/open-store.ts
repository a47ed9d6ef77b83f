import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Logger } from '../log.js';
import { AtomicSqlite } from './atomic-sqlite.js';
import { createLocalStore } from './local-store.js';
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
    if (path !== ':memory:') await mkdir(dirname(path), { recursive: true });
    const adapter = new AtomicSqlite({ uri: `sqlite://${path}`, table: 'kv', busyTimeout: 10_000 });
    // WAL with NORMAL sync: each commit is one append instead of several flushes, and a crash
    // still never loses a committed transaction's consistency (the last commits may roll back).
    if (path !== ':memory:') {
      await adapter.query('PRAGMA journal_mode=WAL');
      await adapter.query('PRAGMA synchronous=NORMAL');
    }
    return createLocalStore('sqlite', { store: adapter, namespace: 'hvb', throwOnErrors: true }, () => adapter.disconnect());
  }
  if (storeUrl.startsWith('redis')) {
    const { openRedisStore } = await import('./redis-store.js');
    return openRedisStore(storeUrl, options);
  }
  throw new Error(`Unsupported STORE_URL scheme: ${storeUrl.split(':')[0] ?? ''}`);
}
