import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { quotaOn, request } from './helpers.js';
import { redisAvailable, redisUrl } from '../support/redis.js';

const dir = mkdtempSync(join(tmpdir(), 'hvb-guild-listing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The store, except that every write other than the one a granted reservation makes is refused. */
function onlyTheReservationWrites(inner: Store): Store {
  return {
    ...inner,
    kv: inner.kv,
    addToSet: () => Promise.reject(new Error('refused (test): only the reservation write lands')),
  };
}

const backends: Array<{ name: string; url: () => Promise<string | null> }> = [
  { name: 'SQLite', url: async () => `sqlite://${join(dir, `${randomUUID()}.sqlite`)}` },
  // The store's key prefix is fixed: fresh guild ids keep this run apart from any other on db 0.
  { name: 'Redis', url: async () => ((await redisAvailable()) ? redisUrl(0) : null) },
];

describe.each(backends)('the list of guilds that hold reservations ($name)', ({ url }) => {
  it('GIVEN a granted reservation WHEN the bot restarts before anything else is written THEN the sweep finds it through the guild list (listed in the same write), and a refused attempt lists its guild too', async () => {
    const storeUrl = await url();
    if (storeUrl === null) return;
    const guild = `g-${randomUUID()}`;
    const other = `g-${randomUUID()}`;
    // A store on which the separate "list the guild" write can never land: the reservation's own
    // write has to list it.
    const first = await openStore(storeUrl);
    const { quota } = quotaOn(onlyTheReservationWrites(first));
    expect((await quota.reserve(request({ guildId: guild, jobId: `job-${randomUUID()}` }))).ok).toBe(true);
    await first.close();

    const again = await openStore(storeUrl);
    try {
      const { quota: restarted } = quotaOn(again);
      const held = await restarted.heldReservations();
      expect(held.filter((r) => r.guildId === guild)).toHaveLength(1);

      expect((await restarted.setPolicy(other, { limit: 0 })).ok).toBe(true);
      const refused = await restarted.reserve(request({ guildId: other, jobId: `job-${randomUUID()}` }));
      expect(refused.ok).toBe(false);
      expect(await again.setMembers('quota:guilds')).toEqual(expect.arrayContaining([guild, other]));
    } finally {
      await again.close();
    }
  });
});
