import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ClosingError } from '../../src/closing-error.js';
import { deferRateLimiter } from '../../src/ratelimit/deferred-limiter.js';
import { createLocalRateLimiter } from '../../src/ratelimit/local-limiter.js';
import { deferStore } from '../../src/store/deferred-store.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import type { RateLimiter } from '../../src/ratelimit/types.js';
import { flushDb, redisAvailable, redisUrl } from '../support/redis.js';
import { describeStoreContract } from './store-contract.js';
import { eventually } from '../support/job-engine.js';

// The bot's Redis store and rate limiter open once Discord's gateway answered (issue 15's cold
// start); a member's /video, a health check or a resumed job may reach them before. These say
// what such a caller sees: the same as with a store that was open all along.

const DB = 4;
const up = await redisAvailable();

/** A backend whose opening waits until `finish()` (or fails with `fail(err)`); counts openings. */
function gatedOpening<T>(open: () => Promise<T>) {
  let finish = () => undefined as void;
  let fail = (_err: unknown) => undefined as void;
  const gate = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const opening = {
    count: 0,
    finish,
    fail,
    open: async () => {
      opening.count += 1;
      await gate;
      return open();
    },
  };
  return opening;
}

describe('a store opened later (the bot on Redis, before the gateway answered)', () => {
  describe.skipIf(!up)('on Redis, opened by its first use', () => {
    describeStoreContract('Redis, deferred', async () => {
      await flushDb(DB);
      return deferStore('redis', () => openStore(redisUrl(DB)));
    });
  });

  it('GIVEN calls made before the store opened WHEN it opens THEN each completes as on an open store, and it opened once', async () => {
    const backend = gatedOpening(() => openStore('memory://'));
    const store = deferStore('memory', backend.open);
    const written = store.kv.set('job:1', { state: 'queued' });
    const added = store.addToSet('jobs:active', '1');
    const locked = store.withLock('quota:g1', async () => 'reserved');
    let settled = false;
    void Promise.all([written, added, locked]).then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);

    backend.finish();
    await expect(locked).resolves.toBe('reserved');
    await Promise.all([written, added]);
    expect(await store.kv.get('job:1')).toEqual({ state: 'queued' });
    expect(await store.setMembers('jobs:active')).toEqual(['1']);
    await store.open();
    expect(backend.count).toBe(1);
    await store.close();
  });

  it('GIVEN a health check before the store opened THEN its ping answers false and does not open the store; once the opening began, it waits for it', async () => {
    const backend = gatedOpening(() => openStore('memory://'));
    const store = deferStore('redis', backend.open);
    expect(await store.ping()).toBe(false);
    expect(backend.count).toBe(0);
    const opened = store.open();
    const pinged = store.ping();
    backend.finish();
    await opened;
    expect(await pinged).toBe(true);
    await store.close();
  });

  it('GIVEN the opening fails WHEN calls were waiting for it THEN each is rejected with its error, not left hanging', async () => {
    const backend = gatedOpening<Store>(() => openStore('memory://'));
    const store = deferStore('redis', backend.open);
    const read = store.kv.get('job:1');
    const members = store.setMembers('jobs:active');
    const opened = store.open();
    backend.fail(new Error('Redis refused the connection'));
    await expect(read).rejects.toThrow('Redis refused the connection');
    await expect(members).rejects.toThrow('Redis refused the connection');
    await expect(opened).rejects.toThrow('Redis refused the connection');
    // A stop after a failed start closes nothing and does not throw.
    await expect(store.close()).resolves.toBeUndefined();
  });

  it('GIVEN a stop before the store ever opened THEN nothing is opened, and a later use is refused as closing', async () => {
    const backend = gatedOpening(() => openStore('memory://'));
    const store = deferStore('redis', backend.open);
    await store.close();
    await expect(store.kv.get('job:1')).rejects.toBeInstanceOf(ClosingError);
    expect(backend.count).toBe(0);
  });

  it('GIVEN a stop while the store is opening THEN the stop does not wait for it, and the store is closed once open, after the calls that waited for it', async () => {
    const events: string[] = [];
    const backend = gatedOpening(async () => {
      const inner = await openStore('memory://');
      return {
        ...inner,
        close: async () => {
          await inner.close();
          events.push('closed');
        },
      } satisfies Store;
    });
    const store = deferStore('memory', backend.open);
    const written = store.kv.set('job:1', 'queued').then(() => events.push('written'));
    // Returns at once: an opening that never ends (a Redis that stopped answering) must not hold the stop.
    await store.close();
    expect(events).toEqual([]);
    backend.finish();
    await written;
    await eventually(() => events.length === 2);
    expect(events).toEqual(['written', 'closed']);
  });

  it("GIVEN kv before the store opened THEN Keyv's methods wait for it and any other property says it is not known yet", async () => {
    const backend = gatedOpening(() => openStore('memory://'));
    const store = deferStore('memory', backend.open);
    expect(() => (store.kv as unknown as { namespace: unknown }).namespace).toThrow(/not known before the store is open/);
    // A method that answers at once (an iterator, a listener) cannot wait for the opening.
    expect(() => store.kv.iterator).toThrow(/not known/);
    expect(() => store.kv.on).toThrow(/not known/);
    // Not a thenable (kv returned from an async function stays kv), and it can be logged.
    expect(await (async () => store.kv)()).toBe(store.kv);
    expect(() => inspect(store.kv)).not.toThrow();
    const read = store.kv.get('missing');
    backend.finish();
    await expect(read).resolves.toBeUndefined();
    expect(typeof (store.kv as unknown as { namespace: unknown }).namespace).toBe('string');
    await store.close();
  });
});

describe('a rate limiter opened later', () => {
  const budgets = { submit: { limit: 1, windowMs: 60_000 }, poll: { limit: 10, windowMs: 1_000 } };

  it('GIVEN turns asked before it opened WHEN it opens THEN they are given in the budget, in order', async () => {
    const backend = gatedOpening<RateLimiter>(async () => createLocalRateLimiter(budgets));
    const limiter = deferRateLimiter(backend.open);
    const order: string[] = [];
    const first = limiter.acquire('submit').then(() => order.push('first'));
    const second = limiter.acquire('submit', AbortSignal.timeout(200)).then(
      () => order.push('second'),
      () => order.push('second waited past the budget'),
    );
    backend.finish();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second waited past the budget']);
    expect(backend.count).toBe(1);
    await limiter.close();
  });

  it('GIVEN a stop while it is opening THEN turns waiting for it are refused, not left hanging', async () => {
    const backend = gatedOpening<RateLimiter>(async () => createLocalRateLimiter(budgets));
    const limiter = deferRateLimiter(backend.open);
    const first = limiter.acquire('submit').then(
      () => 'given',
      () => 'refused',
    );
    const waiting = limiter.acquire('submit');
    await limiter.close();
    backend.finish();
    expect(['given', 'refused']).toContain(await first);
    await expect(waiting).rejects.toThrow();
    await expect(limiter.acquire('poll')).rejects.toThrow();
  });

  it('GIVEN a stop before it ever opened THEN nothing opens and a turn asked later is refused as closing', async () => {
    const backend = gatedOpening<RateLimiter>(async () => createLocalRateLimiter(budgets));
    const limiter = deferRateLimiter(backend.open);
    await limiter.close();
    await expect(limiter.acquire('poll')).rejects.toBeInstanceOf(ClosingError);
    expect(backend.count).toBe(0);
  });
});
