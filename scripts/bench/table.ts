/** The benchmark's result table. */

export type Verdict = 'pass' | 'FAIL' | 'info' | 'skipped';

export interface Row {
  figure: string;
  measured: string;
  target: string;
  result: Verdict;
}

export const verdict = (ok: boolean): Verdict => (ok ? 'pass' : 'FAIL');

/**
 * `npm run bench`'s exit code for its tables' rows: 1 when a figure missed its target (whatever
 * else), 2 when none missed but some were not measured (`skipped`: no Redis answered), else 0.
 * A run that measured part of the targets is no pass.
 */
export function exitCodeOf(rows: readonly Row[]): 0 | 1 | 2 {
  if (rows.some((r) => r.result === 'FAIL')) return 1;
  return rows.some((r) => r.result === 'skipped') ? 2 : 0;
}

/** A plain-text table (also valid Markdown) with one row per figure. */
export function renderTable(rows: readonly Row[]): string {
  const header: Row = { figure: 'figure', measured: 'measured', target: 'target', result: 'info' };
  const cells = (row: Row) => [row.figure, row.measured, row.target, row === header ? 'pass/fail' : row.result];
  const all = [header, ...rows].map(cells);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const [head, ...body] = all;
  return [line(head ?? []), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
