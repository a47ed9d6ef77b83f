import { describe, expect, it } from 'vitest';
import { lineOrder, nextInLine, NO_TURNS, startTimes, takeTurn, type LineEntry, type Turns } from '../../src/jobs/line-order.js';

const entry = (jobId: string, guildId: string, userId: string, enqueuedAt: number): LineEntry => ({ jobId, guildId, userId, enqueuedAt });
const ids = (entries: LineEntry[]) => entries.map((e) => e.jobId);

describe('the line’s order: round-robin by server, then by member, first come first served within a member', () => {
  it('GIVEN one busy server that asked first and two small ones WHEN the line is ordered THEN the servers take turns', () => {
    const busy = Array.from({ length: 6 }, (_, i) => entry(`A${i + 1}`, 'A', 'a', i + 1));
    const small = [entry('B1', 'B', 'b', 10), entry('B2', 'B', 'b', 11), entry('C1', 'C', 'c', 12)];
    expect(ids(lineOrder([...busy, ...small], NO_TURNS))).toEqual(['A1', 'B1', 'C1', 'A2', 'B2', 'A3', 'A4', 'A5', 'A6']);
  });

  it('GIVEN two members of one server, one with many requests WHEN ordered THEN members take turns and each member’s own requests keep their order', () => {
    const line = [
      entry('m1', 'A', 'many', 1),
      entry('m2', 'A', 'many', 2),
      entry('f1', 'A', 'few', 3),
      entry('m3', 'A', 'many', 4),
      entry('f2', 'A', 'few', 5),
    ];
    expect(ids(lineOrder(line, NO_TURNS))).toEqual(['m1', 'f1', 'm2', 'f2', 'm3']);
  });

  it('GIVEN the same line listed in any order WHEN ordered THEN the order is the same', () => {
    const line = [entry('A1', 'A', 'a', 1), entry('A2', 'A', 'x', 2), entry('B1', 'B', 'b', 3), entry('A3', 'A', 'a', 4)];
    const expected = ids(lineOrder(line, NO_TURNS));
    expect(ids(lineOrder([...line].reverse(), NO_TURNS))).toEqual(expected);
    expect(ids(lineOrder([line[2], line[0], line[3], line[1]] as LineEntry[], NO_TURNS))).toEqual(expected);
  });

  it('GIVEN server A just had a turn WHEN B asks after A’s next request THEN B still goes first', () => {
    const budget = { limit: 20, windowMs: 60_000 };
    const first = entry('A1', 'A', 'a', 1);
    const line = [entry('A2', 'A', 'a', 2), entry('B1', 'B', 'b', 3)];
    const turns = takeTurn(NO_TURNS, first, 100, line, budget);
    expect(ids(lineOrder(line, turns))).toEqual(['B1', 'A2']);
  });

  it('GIVEN a server whose line emptied WHEN it asks again later THEN it is not held back by turns it had before, and the record keeps no one who is not waiting', () => {
    const budget = { limit: 20, windowMs: 60_000 };
    const turns = takeTurn(NO_TURNS, entry('B1', 'B', 'b', 1), 100, [entry('A1', 'A', 'a', 2)], budget);
    expect(turns.guilds).toEqual({});
    expect(turns.members).toEqual({});
    expect(turns.count).toBe(1);
  });
});

describe('the next in line, found in one pass', () => {
  it('GIVEN 200 seeded random lines and turn records WHEN the next is asked for THEN it is always the first of the full order', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const budget = { limit: 20, windowMs: 60_000 };
    for (let round = 0; round < 200; round += 1) {
      const line = Array.from({ length: 1 + Math.floor(random() * 30) }, (_, i) =>
        entry(`j${round}-${i}`, `g${Math.floor(random() * 4)}`, `u${Math.floor(random() * 3)}`, Math.floor(random() * 10)),
      );
      let turns: Turns = NO_TURNS;
      for (let k = 0; k < Math.floor(random() * 5); k += 1)
        turns = takeTurn(turns, line[Math.floor(random() * line.length)] as LineEntry, k, line, budget);
      expect(nextInLine(line, turns)?.jobId).toBe(lineOrder(line, turns)[0]?.jobId);
    }
  });
});

describe('the places shown are the order of the real picks', () => {
  it('GIVEN 200 seeded random lines (up to 250 jobs, 60 servers) and turn records WHEN ordered THEN the order is the one picking the next in line again and again gives', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const budget = { limit: 20, windowMs: 60_000 };
    for (let round = 0; round < 200; round += 1) {
      const guilds = 1 + Math.floor(random() * 60);
      const line = Array.from({ length: 1 + Math.floor(random() * 250) }, (_, i) =>
        entry(`j${round}-${i}`, `g${Math.floor(random() * guilds)}`, `u${Math.floor(random() * 4)}`, Math.floor(random() * 50)),
      );
      let turns: Turns = NO_TURNS;
      for (let k = 0; k < Math.floor(random() * 8); k += 1) {
        const picked = line[Math.floor(random() * line.length)] as LineEntry;
        turns = takeTurn(turns, picked, k, line, budget);
      }
      const picks: string[] = [];
      let left = [...line];
      let current = turns;
      for (let next = nextInLine(left, current); next; next = nextInLine(left, current)) {
        const chosen = next;
        picks.push(chosen.jobId);
        left = left.filter((e) => e.jobId !== chosen.jobId);
        current = takeTurn(current, chosen, 1_000 + picks.length, left, budget);
      }
      expect(ids(lineOrder(line, turns))).toEqual(picks);
    }
  });
});

describe('estimated start times under a sliding-window budget', () => {
  it('GIVEN 2 a minute with both used 10 s and 20 s ago WHEN 3 wait THEN they start at the 50 s, 40 s… marks as slots free up', () => {
    const now = 100_000;
    const starts = startTimes(3, [now - 20_000, now - 10_000], { limit: 2, windowMs: 60_000 }, now);
    expect(starts).toEqual([now + 40_000, now + 50_000, now + 100_000]);
  });

  it('GIVEN free slots WHEN jobs wait THEN those that fit start now', () => {
    expect(startTimes(2, [], { limit: 5, windowMs: 60_000 }, 7)).toEqual([7, 7]);
  });
});
