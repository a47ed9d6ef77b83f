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
    expect(() => createCostTable({ 'hailuo-768p': 1 })).toThrow(
      /"hailuo-768p" is not a video the bot offers; the keys are MiniMax-Hailuo-2\.3:768p:6, /,
    );
  });

  it('GIVEN an override nobody would read (a typo, the wrong case, a combination the provider does not make) THEN it is refused by name, not ignored', () => {
    for (const key of [
      'MiniMax-Hailuo-2.3:768p:7',
      'minimax-hailuo-2.3:768p:6',
      'MiniMax-Hailuo-2.3:1080p:10',
      'MiniMax-Hailuo-2.3 :768p:6',
    ]) {
      expect(() => createCostTable({ [key]: 1 }), key).toThrow(`"${key}" is not a video the bot offers`);
    }
  });

  it('GIVEN a cost that is not a whole number from 0 to 1,000,000 THEN it is refused; 0 and 1,000,000 are kept', () => {
    for (const cost of [-1, 1.5, 1_000_001, Number.NaN]) {
      expect(() => createCostTable({ 'MiniMax-Hailuo-2.3:768p:6': cost }), String(cost)).toThrow(
        'must cost a whole number of credits from 0 to 1000000',
      );
    }
    expect(createCostTable({ 'MiniMax-Hailuo-2.3:768p:6': 0 })({ model: 'MiniMax-Hailuo-2.3', resolution: '768p', duration: 6 })).toBe(0);
    expect(
      createCostTable({ 'MiniMax-Hailuo-2.3:768p:6': 1_000_000 })({ model: 'MiniMax-Hailuo-2.3', resolution: '768p', duration: 6 }),
    ).toBe(1_000_000);
  });
});
