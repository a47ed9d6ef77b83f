import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import Keyv from 'keyv';
import KeyvSqlite from '@keyv/sqlite';
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
export async function openStore(storeUrl: string): Promise<Store> {
  if (storeUrl.startsWith('memory:')) {
    return createLocalStore('memory', new Keyv({ store: new Map(), throwOnErrors: true }), async () => undefined);
  }
  if (storeUrl.startsWith('sqlite:')) {
    const path = sqlitePath(storeUrl);
    if (path !== ':memory:') await mkdir(dirname(path), { recursive: true });
    const adapter = new KeyvSqlite({ uri: `sqlite://${path}`, table: 'kv', busyTimeout: 10_000 });
    const kv = new Keyv({ store: adapter, namespace: 'hvb', throwOnErrors: true });
    kv.on('error', () => undefined);
    return createLocalStore('sqlite', kv, () => adapter.disconnect());
  }
  if (storeUrl.startsWith('redis')) {
    const { openRedisStore } = await import('./redis-store.js');
    return openRedisStore(storeUrl);
  }
  throw new Error(`Unsupported STORE_URL scheme: ${storeUrl.split(':')[0] ?? ''}`);
}
