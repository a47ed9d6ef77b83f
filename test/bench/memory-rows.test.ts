import { describe, expect, it } from 'vitest';
import { memoryRows, type MemoryFigures } from '../../scripts/bench/memory.js';
import type { MemorySample } from '../../scripts/bench/protocol.js';
import { editCounter } from '../../scripts/bench/edits.js';
import type { RecordedRequest } from '../fakes/discord/index.js';

const MB = 1e6;

const sample = (rssMb: number, heapMb: number, youngMb = 0): MemorySample => ({
  rss: rssMb * MB,
  heapUsed: heapMb * MB,
  heapTotal: heapMb * 1.2 * MB,
  external: 4 * MB,
  arrayBuffers: 0.3 * MB,
  youngGeneration: youngMb * MB,
  gcExposed: true,
});

const figures = (half: MemorySample, loaded: MemorySample, extra: Partial<MemoryFigures> = {}): MemoryFigures => ({
  idle: sample(120, 30),
  half,
  halfJobs: 500,
  loaded,
  jobs: 1000,
  pollsPerSecond: 130,
  editsPerSecond: 50,
  unchangedEdits: 0,
  windowEdits: 750,
  submitSeconds: 6,
  snapshots: false,
  ...extra,
});

const perJobRow = (f: MemoryFigures) => {
  const row = memoryRows(f).find((r) => r.figure.startsWith('bot RSS per job in flight'));
  if (!row) throw new Error('no per-job row');
  return row;
};

/**
 * The memory phase's verdict on issue 15's "under 20 kB a job in flight", as someone reading the
 * bench's table sees it: what a job adds is judged, and what the process keeps once after its first
 * burst is shown apart, not spread over the jobs.
 */
