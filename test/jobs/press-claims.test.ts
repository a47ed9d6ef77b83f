import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { createPressClaims, type ClaimResult, type HeldClaim, type Press, type PressAction } from '../../src/jobs/press-claims.js';
import { redisAvailable, redisUrl } from '../support/redis.js';
import { sqliteFilePerTest } from '../support/sqlite.js';

const redisUp = await redisAvailable();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const press = (resultJobId: string, userId = 'u1', action: PressAction = 'regenerate', formId?: string): Press => ({
  resultJobId,
  userId,
  action,
  ...(formId ? { formId } : {}),
});
/** The claim a press got; fails the test when it was refused. */
const held = (result: ClaimResult): HeldClaim => {
  if (!result.claimed) throw new Error(`expected the press to count; the first is ${result.first}`);
  return result.claim;
};

/**
 * `open` opens the store of each process; `reopen` (when given) opens the first process's store
 * again, as a restarted process would.
 */
function contract(name: string, open: () => Promise<Store[]>, reopen?: () => Promise<Store>) {
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
        expect(won.filter((w) => w.claimed)).toHaveLength(1);
        // Pressed while the first is still being handled: that is what the others are told.
        expect(won.filter((w) => !w.claimed).every((w) => !w.claimed && w.first === 'handling')).toBe(true);
        // Another member, another result or another button is another press.
        expect((await claims[0]?.claim(press(result, 'u2')))?.claimed).toBe(true);
        expect((await claims[0]?.claim(press(result, 'u1', 'edit')))?.claimed).toBe(true);
        for (const w of won) if (w.claimed) await w.claim.release(null);
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
        await held(await claims.claim(press(result))).release(null);
        await held(await claims.claim(press(result))).release('job-started');
        expect(await claims.claim(press(result))).toEqual({ claimed: false, first: 'started' });
        live = false;
        await held(await claims.claim(press(result))).release(null);
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
        await held(await claims.claim(press(result))).release('job-started');
        now += 1_000;
        expect((await claims.claim(press(result))).claimed).toBe(false);
        now += 60_000;
        await held(await claims.claim(press(result))).release(null);
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
        await held(await claims.claim(form)).release('job-edited');
        now += 250;
        expect(await claims.claim(form)).toEqual({ claimed: false, first: 'started' });
        await held(await claims.claim(press(result, 'u1', 'edit', 'form-2'))).release(null);
        now += 5_000;
        await held(await claims.claim(form)).release(null);
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
        const first = held(await claims.claim(form));
        now += 40_000;
        await first.release('job-extended');
        now += 1_000;
        expect((await claims.claim(form)).claimed).toBe(false);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('GIVEN a press still being handled after the longest hold (an Extend waiting behind other frames) WHEN the same press comes again THEN it does not count, and is told the first is still being handled', async () => {
      const stores = await open();
      const claims = stores.map((store) => createPressClaims(store, { maxHoldMs: 300 }));
      try {
        const form = press(`j${randomUUID().slice(0, 8)}`, 'u1', 'extend', 'form-1');
        const first = held(await (claims[0] as (typeof claims)[number]).claim(form));
        await sleep(1_000);
        expect(await claims.at(-1)?.claim(form)).toEqual({ claimed: false, first: 'handling' });
        // Refused in the end (its frame could not be taken): the next send counts at once.
        await first.release(null);
        await held((await claims.at(-1)?.claim(form)) ?? { claimed: false, first: 'handling' }).release(null);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    if (reopen) {
      it('GIVEN the process handling a press died WHEN the longest hold passed THEN the press counts again', async () => {
        const [store] = await open();
        const form = press(`j${randomUUID().slice(0, 8)}`, 'u1', 'extend', 'form-1');
        held(await createPressClaims(store as Store, { maxHoldMs: 300 }).claim(form));
        // The process dies: its store goes (renewals fail from now on), and a new process starts.
        await store?.close();
        const restarted = await reopen();
        try {
          const claims = createPressClaims(restarted, { maxHoldMs: 300 });
          expect((await claims.claim(form)).claimed).toBe(false);
          await sleep(500);
          await held(await claims.claim(form)).release(null);
        } finally {
          await restarted.close();
        }
      });
    }

    it('GIVEN a claim that expired and went to a later press WHEN the first press finally lets go THEN the later press keeps its claim', async () => {
      const stores = await open();
      let now = 1_000_000;
      // No renewal can land in time here: the test's clock jumps past the longest hold at once.
      const claims = createPressClaims(stores[0] as Store, { clock: () => now, maxHoldMs: 60_000 });
      try {
        const result = `j${randomUUID().slice(0, 8)}`;
        const first = held(await claims.claim(press(result)));
        now += 61_000;
        const second = held(await claims.claim(press(result)));
        await first.release(null);
        expect(await claims.claim(press(result))).toEqual({ claimed: false, first: 'handling' });
        await second.release(null);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });
  });
}

const { openSqlite } = sqliteFilePerTest('hvb-press-');
contract('SQLite', async () => [await openSqlite()], openSqlite);
if (redisUp) {
  contract(
    'Redis, two processes',
    async () => [await openStore(redisUrl(0)), await openStore(redisUrl(0))],
    () => openStore(redisUrl(0)),
  );
}
