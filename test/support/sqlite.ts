import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';

/**
 * A fresh SQLite file for each test of the calling `describe`. `openSqlite()` opens (or reopens,
 * as a restarted bot would) a store on it; every store still open is closed after the test.
 */
export function sqliteFilePerTest(prefix: string): { openSqlite: () => Promise<Store> } {
  let dir = '';
  const opened: Store[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await Promise.allSettled(opened.splice(0).map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });
  return {
    openSqlite: async () => {
      const store = await openStore(`sqlite://${join(dir, 'bot.sqlite')}`);
      opened.push(store);
      return store;
    },
  };
}
