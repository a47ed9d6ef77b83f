/** The CSV's columns, in order, exactly as `/quota export` promises them. */
export const CSV_COLUMNS = ['time', 'member_id', 'job_id', 'model', 'resolution', 'duration', 'credits', 'outcome', 'task_id'] as const;

/** What one CSV row is made from: a ledger line (fields of Ledger v2 may be null on older lines). */
export interface CsvLedgerLine {
  at: number;
  userId: string;
  jobId: string;
  cost: number;
  outcome: string;
  model?: string | null;
  resolution?: string | null;
  duration?: number | null;
  taskId?: string | null;
}

const LEDGER_OUTCOMES = new Set(['charged', 'released', 'undelivered', 'ambiguous']);

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote, a line break, or a leading
 * `= + - @` and tab/CR (which spreadsheets would run as a formula: a member cannot type these ids,
 * but the guard costs nothing); quotes are doubled.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== String(value) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The ledger as CSV text: a header row and one row per line, CRLF line ends. Time is ISO 8601 UTC;
 * `outcome` is charged, released, undelivered or ambiguous (lines written before Ledger v2 were
 * all charges).
 */
export function ledgerCsv(lines: readonly CsvLedgerLine[]): string {
  const rows = lines.map((line) =>
    [
      new Date(line.at).toISOString(),
      line.userId,
      line.jobId,
      line.model ?? null,
      line.resolution ?? null,
      line.duration ?? null,
      line.cost,
      LEDGER_OUTCOMES.has(line.outcome) ? line.outcome : 'charged',
      line.taskId ?? null,
    ]
      .map(csvField)
      .join(','),
  );
  return [CSV_COLUMNS.join(','), ...rows].map((row) => `${row}\r\n`).join('');
}

/** `usage-<guild id>-<period start>.csv`, the period start as a UTC date (`2026-11-30`). */
export function exportFilename(guildId: string, periodStart: number): string {
  return `usage-${guildId}-${new Date(periodStart).toISOString().slice(0, 10)}.csv`;
}
