import { createCanvas } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { bucketSpend } from '../../src/charts/usage-buckets.js';
import { CHART_SIZE, ensureChartFont, renderUsageChart } from '../../src/charts/usage-chart.js';

/** The pixels of one character drawn in the chart's font, to compare glyphs. */
function glyph(char: string): Buffer {
  const canvas = createCanvas(64, 64);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, 64, 64);
  ctx.fillStyle = '#000';
  ctx.font = '48px "HVB CJK"';
  ctx.fillText(char, 4, 52);
  return Buffer.from(ctx.getImageData(0, 0, 64, 64).data);
}
const inked = (pixels: Buffer) => pixels.some((v, i) => i % 4 !== 3 && v < 128);

describe('usage chart', () => {
  it('GIVEN Chinese labels THEN they are drawn as Chinese characters: a CJK font is installed and distinct characters get distinct glyphs, not the same box', () => {
    expect(ensureChartFont()).toBe(true);
    const [e, du, yong] = ['额', '度', '用'].map(glyph);
    for (const g of [e, du, yong]) expect(inked(g as Buffer)).toBe(true);
    expect(e?.equals(du as Buffer)).toBe(false);
    expect(du?.equals(yong as Buffer)).toBe(false);
  });

  it('GIVEN a week of spend THEN the PNG has the promised size, and a daily budget is split into 24 hours', () => {
    const png = renderUsageChart({
      title: '本周额度用量',
      buckets: ['11月23日', '11月24日', '11月25日', '11月26日', '11月27日', '11月28日', '11月29日'],
      series: [{ label: '小明', values: [1, 2, 0, 0, 0, 0, 0] }],
      limit: 20,
      limitLabel: '预算（20）',
      cumulativeLabel: '累计用量',
      lastBucket: 2,
      yAxisLabel: '额度',
    });
    expect(png.readUInt32BE(16)).toBe(CHART_SIZE.width);
    expect(png.readUInt32BE(20)).toBe(CHART_SIZE.height);

    const start = Date.UTC(2026, 10, 30);
    const day = bucketSpend('day', start, start + 86_400_000, start + 5 * 3_600_000, [
      { userId: 'a', credits: 2, at: start + 3_600_000 + 5 },
      { userId: 'a', credits: 1, at: start - 1 },
      { userId: 'b', credits: 1, at: start + 23 * 3_600_000 },
    ]);
    expect(day.unit).toBe('hour');
    expect(day.starts).toHaveLength(24);
    expect(day.byUser.get('a')?.[1]).toBe(2);
    expect(day.byUser.get('a')?.reduce((x, y) => x + y)).toBe(2);
    expect(day.byUser.get('b')?.[23]).toBe(1);
    expect(day.nowIndex).toBe(5);
    expect(bucketSpend('month', Date.UTC(2026, 1, 1), Date.UTC(2026, 2, 1), Date.UTC(2026, 1, 10), []).starts).toHaveLength(28);
  });
});