describe('npm run bench: RSS per job in flight', () => {
  it('judges what the second 500 jobs added per job, and prints the one-time cost apart', () => {
    // Idle 120 MB; 500 jobs: +13 MB (10 MB kept once + 500 × 6 kB); 1,000 jobs: +3 MB more.
    const row = perJobRow(figures(sample(133, 33), sample(136, 36)));
    expect(row.result).toBe('pass');
    expect(row.measured).toMatch(
      /^6\.0 kB \(heap 6\.0 kB\): the second 500 jobs \+3\.0 MB; the first 500 \+13\.0 MB \(26\.0 kB a job\), \+10\.0 MB over/,
    );
    expect(row.measured).toContain('from idle to 1000 jobs 16.0 kB a job');
  });

  it('fails when each added job holds more than 20 kB', () => {
    const row = perJobRow(figures(sample(131, 33), sample(142.5, 36)));
    expect(row.measured).toMatch(/^23\.0 kB/);
    expect(row.result).toBe('FAIL');
  });

  it("leaves V8's young generation out, and never reads below the heap's own growth", () => {
    // The nursery grew 9 MB between the samples: not a job's. RSS grew less than the heap did
    // (glibc handed back memory it kept): the heap's growth counts.
    const young = perJobRow(figures(sample(133, 33, 0), sample(145, 36, 9)));
    expect(young.measured).toMatch(/^6\.0 kB/);
    const heapFloor = perJobRow(figures(sample(133, 33), sample(134, 45)));
    expect(heapFloor.measured).toMatch(/^24\.0 kB/);
    expect(heapFloor.result).toBe('FAIL');
  });

  it('says when the first half grew less than the second (the noise, or a step of growth, fell there)', () => {
    const row = perJobRow(figures(sample(122, 31), sample(134, 36)));
    expect(row.measured).toMatch(/^24\.0 kB .*the first 500 \+2\.0 MB \(4\.0 kB a job\), -10\.0 MB over the second's rate/);
    expect(row.result).toBe('FAIL');
  });

  it('gives no verdict when heap snapshots were written between the samples, and fails with too few jobs', () => {
    expect(perJobRow(figures(sample(133, 33), sample(136, 36), { snapshots: true })).result).toBe('info');
    expect(perJobRow(figures(sample(133, 33), sample(136, 36), { jobs: 900 })).result).toBe('FAIL');
  });
});

describe('npm run bench: progress edits per status poll', () => {
  const perPollRow = (f: MemoryFigures) => memoryRows(f).find((r) => r.figure.startsWith('progress edits per status poll'));

  it('passes at one edit a poll and fails above it', () => {
    expect(perPollRow(figures(sample(133, 33), sample(136, 36), { editsPerSecond: 130, pollsPerSecond: 130 }))?.result).toBe('pass');
    expect(perPollRow(figures(sample(133, 33), sample(136, 36), { editsPerSecond: 131, pollsPerSecond: 130 }))?.result).toBe('FAIL');
  });
});

describe('npm run bench: progress edits that change nothing', () => {
  const unchangedRow = (f: MemoryFigures) => memoryRows(f).find((r) => r.figure.startsWith('progress edits that changed nothing'));

  it('passes with none, and fails on one edit that repeats the last one of its message', () => {
    expect(unchangedRow(figures(sample(133, 33), sample(136, 36)))).toMatchObject({ measured: '0 of 750', result: 'pass' });
    expect(unchangedRow(figures(sample(133, 33), sample(136, 36), { unchangedEdits: 1 }))).toMatchObject({
      measured: '1 of 750',
      result: 'FAIL',
    });
  });
});

describe('editCounter (what the bench counts as a progress edit that changed nothing)', () => {
  let at = 0;
  const edit = (path: string, body: unknown, status = 200, files: RecordedRequest['files'] = []): RecordedRequest => ({
    method: 'PATCH',
    path,
    query: {},
    auth: 'none',
    body,
    files,
    status,
    at: (at += 1),
    unknownRoute: false,
    injected: false,
  });
  const reply = (n: number) => `/v10/webhooks/1/token-${n}/messages/@original`;

  it("counts an edit with the same body and files as its message's last accepted one, per message and route", () => {
    const requests: RecordedRequest[] = [];
    const count = editCounter(() => requests);
    const view = { embeds: [{ description: '▰▰▱▱ 50 %' }] };
    requests.push(edit(reply(1), view), edit(reply(2), view), edit('/v10/channels/5/messages/6', view));
    expect(count()).toEqual({ edits: 3, unchanged: 0 });
    // The same view again on reply 1; a new view on reply 2; a GET and a callback are not edits.
    requests.push(edit(reply(1), view), edit(reply(2), { embeds: [{ description: '▰▰▰▱ 75 %' }] }));
    requests.push({ ...edit(reply(1), undefined), method: 'GET' }, { ...edit('/v10/interactions/1/t/callback', view), method: 'POST' });
    expect(count()).toEqual({ edits: 5, unchanged: 1 });
  });

  it("compares an edit through the channel with the last one through the interaction's token (the same message)", () => {
    const requests: RecordedRequest[] = [];
    const count = editCounter(
      () => requests,
      (path) => (path === reply(1) || path === '/v10/channels/5/messages/6' ? '6' : undefined),
    );
    const view = { embeds: [{ description: '▰▰▱▱ 50 %' }] };
    requests.push(edit(reply(1), view), edit('/v10/channels/5/messages/6', view));
    expect(count()).toEqual({ edits: 2, unchanged: 1 });
  });

  it('does not count the retry of an edit Discord refused, nor the same text with a video attached', () => {
    const requests: RecordedRequest[] = [];
    const count = editCounter(() => requests);
    const view = { content: 'Your video is ready' };
    requests.push(edit(reply(1), view, 429), edit(reply(1), view, 200));
    requests.push(edit(reply(1), view, 200, [{ name: 'video.mp4', size: 1_048_576, contentType: 'video/mp4' }]));
    expect(count()).toEqual({ edits: 3, unchanged: 0 });
  });
});
