import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createScheduler } from '../../src/jobs/scheduler.js';
import { ClosingError } from '../../src/closing-error.js';

function capturedLogger() {
  const levels: number[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) levels.push((JSON.parse(line) as { level: number }).level);
      done();
    },
  });
  return { levels, logger: createLogger({ level: 'debug', destination }) };
}

const ERROR = 50;

describe('the poller’s scheduler', () => {
  it('GIVEN a run that throws while the bot runs THEN an operator sees an error and the job is tried again', async () => {
    const { levels, logger } = capturedLogger();
    let calls = 0;
    const scheduler = createScheduler({
      logger,
      maxInFlight: 2,
      retryAfterErrorMs: 20,
      handler: async () => {
        calls += 1;
        if (calls === 1) throw new Error('status request failed');
        return { done: true };
      },
    });
    scheduler.start();
    scheduler.schedule('j1', Date.now());
    await expect.poll(() => calls, { timeout: 2_000 }).toBe(2);
    await scheduler.stop();
    expect(levels.filter((l) => l === ERROR)).toHaveLength(1);
  });

  it('GIVEN runs in progress WHEN the bot stops and they fail because the rate limiter closed THEN only a real failure is logged as an error', async () => {
    const { levels, logger } = capturedLogger();
    let closeLimiter!: (err: Error) => void;
    const limiterClosed = new Promise<never>((_resolve, reject) => {
      closeLimiter = reject;
    });
    let started = 0;
    const scheduler = createScheduler({
      logger,
      maxInFlight: 4,
      handler: async (id) => {
        started += 1;
        if (id === 'c') return limiterClosed.catch(() => Promise.reject(new Error('store write failed')));
        return limiterClosed;
      },
    });
    scheduler.start();
    for (const id of ['a', 'b', 'c']) scheduler.schedule(id, Date.now());
    await expect.poll(() => started, { timeout: 2_000 }).toBe(3);
    const stopping = scheduler.stop();
    closeLimiter(new ClosingError('rate limiter closed'));
    await stopping;
    expect(levels.filter((l) => l >= ERROR)).toEqual([ERROR]);
    expect(levels.length).toBe(3);
  });

  it('GIVEN every slot taken by runs that hang WHEN other jobs come due THEN they run once the hung runs overstay their slot, and a hung job is not run again until its run ends', async () => {
    const { logger } = capturedLogger();
    const hung = new Map<string, () => void>();
    const runs: string[] = [];
    const scheduler = createScheduler({
      logger,
      maxInFlight: 2,
      slotHoldMs: 50,
      handler: async (id) => {
        runs.push(id);
        if (id.startsWith('hung') && runs.filter((r) => r === id).length === 1) {
          // The first run of a hung job ends only when the test lets it: then it asks to run again.
          await new Promise<void>((resolve) => hung.set(id, resolve));
          return { againAt: Date.now() };
        }
        return { done: true };
      },
    });
    scheduler.start();
    scheduler.schedule('hung1', Date.now());
    scheduler.schedule('hung2', Date.now());
    await expect.poll(() => hung.size, { timeout: 2_000 }).toBe(2);
    scheduler.schedule('other1', Date.now());
    scheduler.schedule('other2', Date.now());
    // Due again while its first run still hangs: must wait for that run, never run beside it.
    scheduler.schedule('hung1', Date.now());

    await expect.poll(() => runs.filter((r) => r.startsWith('other')).length, { timeout: 2_000 }).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(runs.filter((r) => r === 'hung1')).toHaveLength(1);

    for (const release of hung.values()) release();
    await expect.poll(() => runs.filter((r) => r.startsWith('hung')).length, { timeout: 2_000 }).toBe(4);
    await expect.poll(() => scheduler.size, { timeout: 2_000 }).toBe(0);
    await scheduler.stop();
  });

  it('GIVEN the overstaying runs reach their cap (the provider or store hangs for everybody) THEN no more runs start until one ends', async () => {
    const { logger } = capturedLogger();
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    const scheduler = createScheduler({
      logger,
      maxInFlight: 1,
      maxOverdue: 1,
      slotHoldMs: 30,
      handler: async (id) => {
        started.push(id);
        await blocked;
        return { done: true };
      },
    });
    scheduler.start();
    for (const id of ['a', 'b', 'c']) scheduler.schedule(id, Date.now());
    await expect.poll(() => started.length, { timeout: 2_000 }).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(started).toEqual(['a', 'b']);
    release();
    await expect.poll(() => started.length, { timeout: 2_000 }).toBe(3);
    await scheduler.stop();
  });
});
