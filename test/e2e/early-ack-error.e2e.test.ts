import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { startHarness, videoCommand, type Harness } from './harness.js';

/** A store that, once `failAfter(ms)` is called, makes every call wait `ms` and then fail (a Redis failover ending in an error). */
function failingStore(inner: Store) {
  let failMs = 0;
  const maybe = async <T>(call: () => Promise<T>): Promise<T> => {
    if (failMs > 0) {
      await new Promise((r) => setTimeout(r, failMs));
      throw new Error('store unavailable (review test)');
    }
    return call();
  };
  const store: Store = {
    kind: inner.kind,
    kv: inner.kv,
    withLock: (name, fn) => maybe(() => inner.withLock(name, fn)),
    addToSet: (key, member) => maybe(() => inner.addToSet(key, member)),
    removeFromSet: (key, member) => maybe(() => inner.removeFromSet(key, member)),
    setMembers: (key) => maybe(() => inner.setMembers(key)),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
  return { store, failAfter: (ms: number) => (failMs = ms), heal: () => (failMs = 0) };
}

describe('a /video whose store call fails after the early public acknowledgement', () => {
  let h: Harness;
  let control: ReturnType<typeof failingStore>;
  const dir = mkdtempSync(join(tmpdir(), 'hvb-review-'));
  beforeAll(async () => {
    h = await startHarness({
      store: async () => {
        control = failingStore(await openStore(`sqlite://${join(dir, 'f.sqlite')}`));
        return control.store;
      },
    });
  });
  afterAll(async () => {
    control?.heal();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('GIVEN the store stalls 2.5 s then errors WHEN a member runs /video THEN the member reads "something went wrong" once, in the reply the early acknowledgement made (no second message)', async () => {
    control.failAfter(2_500);
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a failing store' }));
    await new Promise((r) => setTimeout(r, 5_000));
    control.heal();
    const reply = h.discord.originalResponse(id);
    // The guard acknowledged publicly (a /video reply is public); the error is said in that reply,
    // which a later ending can still edit, rather than in a second message.
    expect(reply?.content ?? '').toContain('Something went wrong');
    expect(h.discord.followUps(id).filter((m) => m.content.includes('Something went wrong'))).toHaveLength(0);
  });
});
