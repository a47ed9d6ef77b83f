import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { createPressClaims } from '../../src/jobs/press-claims.js';
import { redisAvailable, redisUrl } from '../support/redis.js';
import { sqliteFilePerTest } from '../support/sqlite.js';

const redisUp = await redisAvailable();

function contract(name: string, open: () => Promise<Store[]>) {
  describe(`one press per result per member (${name})`, () => {
    it('GIVEN ten presses of the same Regenerate at once, across two processes WHEN claimed THEN exactly one counts', async () => {
      const stores = await open();
      try {
        const result = `j${randomUUID().slice(0, 8)}`;
        const claims = stores.map((store) => createPressClaims(store));
        const pressOn = (i: number) => {
          const on = claims[i % claims.length];
          if (!on) throw new Error('no store');
          return on.claim(result, 'u1', 'regenerate');
        };
        const won = await Promise.all(Array.from({ length: 10 }, (_, i) => pressOn(i)));
        expect(won.filter(Boolean)).toHaveLength(1);
        // Another member, another result or another button is another press.
        expect(await claims[0]?.claim(result, 'u2', 'regenerate')).toBe(true);
        expect(await claims[0]?.claim(result, 'u1', 'edit')).toBe(true);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('GIVEN a press whose job was refused, or whose job already ended, WHEN the member presses again at once THEN it counts (a retry, not a double click)', async () => {
      const stores = await open();
      let live = true;
      const claims = createPressClaims(stores[0] as Store, { isLive: async () => live });
      try {
        const result = `j${randomUUID().slice(0, 8)}`;
        expect(await claims.claim(result, 'u1', 'regenerate')).toBe(true);
        await claims.release(result, 'u1', 'regenerate', null);
        expect(await claims.claim(result, 'u1', 'regenerate')).toBe(true);
        await claims.release(result, 'u1', 'regenerate', 'job-started');
        expect(await claims.claim(result, 'u1', 'regenerate')).toBe(false);
        live = false;
        expect(await claims.claim(result, 'u1', 'regenerate')).toBe(true);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('GIVEN the first press started its job WHEN the member presses again after the double-click window THEN it counts', async () => {
      const stores = await open();
      let now = 1_000_000;
      const claims = createPressClaims(stores[0] as Store, { clock: () => now, minHoldMs: { regenerate: 3_000 } });
      try {
        const result = `j${randomUUID().slice(0, 8)}`;
        expect(await claims.claim(result, 'u1', 'regenerate')).toBe(true);
        await claims.release(result, 'u1', 'regenerate', 'job-started');
        now += 1_000;
        expect(await claims.claim(result, 'u1', 'regenerate')).toBe(false);
        now += 60_000;
        expect(await claims.claim(result, 'u1', 'regenerate')).toBe(true);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });
  });
}

const { openSqlite } = sqliteFilePerTest('hvb-press-');
contract('SQLite', async () => [await openSqlite()]);
if (redisUp) contract('Redis, two processes', async () => [await openStore(redisUrl(0)), await openStore(redisUrl(0))]);
