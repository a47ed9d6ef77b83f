import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as CanvasModule from '@napi-rs/canvas';
import type * as ChartModule from 'chart.js';
import type { ChartConfiguration } from 'chart.js';

// The canvas (Skia, ~15 MiB resident) and chart.js are loaded on the first chart, not at start:
// most processes never draw one, and every process would pay for them in memory and start-up.
const require = createRequire(import.meta.url);
let libraries: { canvas: typeof CanvasModule; Chart: typeof ChartModule.Chart } | undefined;
function chartLibraries(): { canvas: typeof CanvasModule; Chart: typeof ChartModule.Chart } {
  if (!libraries) {
    const canvas = require('@napi-rs/canvas') as typeof CanvasModule;
    const chart = require('chart.js') as typeof ChartModule;
    const { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Title } =
      chart;
    Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Title);
    libraries = { canvas, Chart };
  }
  return libraries;
}

/** Size of `usage.png` in pixels: wide enough to read in Discord's embed preview. */
export const CHART_SIZE = Object.freeze({ width: 960, height: 480 });

/** One bar series: whose credits (already worded in the reader's language) per bucket. */
export interface ChartSeries {
  label: string;
  /** Credits per bucket, one number per label of {@link UsageChartData.buckets}. */
  values: number[];
}

/** What the chart shows; every text is already in the reader's language. */
export interface UsageChartData {
  title: string;
  /** Bucket labels along the x axis (days, or hours when the period is one day). */
  buckets: string[];
  /** Stacked bars; the first is drawn at the bottom. */
  series: ChartSeries[];
  /** The budget of the period: a dashed line; null draws none (no limit, or generation off). */
  limit: number | null;
  limitLabel: string;
  /** Label of the cumulative line (credits used so far in the period). */
  cumulativeLabel: string;
  /** Index of the last bucket that has begun: the running total stops there. Default: the last. */
  lastBucket?: number;
  yAxisLabel: string;
}

/**
 * Fonts with CJK glyphs, in the order tried: the Debian packages `.ci/run` and the Dockerfile
 * install (fonts-wqy-microhei, fonts-noto-cjk), then common places on other systems. Skia also
 * falls back to any system font it finds, but only a registered family can be named first.
 */
const CJK_FONT_FILES = [
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc',
  '/System/Library/Fonts/PingFang.ttc',
];
const CJK_FAMILY = 'HVB CJK';
const PALETTE = ['#5865f2', '#57f287', '#fee75c', '#eb459e', '#ed4245', '#99aab5'];

let fontReady: boolean | undefined;

/** The CJK font file charts will use, or undefined when none is installed (checked without loading the canvas). */
export function chartFontFile(): string | undefined {
  return CJK_FONT_FILES.find((path) => existsSync(path));
}

/**
 * Registers the first CJK font found under one family name, once. Returns false when none is
 * installed: the chart still renders, but Chinese labels may show as boxes (the bot warns at start).
 */
export function ensureChartFont(): boolean {
  if (fontReady !== undefined) return fontReady;
  const file = chartFontFile();
  fontReady = file !== undefined && chartLibraries().canvas.GlobalFonts.registerFromPath(file, CJK_FAMILY) !== null;
  return fontReady;
}

/**
 * Draws the period's usage as a PNG of {@link CHART_SIZE}: stacked bars of credits per bucket,
 * the running total as a line, and the budget as a dashed line. Pure CPU work of a few tens of
 * milliseconds; throws only on a bug (chart.js or the canvas failing).
 */
export function renderUsageChart(data: UsageChartData): Buffer {
  ensureChartFont();
  const { canvas: skia, Chart } = chartLibraries();
  const canvas = skia.createCanvas(CHART_SIZE.width, CHART_SIZE.height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, CHART_SIZE.width, CHART_SIZE.height);

  let running = 0;
  const last = data.lastBucket ?? data.buckets.length - 1;
  const cumulative = data.buckets.map((_, i) => {
    running += data.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0);
    return i > last ? null : running;
  });
  const family = `"${CJK_FAMILY}", "DejaVu Sans", sans-serif`;
  const config: ChartConfiguration<'bar' | 'line'> = {
    type: 'bar',
    data: {
      labels: data.buckets,
      datasets: [
        ...data.series.map((s, i) => ({
          type: 'bar' as const,
          label: s.label,
          data: s.values,
          backgroundColor: PALETTE[i % PALETTE.length] ?? '#99aab5',
          stack: 'credits',
          pointStyle: 'rect' as const,
          order: 2,
        })),
        {
          type: 'line' as const,
          label: data.cumulativeLabel,
          data: cumulative,
          borderColor: '#23272a',
          backgroundColor: '#23272a',
          pointRadius: 2,
          borderWidth: 2,
          // Its own stack, so the y axis stacks the bars without adding the lines onto them.
          stack: 'total',
          pointStyle: 'line' as const,
          order: 1,
        },
        ...(data.limit === null
          ? []
          : [
              {
                type: 'line' as const,
                label: data.limitLabel,
                data: data.buckets.map(() => data.limit),
                borderColor: '#ed4245',
                backgroundColor: '#ed4245',
                borderDash: [8, 6],
                pointRadius: 0,
                borderWidth: 2,
                stack: 'limit',
                pointStyle: 'line' as const,
                order: 0,
              },
            ]),
      ],
    },
    options: {
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      plugins: {
        title: { display: true, text: data.title, font: { family, size: 20 }, color: '#23272a' },
        legend: { position: 'bottom', labels: { usePointStyle: true, font: { family, size: 14 }, color: '#23272a' } },
      },
      scales: {
        x: { stacked: true, ticks: { font: { family, size: 12 }, color: '#4f545c' } },
        y: {
          stacked: true,
          beginAtZero: true,
          // Head-room above the budget line, so it is not drawn on the frame.
          suggestedMax: data.limit === null ? undefined : Math.ceil(data.limit * 1.1),
          ticks: { precision: 0, font: { family, size: 12 }, color: '#4f545c' },
          title: { display: true, text: data.yAxisLabel, font: { family, size: 14 }, color: '#23272a' },
        },
      },
    },
  };
  // chart.js draws on any object with the 2D context API; in Node it picks its basic platform.
  const chart = new Chart(ctx, config);
  try {
    return canvas.toBuffer('image/png');
  } finally {
    chart.destroy();
  }
}
