/** Facts about the machine that explain the figures: how long one durable SQLite write takes. */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Keyv from 'keyv';
import KeyvSqlite from '@keyv/sqlite';
import { median } from './stats.js';

/**
 * Median time of one upsert through @keyv/sqlite with the bot's settings (a fresh file in `parent`,
 * default journal mode): each is its own transaction, so this is the disk's commit (fsync) cost.
 */
export async function sqliteCommitMs(parent: string, writes = 40): Promise<number> {
  const dir = mkdtempSync(join(parent, 'hvb-probe-'));
  const adapter = new KeyvSqlite({ uri: `sqlite://${join(dir, 'probe.sqlite')}`, table: 'kv', busyTimeout: 10_000 });
  const kv = new Keyv({ store: adapter, namespace: 'probe' });
  try {
    await kv.set('warm', 1);
    const times: number[] = [];
    for (let i = 0; i < writes; i += 1) {
      const started = performance.now();
      await kv.set(`k${i}`, { i, text: 'x'.repeat(500) });
      times.push(performance.now() - started);
    }
    return median(times);
  } finally {
    await adapter.disconnect().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
