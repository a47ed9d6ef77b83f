import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Keyv from 'keyv';
import { afterAll, describe, expect, it } from 'vitest';
import { AtomicSqlite } from '../../src/store/atomic-sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'hvb-atomic-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function open(path = join(dir, `db-${++files}.sqlite`)) {
  const adapter = new AtomicSqlite({ uri: `sqlite://${path}`, table: 'kv' });
  const statements: string[] = [];
  const query = adapter.query;
  adapter.query = (sql: string, ...params: unknown[]) => {
    statements.push(sql.trim().split(/\s+/)[0] ?? '');
    return query(sql, ...params);
  };
  const kv = new Keyv({ store: adapter, namespace: 'hvb', throwOnErrors: true });
  return { adapter, kv, path, inserts: () => statements.filter((s) => s === 'INSERT').length };
}

describe('SQLite with an atomic setMany', () => {
  it('GIVEN records that belong together WHEN written with setMany THEN one statement writes them, TTLs hold, and they survive a reopen', async () => {
    const { adapter, kv, path, inserts } = open();
    await kv.setMany([
      { key: 'quota:reservation:r1', value: { id: 'r1' } },
      { key: 'quota:inflight:g1', value: { r1: 1 } },
      { key: 'short', value: 'gone soon', ttl: 50 },
      { key: 'quota:inflight:g1', value: { r1: 2 } },
    ]);
    expect(inserts()).toBe(1);
    expect(await kv.get('quota:inflight:g1')).toEqual({ r1: 2 });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await kv.get('short')).toBeUndefined();
    await adapter.disconnect();

    const again = open(path);
    expect(await again.kv.get('quota:reservation:r1')).toEqual({ id: 'r1' });
    expect(await again.kv.get('quota:inflight:g1')).toEqual({ r1: 2 });
    await again.adapter.disconnect();
  });

  it('GIVEN one entry the database refuses WHEN written with others THEN none of them is stored and the caller sees the failure', async () => {
    const { adapter, kv } = open();
    await kv.set('quota:usage:g1', { used: { u1: 1 } });
    // A row SQLite refuses: the trigger stands in for a full disk or a broken row.
    await adapter.query('CREATE TRIGGER refuse BEFORE INSERT ON kv WHEN NEW.key LIKE \'%poison%\' BEGIN SELECT RAISE(ABORT, \'refused\'); END');
    await expect(
      kv.setMany([
        { key: 'quota:usage:g1', value: { used: { u1: 2 } } },
        { key: 'poison', value: 1 },
      ]),
    ).rejects.toThrow('refused');
    expect(await kv.get('quota:usage:g1')).toEqual({ used: { u1: 1 } });
    await adapter.disconnect();
  });
});
