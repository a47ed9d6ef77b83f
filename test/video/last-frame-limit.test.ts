import { describe, expect, it } from 'vitest';
import type { DownloadResult } from '../../src/http/download.js';
import { createLastFrameExtractor } from '../../src/video/last-frame.js';

// A burst of Extend presses must not fetch and decode a dozen videos at once: a few at a time, a
// short line behind them, and a clear "busy" (said to the member, nothing charged) past it.
describe('taking last frames a few at a time', () => {
  it('GIVEN 2 at once and a line of 1 WHEN 4 members press Extend together THEN 2 downloads run, 1 waits, the 4th is told busy', async () => {
    let running = 0;
    let most = 0;
    const waiters: Array<() => void> = [];
    const download = async (): Promise<DownloadResult> => {
      running += 1;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => waiters.push(resolve));
      running -= 1;
      return { ok: false, reason: 'http_error', status: 404 };
    };
    const frames = createLastFrameExtractor({ ffmpegPath: 'ffmpeg', download, maxConcurrent: 2, maxWaiting: 1 });
    const results = [frames.extract('a'), frames.extract('b'), frames.extract('c'), frames.extract('d')];
    expect(await results[3]).toEqual({ ok: false, reason: 'busy' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(running).toBe(2);
    while (waiters.length > 0 || running > 0) {
      waiters.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all(results.slice(0, 3))).toEqual(Array(3).fill({ ok: false, reason: 'download_failed' }));
    expect(most).toBe(2);
  });
});
