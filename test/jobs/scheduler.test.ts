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
});
