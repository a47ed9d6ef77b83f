import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/types.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What every backend must do the same way, so repositories run unchanged on memory, SQLite and
 * Redis. `reopen` gives a second view of the same data (undefined for memory: nothing survives).
 */
export function describeStoreContract(name: string, open: () => Promise<Store>, reopen?: () => Promise<Store>) {
  describe(`${name} store: the contract every backend keeps`, () => {
    it('GIVEN a record WHEN it is written, read and deleted THEN each step is seen, and a TTL makes it vanish', async () => {
      const store = await open();
      try {
        await store.kv.set('contract:a', { n: 1, list: ['x'] });
        expect(await store.kv.get('contract:a')).toEqual({ n: 1, list: ['x'] });
        await store.kv.delete('contract:a');
        expect(await store.kv.get('contract:a')).toBeUndefined();
        await store.kv.set('contract:short', 'v', 60);
        await pause(150);
        expect(await store.kv.get('contract:short')).toBeUndefined();
      } finally {
        await store.close();
      }
    });

    it('GIVEN a set WHEN a member is added twice and another removed THEN members are listed once each', async () => {
      const store = await open();
      try {
        expect(await store.setMembers('contract:set')).toEqual([]);
        await Promise.all([store.addToSet('contract:set', 'a'), store.addToSet('contract:set', 'a'), store.addToSet('contract:set', 'b')]);
        await store.removeFromSet('contract:set', 'b');
        await store.removeFromSet('contract:set', 'never-there');
        expect(await store.setMembers('contract:set')).toEqual(['a']);
      } finally {
        await store.close();
      }
    });

    it('GIVEN 25 read-modify-writes at once under one lock THEN none is lost, and a failing holder releases it', async () => {
      const store = await open();
      try {
        await store.kv.set('contract:counter', 0);
        const bump = () =>
          store.withLock('contract:counter', async () => {
            const n = (await store.kv.get<number>('contract:counter')) ?? 0;
            await pause(1);
            await store.kv.set('contract:counter', n + 1);
            return n + 1;
          });
        const results = await Promise.all(Array.from({ length: 25 }, bump));
        expect(new Set(results).size).toBe(25);
        expect(await store.kv.get('contract:counter')).toBe(25);
        await expect(store.withLock('contract:counter', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
        expect(await store.withLock('contract:counter', async () => 'free again')).toBe('free again');
      } finally {
        await store.close();
      }
    });

    it('GIVEN records written through kv and through commit WHEN a lock is taken reading them THEN each path reads what the other wrote, and missing or expired records read as undefined', async () => {
      const store = await open();
      try {
        await store.kv.set('contract:read:kv', { n: 1, text: ':colon first' });
        await store.commit(
          [
            { key: 'contract:read:commit', value: { n: 2, list: ['a'] } },
            { key: 'contract:read:short', value: 'soon gone', ttl: 60 },
            { key: 'contract:read:long', value: 'kept', ttl: 60_000 },
          ],
          [],
        );
        expect(await store.kv.get('contract:read:commit')).toEqual({ n: 2, list: ['a'] });
        expect(await store.kv.get('contract:read:long')).toBe('kept');
        const keys = ['contract:read:kv', 'contract:read:commit', 'contract:read:never', 'contract:read:long'];
        const seen = await store.withLock('contract:read', async (_lease, values) => values, keys);
        expect(seen).toEqual([{ n: 1, text: ':colon first' }, { n: 2, list: ['a'] }, undefined, 'kept']);
        await pause(150);
        expect(await store.kv.get('contract:read:short')).toBeUndefined();
        expect(await store.withLock('contract:read', async (_lease, values) => values, ['contract:read:short'])).toEqual([undefined]);
        // Without keys to read, the function gets no values.
        expect(await store.withLock('contract:read', async (_lease, values) => values)).toBeUndefined();
      } finally {
        await store.close();
      }
    });

    it('GIVEN a lock held WHEN many writes commit under it THEN all of one commit land together, and a lease lost before the commit writes nothing', async () => {
      const store = await open();
      try {
        await store.withLock('contract:commit', async (lease) => {
          await store.commit(
            [
              { key: 'contract:commit:a', value: 1 },
              { key: 'contract:commit:b', value: 2 },
            ],
            [lease],
          );
        });
        expect(await store.kv.get('contract:commit:a')).toBe(1);
        expect(await store.kv.get('contract:commit:b')).toBe(2);
        const lost = new AbortController();
        lost.abort(new Error('lease lost (test)'));
        await expect(store.commit([{ key: 'contract:commit:a', value: 'late' }], [lost.signal])).rejects.toThrow('lease lost (test)');
        expect(await store.kv.get('contract:commit:a')).toBe(1);
      } finally {
        await store.close();
      }
    });

    it('GIVEN a commit that adds index entries and lets go of its lock THEN the records and the entries land, and the lock is free for the next holder', async () => {
      const store = await open();
      try {
        await store.withLock('contract:release', async (lease) => {
          await store.commit([{ key: 'contract:release:rec', value: 'r' }], [lease], {
            addToSets: [['contract:release:index', 'rec']],
            release: lease,
          });
        });
        expect(await store.kv.get('contract:release:rec')).toBe('r');
        expect(await store.setMembers('contract:release:index')).toEqual(['rec']);
        expect(await store.withLock('contract:release', async () => 'taken again')).toBe('taken again');
      } finally {
        await store.close();
      }
    });

    it('GIVEN a commit that removes records under a lock THEN they are gone with its write (also when it writes nothing else), and a lost lease removes nothing', async () => {
      const store = await open();
      try {
        await store.kv.set('contract:remove:a', 'a');
        await store.kv.set('contract:remove:b', 'b');
        await store.kv.set('contract:remove:kept', 'kept');
        await store.withLock('contract:remove', async (lease) => {
          await store.commit([{ key: 'contract:remove:new', value: 'n' }], [lease], { remove: ['contract:remove:a'] });
          await store.commit([], [lease], { remove: ['contract:remove:b', 'contract:remove:never-was'] });
        });
        expect(await store.kv.get('contract:remove:a')).toBeUndefined();
        expect(await store.kv.get('contract:remove:b')).toBeUndefined();
        expect(await store.kv.get('contract:remove:new')).toBe('n');
        const lost = new AbortController();
        lost.abort(new Error('lease lost (test)'));
        await expect(store.commit([], [lost.signal], { remove: ['contract:remove:kept'] })).rejects.toThrow('lease lost (test)');
        expect(await store.kv.get('contract:remove:kept')).toBe('kept');
        if (reopen) {
          const again = await reopen();
          try {
            expect(await again.kv.get('contract:remove:a')).toBeUndefined();
            expect(await again.kv.get('contract:remove:kept')).toBe('kept');
          } finally {
            await again.close();
          }
        }
      } finally {
        await store.close();
      }
    });

    it('GIVEN writes still in flight WHEN the store is closed THEN close waits for them and the data is kept', async () => {
      const store = await open();
      let written = false;
      const write = store.kv.set('contract:late', 'kept').then(() => (written = true));
      let lockedWrite = false;
      const locked = store.withLock('contract:late', async () => {
        await pause(80);
        await store.kv.set('contract:locked', 'kept too');
        lockedWrite = true;
      });
      expect(await store.ping()).toBe(true);
      await store.close();
      expect(written).toBe(true);
      expect(lockedWrite).toBe(true);
      await Promise.all([write, locked]);
      expect(await store.ping()).toBe(false);
      await expect(store.withLock('after-close', async () => undefined)).rejects.toThrow(/closed/);
      if (reopen) {
        const again = await reopen();
        try {
          expect(await again.kv.get('contract:late')).toBe('kept');
          expect(await again.kv.get('contract:locked')).toBe('kept too');
        } finally {
          await again.close();
        }
      }
    });
  });
}
