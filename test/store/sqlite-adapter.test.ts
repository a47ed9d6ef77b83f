import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Keyv from 'keyv';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteAdapter } from '../../src/store/sqlite-adapter.js';
import { openStore } from '../../src/store/open-store.js';

const dir = mkdtempSync(join(tmpdir(), 'hvb-sqlite-adapter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function open(
  path = join(dir, `db-${++files}.sqlite`),
  options: { groupCommitWindowMs?: number; checkpointQuietMs?: number; checkpointMaxDelayMs?: number } = {},
) {
  const adapter = new SqliteAdapter({ path, table: 'kv', ...options });
  const kv = new Keyv({ store: adapter, namespace: 'hvb', throwOnErrors: true });
  return { adapter, kv, path };
}

describe('SQLite store on better-sqlite3', () => {
  it('GIVEN records that belong together WHEN written with setMany THEN TTLs hold, the last value of a key wins, and they survive a reopen', async () => {
    const { adapter, kv, path } = open();
    await kv.setMany([
      { key: 'quota:reservation:r1', value: { id: 'r1' } },
      { key: 'quota:inflight:g1', value: { r1: 1 } },
      { key: 'short', value: 'gone soon', ttl: 50 },
      { key: 'quota:inflight:g1', value: { r1: 2 } },
    ]);
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
    adapter.db.exec("CREATE TRIGGER refuse BEFORE INSERT ON kv WHEN NEW.key LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'refused'); END");
    await expect(
      kv.setMany([
        { key: 'quota:usage:g1', value: { used: { u1: 2 } } },
        { key: 'poison', value: 1 },
      ]),
    ).rejects.toThrow('refused');
    expect(await kv.get('quota:usage:g1')).toEqual({ used: { u1: 1 } });
    await adapter.disconnect();
  });

  it('GIVEN many writers in one turn of the event loop WHEN they write THEN nothing is visible to another connection before their promises resolve, and all of it after', async () => {
    // One group for the whole turn, however slow the machine (the window is tested below).
    const { adapter, kv, path } = open(undefined, { groupCommitWindowMs: Infinity });
    const other = new Database(path, { readonly: true });
    const count = () => (other.prepare("SELECT COUNT(*) AS n FROM kv WHERE key LIKE 'hvb:job:%'").get() as { n: number }).n;
    // 200 jobs asked for at once, as in a burst of /video: each writer's own record.
    // (The adapter itself, below keyv: keyv reaches it a few promise steps later.)
    const writes = Array.from({ length: 200 }, (_, i) => adapter.set(`hvb:job:j${i}`, JSON.stringify({ value: { id: `j${i}` } })));
    const members = Array.from({ length: 200 }, (_, i) => adapter.addToSet('jobs:active', `j${i}`));
    // Not committed yet: a crash now loses all of it, and no writer has been told it is written.
    expect(count()).toBe(0);
    // This connection reads its own turn's writes.
    expect(await adapter.get('hvb:job:j199')).toBe(JSON.stringify({ value: { id: 'j199' } }));
    await Promise.all([...writes, ...members]);
    expect(count()).toBe(200);
    expect(adapter.setMembers('jobs:active')).toHaveLength(200);
    expect(await kv.get('job:j0')).toEqual({ id: 'j0' });
    other.close();
    await adapter.disconnect();
  });

  it('GIVEN writers sharing a turn WHEN one write is refused THEN the whole turn is rolled back and every writer of it is told, while the next turn writes normally', async () => {
    const { adapter, kv } = open(undefined, { groupCommitWindowMs: Infinity });
    adapter.db.exec("CREATE TRIGGER refuse BEFORE INSERT ON kv WHEN NEW.key LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'refused'); END");
    const innocent = kv.set('quota:usage:g1', { used: { u1: 1 } });
    const refused = kv.setMany([
      { key: 'quota:usage:g2', value: { used: { u2: 1 } } },
      { key: 'poison', value: 1 },
    ]);
    // Nothing is reported written that is not: the innocent writer learns its write was lost too.
    await expect(refused).rejects.toThrow('refused');
    await expect(innocent).rejects.toThrow('refused');
    expect(await kv.get('quota:usage:g1')).toBeUndefined();
    expect(await kv.get('quota:usage:g2')).toBeUndefined();
    await kv.set('quota:usage:g1', { used: { u1: 3 } });
    expect(await kv.get('quota:usage:g1')).toEqual({ used: { u1: 3 } });
    await adapter.disconnect();
  });

  it('GIVEN a turn of the event loop that goes on writing (a burst read from the gateway) WHEN the group commit window passes THEN what was written so far is committed at once, each writer still told only once its own commit landed, and a refusal after it rolls back only the group still open', async () => {
    const { adapter, path } = open(undefined, { groupCommitWindowMs: 4 });
    adapter.db.exec("CREATE TRIGGER refuse BEFORE INSERT ON kv WHEN NEW.key LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'refused'); END");
    const other = new Database(path, { readonly: true });
    const count = () => (other.prepare("SELECT COUNT(*) AS n FROM kv WHERE key LIKE 'hvb:job:%'").get() as { n: number }).n;
    const record = (id: string) => JSON.stringify({ value: { id } });
    const busy = (ms: number) => {
      for (const until = performance.now() + ms; performance.now() < until;);
    };
    const settled = (p: Promise<unknown>) =>
      p.then(
        () => 'written',
        (err: unknown) => (err instanceof Error ? err.message : String(err)),
      );

    const first = settled(adapter.set('hvb:job:a', record('a')));
    expect(count()).toBe(0);
    busy(6);
    // The window has passed: this write commits the group with it, in the same turn.
    const second = settled(adapter.set('hvb:job:b', record('b')));
    expect(count()).toBe(2);
    // The next write opens the next group, which waits (for the turn's end here).
    const third = settled(adapter.set('hvb:job:c', record('c')));
    const refused = settled(adapter.set('hvb:job:poison', record('poison')));
    expect(count()).toBe(2);
    expect(await Promise.all([first, second, third, refused])).toEqual(['written', 'written', 'refused', 'refused']);
    expect(count()).toBe(2);
    expect(await adapter.get('hvb:job:c')).toBeUndefined();
    other.close();
    await adapter.disconnect();
  });

  it('GIVEN a write still waiting for its commit WHEN the store closes THEN it is committed first', async () => {
    const { adapter, path } = open();
    const written = adapter.set('hvb:job:last', JSON.stringify({ value: { id: 'last' } }));
    await adapter.disconnect();
    await written;
    const again = open(path);
    expect(await again.kv.get('job:last')).toEqual({ id: 'last' });
    await again.adapter.disconnect();
  });

  it('GIVEN a file written by the earlier sqlite3/@keyv/sqlite store WHEN the bot opens it THEN every record reads back', async () => {
    const path = join(dir, 'older.sqlite');
    // The layout and value encoding @keyv/sqlite used: keyv's serialised {value, expires} under `hvb:<key>`.
    const older = new Database(path);
    older.exec('CREATE TABLE IF NOT EXISTS kv(key VARCHAR(255) PRIMARY KEY, value TEXT )');
    older
      .prepare('INSERT INTO kv (key, value) VALUES (?, ?)')
      .run('hvb:quota:policy:g1', JSON.stringify({ value: { limit: 7, period: 'week' }, expires: null }));
    older.close();

    const store = await openStore(`sqlite://${path}`);
    try {
      expect(await store.kv.get('quota:policy:g1')).toEqual({ limit: 7, period: 'week' });
    } finally {
      await store.close();
    }
  });

  it('GIVEN the store open WHEN the file is inspected THEN it is in WAL mode, so a commit is one append to the log', async () => {
    const path = join(dir, 'wal.sqlite');
    const store = await openStore(`sqlite://${path}`);
    try {
      await store.kv.set('a', 1);
      const peek = new Database(path, { readonly: true });
      expect(peek.pragma('journal_mode', { simple: true })).toBe('wal');
      peek.close();
    } finally {
      await store.close();
    }
  });
});

describe('checkpoints on SQLite', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  // A job record's size; 40 of them fill about 20 pages of the log.
  const record = (i: number) => ({ key: `job:${i}`, value: { id: i, body: 'x'.repeat(2_000) } });

  it('GIVEN a burst of writes filling thousands of log pages WHEN it goes on THEN none of its commits copies the log into the file (no stall mid-burst); once writes pause the log is checkpointed, and closing leaves no log behind', async () => {
    // A quiet time no pause between two turns reaches, even on a loaded machine.
    const { adapter, kv, path } = open(undefined, { checkpointQuietMs: 1_000, checkpointMaxDelayMs: 60_000 });
    await kv.set('first', 1);
    const before = statSync(path).size;
    // 2,400 records of 2 kB in 60 turns: SQLite's own checkpoint would have run at 1,000 pages.
    for (let turn = 0; turn < 60; turn += 1) {
      await kv.setMany(Array.from({ length: 40 }, (_, i) => record(turn * 40 + i)));
      expect(statSync(path).size).toBe(before);
    }
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(4_000_000);
    await sleep(1_500);
    expect(statSync(path).size).toBeGreaterThan(4_000_000);
    expect(await kv.get('job:2399')).toEqual(record(2399).value);
    await adapter.disconnect();
    expect(existsSync(`${path}-wal`)).toBe(false);
    const again = open(path);
    expect(await again.kv.get('job:0')).toEqual(record(0).value);
    await again.adapter.disconnect();
  });

  it('GIVEN writes that never pause (a steady stream of status polls) WHEN the longest delay passes THEN the log is checkpointed anyway', async () => {
    const { adapter, kv, path } = open(undefined, { checkpointQuietMs: 10_000, checkpointMaxDelayMs: 150 });
    await kv.set('first', 1);
    const before = statSync(path).size;
    const grewAt: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      await kv.setMany(Array.from({ length: 10 }, (_, j) => record(i * 10 + j)));
      if (statSync(path).size > before) grewAt.push(i);
      await sleep(10);
    }
    // Writes never paused 10 s: only the longest delay can have checkpointed.
    expect(grewAt.length).toBeGreaterThan(0);
    expect(statSync(path).size).toBeGreaterThan(before + 500_000);
    await adapter.disconnect();
  });
});

