import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Keyv from 'keyv';
import { afterAll, describe, expect, it } from 'vitest';
import { GroupCommitSqlite } from '../../src/store/group-commit-sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'hvb-group-commit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function open(path = join(dir, `db-${++files}.sqlite`)) {
  const adapter = new GroupCommitSqlite({ uri: `sqlite://${path}`, table: 'kv' });
  const statements: string[] = [];
  const query = adapter.query;
  adapter.query = (sql: string, ...params: unknown[]) => {
    statements.push(sql.trim().split(/\s+/)[0] ?? '');
    return query(sql, ...params);
  };
  const kv = new Keyv({ store: adapter, namespace: 'hvb', throwOnErrors: true });
  return { adapter, kv, path, writes: () => statements.filter((s) => s === 'INSERT' || s === 'DELETE').length };
}

describe('SQLite with group commit', () => {
  it('GIVEN 200 members writing at once WHEN the writes land THEN they share a few transactions and all survive a reopen', async () => {
    const { adapter, kv, path, writes } = open();
    await Promise.all(Array.from({ length: 200 }, (_, i) => kv.set(`job:${i}`, { n: i })));
    expect(writes()).toBeGreaterThan(0);
    expect(writes()).toBeLessThan(10);
    await adapter.disconnect();

    const again = open(path);
    expect(await again.kv.get('job:0')).toEqual({ n: 0 });
    expect(await again.kv.get('job:199')).toEqual({ n: 199 });
    await again.adapter.disconnect();
  });

  it('GIVEN sets and deletes of one key in a row WHEN none is awaited in between THEN the last one made wins, for readers too', async () => {
    const { adapter, kv, path } = open();
    await Promise.all([kv.set('k', 'first'), kv.delete('k'), kv.set('k', 'second'), kv.set('k', 'third'), kv.delete('gone'), kv.set('gone', 'back')]);
    expect(await kv.get('k')).toBe('third');
    expect(await kv.get('gone')).toBe('back');

    // Written but not yet committed: a reader already sees it, never the older row.
    const pending = [adapter.set('raw', 'new'), adapter.set('d', 'x'), adapter.delete('d')];
    expect(await adapter.get('raw')).toBe('new');
    expect(await adapter.get('d')).toBeUndefined();
    expect(await adapter.getMany(['raw', 'd'])).toEqual(['new', undefined]);
    await Promise.all(pending);
    expect(await adapter.get('raw')).toBe('new');
    await adapter.disconnect();

    const again = open(path);
    expect(await again.kv.get('k')).toBe('third');
    expect(await again.kv.get('gone')).toBe('back');
    expect(await again.kv.get('d')).toBeUndefined();
    await again.adapter.disconnect();
  });

  it('GIVEN several keys deleted at once, and a clear WHEN later writes follow without waiting THEN each lands in the order made', async () => {
    const { adapter, kv, path } = open();
    await Promise.all([kv.set('x', 1), kv.set('y', 2), kv.set('z', 3)]);
    expect(await kv.delete(['x', 'y'])).toBe(true);
    expect(await kv.get('x')).toBeUndefined();
    expect(await kv.get('z')).toBe(3);

    // At the adapter: keyv's own serialising step may reorder calls nobody awaits.
    await Promise.all([adapter.set('hvb:before', '{"value":1}'), adapter.clear(), adapter.set('hvb:after', '{"value":2}')]);
    expect(await kv.get('before')).toBeUndefined();
    expect(await kv.get('z')).toBeUndefined();
    expect(await kv.get('after')).toBe(2);
    await adapter.disconnect();

    const again = open(path);
    expect(await again.kv.get('after')).toBe(2);
    expect(await again.kv.get('y')).toBeUndefined();
    await again.adapter.disconnect();
  });

  it('GIVEN one write the disk refuses WHEN it shares a commit with others THEN only that write fails', async () => {
    const { adapter, kv } = open();
    const query = adapter.query;
    adapter.query = (sql: string, ...params: unknown[]) =>
      sql.includes('INSERT') && String(params[0]).includes('poison') ? Promise.reject(new Error('row too big')) : query(sql, ...params);
    const results = await Promise.allSettled([
      kv.set('a', 1),
      kv.set('poison', 2),
      kv.set('b', 3),
      kv.setMany([
        { key: 'together-1', value: 1 },
        { key: 'poison-together', value: 2 },
      ]),
      kv.setMany([
        { key: 'pair-1', value: 1 },
        { key: 'pair-2', value: 2 },
      ]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect(await kv.get('a')).toBe(1);
    expect(await kv.get('b')).toBe(3);
    expect(await kv.get('poison')).toBeUndefined();
    // Written together, failed together: never half of a setMany.
    expect(await kv.get('together-1')).toBeUndefined();
    expect(await kv.get('pair-2')).toBe(2);
    adapter.query = query;
    await adapter.disconnect();
  });

  it('GIVEN a write that cannot be committed THEN its caller sees the failure instead of a lost write', async () => {
    const { adapter, kv } = open();
    await kv.set('ok', 1);
    const query = adapter.query;
    adapter.query = (sql: string, ...params: unknown[]) => (sql.includes('INSERT') ? Promise.reject(new Error('disk full')) : query(sql, ...params));
    await expect(kv.set('lost', 2)).rejects.toThrow('disk full');
    expect(await kv.get('lost')).toBeUndefined();
    adapter.query = query;
    await adapter.disconnect();
  });
});
