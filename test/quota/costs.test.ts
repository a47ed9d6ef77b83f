import { describe, expect, it } from 'vitest';
import { createCostTable, DEFAULT_COSTS } from '../../src/quota/costs.js';

describe('cost of a request', () => {
  it('GIVEN no operator overrides THEN the default table applies', () => {
    const costOf = createCostTable();
    expect(costOf({ model: 'MiniMax-Hailuo-2.3', resolution: '768p', duration: 6 })).toBe(1);
    expect(costOf({ model: 'MiniMax-Hailuo-2.3', resolution: '768p', duration: 10 })).toBe(2);
    expect(costOf({ model: 'MiniMax-Hailuo-2.3', resolution: '1080p', duration: 6 })).toBe(2);
    expect(costOf({ model: 'MiniMax-Hailuo-2.3-Fast', resolution: '768p', duration: 6 })).toBe(1);
    expect(costOf({ model: 'MiniMax-Hailuo-2.3-Fast', resolution: '768p', duration: 10 })).toBe(1);
    expect(costOf({ model: 'MiniMax-Hailuo-2.3-Fast', resolution: '1080p', duration: 6 })).toBe(1);
  });

  it('GIVEN an override for one combination THEN only that one changes', () => {
    const costOf = createCostTable({ 'MiniMax-Hailuo-2.3:1080p:6': 5 });
    expect(costOf({ model: 'MiniMax-Hailuo-2.3', resolution: '1080p', duration: 6 })).toBe(5);
    expect(costOf({ model: 'MiniMax-Hailuo-2.3', resolution: '768p', duration: 10 })).toBe(2);
    expect(DEFAULT_COSTS['MiniMax-Hailuo-2.3:1080p:6']).toBe(2);
  });

  it('GIVEN a combination missing from the table THEN it costs the most expensive entry, never nothing', () => {
    const costOf = createCostTable({ 'MiniMax-Hailuo-2.3:768p:10': 4 });
    expect(costOf({ model: 'MiniMax-Hailuo-2.3', resolution: '1080p', duration: 10 })).toBe(4);
  });

  it('GIVEN a malformed override THEN startup fails naming it', () => {
    expect(() => createCostTable({ 'MiniMax-Hailuo-2.3:768p:6': -1 })).toThrow(/MiniMax-Hailuo-2.3:768p:6/);
    expect(() => createCostTable({ 'hailuo-768p': 1 })).toThrow(/model.*resolution.*duration/);
  });
});