describe('sets on SQLite', () => {
  it('GIVEN the index of jobs in flight kept as one JSON array by an earlier version WHEN the bot opens the file THEN its members are kept and later changes survive a reopen', async () => {
    const path = join(dir, 'sets.sqlite');
    const older = new Database(path);
    older.exec('CREATE TABLE IF NOT EXISTS kv(key VARCHAR(255) PRIMARY KEY, value TEXT )');
    older.prepare('INSERT INTO kv (key, value) VALUES (?, ?)').run('hvb:jobs:active', JSON.stringify({ value: ['j1', 'j2'] }));
    older.close();

    const first = await openStore(`sqlite://${path}`);
    expect((await first.setMembers('jobs:active')).sort()).toEqual(['j1', 'j2']);
    await first.addToSet('jobs:active', 'j3');
    await first.removeFromSet('jobs:active', 'j1');
    await first.close();

    const second = await openStore(`sqlite://${path}`);
    try {
      expect((await second.setMembers('jobs:active')).sort()).toEqual(['j2', 'j3']);
      // The array was moved to rows once: it is not read again.
      expect(await second.kv.get('jobs:active')).toBeUndefined();
    } finally {
      await second.close();
    }
  });
});

describe('commits and locked reads on SQLite, past keyv', () => {
  it('GIVEN a commit of a job, its reservation and its index entry WHEN SQLite refuses one record THEN neither the records nor the index entry are stored, the caller sees the failure, and the next commit lands whole', async () => {
    const path = join(dir, 'commit-whole.sqlite');
    const store = await openStore(`sqlite://${path}`);
    try {
      // Read once, so the set is also kept in memory: memory must not list what was rolled back.
      expect(await store.setMembers('jobs:active')).toEqual([]);
      const raw = new Database(path);
      raw.exec("CREATE TRIGGER refuse BEFORE INSERT ON kv WHEN NEW.key LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END");
      raw.close();
      const refused = store.withLock('quota:g1', (lease) =>
        store.commit(
          [
            { key: 'job:j1', value: { id: 'j1' } },
            { key: 'quota:reservation:poison', value: { jobId: 'j1' } },
          ],
          [lease],
          { addToSets: [['jobs:active', 'j1']], release: lease },
        ),
      );
      await expect(refused).rejects.toThrow('disk full (test)');
      expect(await store.kv.get('job:j1')).toBeUndefined();
      expect(await store.setMembers('jobs:active')).toEqual([]);

      await store.withLock('quota:g1', (lease) =>
        store.commit([{ key: 'job:j2', value: { id: 'j2' } }], [lease], { addToSets: [['jobs:active', 'j2']] }),
      );
      expect(await store.kv.get('job:j2')).toEqual({ id: 'j2' });
      expect(await store.setMembers('jobs:active')).toEqual(['j2']);
    } finally {
      await store.close();
    }
    // After a restart the file says the same: nothing of the refused commit, all of the next.
    const again = await openStore(`sqlite://${path}`);
    try {
      expect(await again.kv.get('job:j1')).toBeUndefined();
      expect(await again.kv.get('job:j2')).toEqual({ id: 'j2' });
      expect(await again.setMembers('jobs:active')).toEqual(['j2']);
    } finally {
      await again.close();
    }
  });

  it('GIVEN a record that is not JSON WHEN a lock is taken reading it THEN that holder fails with the parse error and the lock is free for the next one', async () => {
    const path = join(dir, 'corrupt-read.sqlite');
    const store = await openStore(`sqlite://${path}`);
    try {
      await store.kv.set('quota:inflight:g1', { r1: 1 });
      const raw = new Database(path);
      raw.prepare('UPDATE kv SET value = ? WHERE key = ?').run('{"value": not json', 'hvb:quota:inflight:g1');
      raw.close();
      await expect(store.withLock('quota:g1', async () => 'read', ['quota:inflight:g1'])).rejects.toThrow(SyntaxError);
      expect(await store.withLock('quota:g1', async () => 'free', ['quota:policy:g1'])).toBe('free');
    } finally {
      await store.close();
    }
  });

  it('GIVEN a set first read in the turn of a commit that is then rolled back WHEN the guild is listed again later THEN the listing reaches the file (memory kept nothing of the rolled-back turn)', async () => {
    const path = join(dir, 'rolled-back-set.sqlite');
    const store = await openStore(`sqlite://${path}`);
    const raw = new Database(path);
    raw.exec("CREATE TRIGGER refuse BEFORE INSERT ON kv WHEN NEW.key LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END");
    raw.close();
    // A granted reservation lists its guild (the set not read yet); in the same turn the sweep reads
    // the set for the first time, and another write fails: the whole turn is rolled back.
    let firstRead!: Promise<string[]>;
    const granted = store.withLock('quota:g', (lease) => {
      const committed = store.commit([{ key: 'quota:reservation:r1', value: { id: 'r1' } }], [lease], {
        addToSets: [['quota:guilds', 'g']],
      });
      // Read right after the listing was written, before its turn commits.
      firstRead = store.setMembers('quota:guilds');
      return committed;
    });
    const refused = store.kv.set('poison', 1).catch((err: unknown) => err);
    await expect(granted).rejects.toThrow('disk full (test)');
    await refused;
    // The first read ran inside the open transaction: it saw the listing before the rollback.
    expect(await firstRead).toEqual(['g']);
    expect(await store.kv.get('quota:reservation:r1')).toBeUndefined();
    expect(await store.setMembers('quota:guilds')).toEqual([]);

    // The next reservation of the guild lands, and with it the listing.
    await store.withLock('quota:g', (lease) =>
      store.commit([{ key: 'quota:reservation:r2', value: { id: 'r2' } }], [lease], { addToSets: [['quota:guilds', 'g']] }),
    );
    await store.close();
    const again = await openStore(`sqlite://${path}`);
    try {
      expect(await again.kv.get('quota:reservation:r2')).toEqual({ id: 'r2' });
      expect(await again.setMembers('quota:guilds')).toEqual(['g']);
    } finally {
      await again.close();
    }
  });
});
