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

  it('GIVEN the store stalls 2.5 s then errors WHEN a member runs /video THEN the "something went wrong" answer reaches the member privately and nothing public is left saying it', async () => {
    control.failAfter(2_500);
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a failing store' }));
    await new Promise((r) => setTimeout(r, 5_000));
    control.heal();
    const reply = h.discord.originalResponse(id);
    // The router meant the error (with its ref) to be private (followUp, Ephemeral); after the guard's
    // public deferral Discord turns that first follow-up into the public original reply.
    expect(reply?.content ?? '').not.toContain('Something went wrong');
    const privateNotes = h.discord.followUps(id).filter((m) => ((m.flags ?? 0) & 64) === 64 && m.content.includes('Something went wrong'));
    expect(privateNotes).toHaveLength(1);
  });
});
