import { describe, expect, it } from 'vitest';
import { ackRows, type AckRound } from '../../scripts/bench/ack.js';
import { scaleRows, type ScaleRun } from '../../scripts/bench/scale.js';
import { exitCodeOf, type Row } from '../../scripts/bench/table.js';

/**
 * The verdicts `npm run bench` prints on issue 15's targets, as someone reading its tables sees
 * them: each can fail, and a broken measurement is no pass.
 */
const round = (kind: AckRound['kind'], p99: number, deferred = 200): AckRound => ({
  kind,
  coldStartMs: 600,
  harnessStallMs: 12,
  p50: p99 * 0.8,
  p99,
  max: p99 * 1.1,
  firstP50: p99,
  firstP99: p99 * 1.2,
  deferred,
  cpuPerJobMs: 1,
  cpuToAckMs: 200,
  loopP99: 20,
});
const ackP99Row = (rounds: AckRound[]) => {
  const row = ackRows({ rounds, profiled: false }).find((r) => r.figure === 'ack latency p99, ours vs floor');
  if (!row) throw new Error('no ack p99 row');
  return row;
};
const fiveRounds = (ours: number, floor: number, floorDeferred = 200) =>
  Array.from({ length: 5 }, () => [round('ours', ours), round('floor', floor, floorDeferred)]).flat();

describe('npm run bench: the ack p99 verdict', () => {
  it('passes at 1.5× the floor and fails above it', () => {
    expect(ackP99Row(fiveRounds(150, 100)).result).toBe('pass');
    expect(ackP99Row(fiveRounds(151, 100)).result).toBe('FAIL');
  });

  it('fails when the floor missed a deferral in a round (its p99 is then infinite: no comparison)', () => {
    const rounds = fiveRounds(120, 100);
    rounds[3] = round('floor', Number.POSITIVE_INFINITY, 197);
    const row = ackP99Row(rounds);
    expect(row.result).toBe('FAIL');
    expect(row.measured).toContain('the floor deferred only 197/200 in a round: no comparison');
  });

  it("fails when one of ours' interactions missed Discord's 3 s, whatever the p99", () => {
    const rounds = fiveRounds(120, 100);
    rounds[0] = round('ours', 120, 199);
    expect(ackP99Row(rounds).result).toBe('FAIL');
  });
});

const scaleRun = (processes: number, jobs: number, rssAddedPerJob: number, extra: Partial<ScaleRun> = {}): ScaleRun => ({
  processes,
  jobs,
  guildsPerProcess: processes === 1 ? 5_000 : 2_500,
  fillSeconds: 300,
  ack: { p50: 150, p99: 600, max: 700, late: 0 },
  harnessLoopP99: 20,
  drainSeconds: 30,
  perProcess: Array.from({ length: processes }, () => ({
    cpuShare: 0.05,
    idleRss: 150e6,
    rss: 150e6 + (rssAddedPerJob * jobs) / processes,
    heap: 60e6,
  })),
  storeOpsPerS: 130,
  statusPerS: 10,
  editsPerS: 8,
  edits: { sent: 20_000, unchanged: 0 },
  ...extra,
});
const scaleRow = (run: ScaleRun, starts: string) => {
  const row = scaleRows([run]).find((r) => r.figure.includes(starts));
  if (!row) throw new Error(`no row with "${starts}"`);
  return row;
};

describe('npm run bench: the scale verdicts', () => {
  it("judges the one process' RSS added per job in flight with 10,000 jobs, from idle, against 20 kB", () => {
    expect(scaleRow(scaleRun(1, 10_000, 8_000), 'RSS added per job')).toMatchObject({ result: 'pass', target: '< 20.0 kB a job' });
    expect(scaleRow(scaleRun(1, 10_000, 19_900), 'RSS added per job').result).toBe('pass');
    expect(scaleRow(scaleRun(1, 10_000, 20_000), 'RSS added per job').result).toBe('FAIL');
  });

  it("gives the shards' and a smaller run's per-job RSS as info (fewer jobs than the sampling noise)", () => {
    expect(scaleRow(scaleRun(4, 10_000, 25_000), 'RSS added per job').result).toBe('info');
    expect(scaleRow(scaleRun(1, 2_000, 25_000), 'RSS added per job').result).toBe('info');
  });

  it('fails on one edit that changed nothing, on status requests over the budget, and on a late acknowledgement', () => {
    expect(scaleRow(scaleRun(1, 10_000, 8_000), 'changed nothing')).toMatchObject({ measured: '0 of 20000', result: 'pass' });
    expect(scaleRow(scaleRun(1, 10_000, 8_000, { edits: { sent: 20_000, unchanged: 1 } }), 'changed nothing').result).toBe('FAIL');
    // The budget (10/s) plus 5 % for the edges of a 30 s window, and no more.
    expect(scaleRow(scaleRun(4, 10_000, 8_000, { statusPerS: 10.5 }), 'status requests').result).toBe('pass');
    expect(scaleRow(scaleRun(4, 10_000, 8_000, { statusPerS: 10.6 }), 'status requests').result).toBe('FAIL');
    const late = scaleRun(1, 10_000, 8_000, { ack: { p50: 150, p99: 600, max: 3_100, late: 1 } });
    expect(scaleRow(late, 'fill').result).toBe('FAIL');
  });

  it('fails on more than one progress edit a status poll in the steady window', () => {
    expect(scaleRow(scaleRun(1, 10_000, 8_000, { editsPerS: 10, statusPerS: 10 }), 'edits per status poll').result).toBe('pass');
    expect(scaleRow(scaleRun(1, 10_000, 8_000, { editsPerS: 10.2, statusPerS: 10 }), 'edits per status poll').result).toBe('FAIL');
  });

  it('names each process count with its guilds', () => {
    expect(scaleRows([scaleRun(1, 10_000, 8_000)])[0]?.figure).toContain('one process (5000 guilds)');
    expect(scaleRows([scaleRun(4, 10_000, 8_000)])[0]?.figure).toContain('4 shard processes on one Redis (2500 guilds each)');
  });
});

describe('npm run bench: its exit code', () => {
  const row = (result: Row['result']): Row => ({ figure: 'f', measured: 'm', target: 't', result });

  it('is 1 on any miss (even with a store skipped), 2 when a store was not measured, else 0', () => {
    expect(exitCodeOf([row('pass'), row('info')])).toBe(0);
    expect(exitCodeOf([row('pass'), row('skipped')])).toBe(2);
    expect(exitCodeOf([row('FAIL'), row('skipped')])).toBe(1);
    expect(exitCodeOf([row('pass'), row('FAIL')])).toBe(1);
  });
});
