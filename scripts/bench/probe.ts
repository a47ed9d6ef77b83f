/** Facts about the machine that explain the figures: how long one durable SQLite write takes. */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { median } from './stats.js';

/**
 * Median time of one upsert in its own transaction on a fresh file in `parent`, in SQLite's
 * default journal mode (every commit flushed to disk): the disk's commit (fsync) cost. The bot
 * itself runs in WAL mode with synchronous=NORMAL, where a commit is an append without a flush.
 */
export async function sqliteCommitMs(parent: string, writes = 40): Promise<number> {
  const dir = mkdtempSync(join(parent, 'hvb-probe-'));
  const db = new Database(join(dir, 'probe.sqlite'));
  try {
    db.exec('CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT)');
    const upsert = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    upsert.run('warm', '1');
    const times: number[] = [];
    for (let i = 0; i < writes; i += 1) {
      const started = performance.now();
      upsert.run(`k${i}`, JSON.stringify({ i, text: 'x'.repeat(500) }));
      times.push(performance.now() - started);
    }
    return median(times);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
