import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { createPressClaims, type Press, type PressAction } from '../../src/jobs/press-claims.js';
import { redisAvailable, redisUrl } from '../support/redis.js';
import { sqliteFilePerTest } from '../support/sqlite.js';

const redisUp = await redisAvailable();

const press = (resultJobId: string, userId = 'u1', action: PressAction = 'regenerate', formId?: string): Press => ({
  resultJobId,
  userId,
  action,
  ...(formId ? { formId } : {}),
});

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
          return on.claim(press(result));
        };
        const won = await Promise.all(Array.from({ length: 10 }, (_, i) => pressOn(i)));
        expect(won.filter(Boolean)).toHaveLength(1);
        // Another member, another result or another button is another press.
        expect(await claims[0]?.claim(press(result, 'u2'))).toBe(true);
        expect(await claims[0]?.claim(press(result, 'u1', 'edit'))).toBe(true);
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
        expect(await claims.claim(press(result))).toBe(true);
        await claims.release(press(result), null);
        expect(await claims.claim(press(result))).toBe(true);
        await claims.release(press(result), 'job-started');
        expect(await claims.claim(press(result))).toBe(false);
        live = false;
        expect(await claims.claim(press(result))).toBe(true);
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
        expect(await claims.claim(press(result))).toBe(true);
        await claims.release(press(result), 'job-started');
        now += 1_000;
        expect(await claims.claim(press(result))).toBe(false);
        now += 60_000;
        expect(await claims.claim(press(result))).toBe(true);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('GIVEN an Edit form whose job started WHEN the same form comes again within 5 s THEN it does not count; a form opened again counts at once', async () => {
      const stores = await open();
      let now = 1_000_000;
      const claims = createPressClaims(stores[0] as Store, { clock: () => now, isLive: async () => true });
      try {
        const result = `j${randomUUID().slice(0, 8)}`;
        const form = press(result, 'u1', 'edit', 'form-1');
        expect(await claims.claim(form)).toBe(true);
        await claims.release(form, 'job-edited');
        now += 250;
        expect(await claims.claim(form)).toBe(false);
        expect(await claims.claim(press(result, 'u1', 'edit', 'form-2'))).toBe(true);
        now += 5_000;
        expect(await claims.claim(form)).toBe(true);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('GIVEN an Extend that started 40 s after it was sent (its frame waited in line) WHEN the same form comes again just after THEN it does not count: the hold runs from the start', async () => {
      const stores = await open();
      let now = 1_000_000;
      const claims = createPressClaims(stores[0] as Store, { clock: () => now, isLive: async () => true });
      try {
        const form = press(`j${randomUUID().slice(0, 8)}`, 'u1', 'extend', 'form-1');
        expect(await claims.claim(form)).toBe(true);
        now += 40_000;
        await claims.release(form, 'job-extended');
        now += 1_000;
        expect(await claims.claim(form)).toBe(false);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });
  });
}

const { openSqlite } = sqliteFilePerTest('hvb-press-');
contract('SQLite', async () => [await openSqlite()]);
if (redisUp) contract('Redis, two processes', async () => [await openStore(redisUrl(0)), await openStore(redisUrl(0))]);
