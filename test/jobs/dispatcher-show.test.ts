import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/jobs/dispatcher.js';
import type { LinePlace, SubmitLine } from '../../src/jobs/submit-line.js';
import { silentLogger } from '../../src/log.js';
import { sampleJob } from '../support/jobs.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A line that always has one job of ours waiting and whose places take `costMs` to read and draw. */
function slowLine(costMs: number) {
  const job = sampleJob({ id: 'waiting1', state: 'waiting', taskId: null, submittedAt: null });
  const line: SubmitLine = {
    places: async () => {
      await pause(costMs);
      return [{ job, position: 1, startsAt: 0 }];
    },
    hasWaiting: async () => true,
    pick: async () => undefined,
  };
  return line;
}

describe('showing waiting members their place, when the line is long', () => {
  it('GIVEN showing the places takes 40 ms (a line of thousands) WHEN the line moves again and again for 600 ms THEN places are shown about every 400 ms, not back to back', async () => {
    const shown: number[] = [];
    const dispatcher = createDispatcher({
      line: slowLine(40),
      // The budget never grants a turn: only the line's moves (kicks) ask for places.
      turn: (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))),
      send: async () => undefined,
      eligible: () => true,
      show: async (places: LinePlace[]) => void shown.push(places.length),
      clock: Date.now,
      logger: silentLogger(),
      showAfterMs: 10,
      rescanMs: 60_000,
    });
    dispatcher.start();
    const until = Date.now() + 600;
    while (Date.now() < until) {
      dispatcher.kick();
      await pause(5);
    }
    await dispatcher.stop();
    // Back to back it would be about 600 / (10 + 40) = 12 showings; paced, 1 + 600 / 400 at most.
    expect(shown.length).toBeGreaterThanOrEqual(1);
    expect(shown.length).toBeLessThanOrEqual(3);
  });
});
