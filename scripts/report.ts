/**
 * `npm run report [-- --since 2026-11-01] [--csv]`: the operator's view across servers. Reads the
 * ledger from the store STORE_URL names (SQLite or Redis) and prints, per server, the videos made,
 * the credits charged and the provider's cost at its published prices, plus totals. It starts no
 * bot and never contacts Discord or the provider.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadStoreUrl } from '../src/config.js';
import { openStore } from '../src/store/open-store.js';
import { readAllLedgerLines, reportCsv, reportTable, summarize } from '../src/report/usage-report.js';

const USAGE = 'usage: npm run report [-- --since YYYY-MM-DD] [--csv]';
const sinceSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '--since takes a UTC date like 2026-11-01')
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), '--since takes a real date, like 2026-11-01');

/** Runs the report with `argv` (without node and the script) and the environment; returns the exit code. */
export async function runReport(argv: string[], env: Record<string, string | undefined>, out: (text: string) => void): Promise<number> {
  let values: { since?: string; csv?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { since: { type: 'string' }, csv: { type: 'boolean' } }, strict: true }));
  } catch (err) {
    out(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  let since = 0;
  if (values.since !== undefined) {
    const checked = sinceSchema.safeParse(values.since);
    if (!checked.success) {
      out(`${checked.error.issues[0]?.message ?? 'bad --since'}\n${USAGE}\n`);
      return 2;
    }
    since = Date.parse(`${checked.data}T00:00:00Z`);
  }
  const store = await openStore(loadStoreUrl(env));
  try {
    const report = summarize(await readAllLedgerLines(store, since));
    out(values.csv ? reportCsv(report) : reportTable(report));
    return 0;
  } finally {
    await store.close();
  }
}

// Run when started as a script (not when a test imports it).
const isEntryPoint = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isEntryPoint) {
  if (existsSync('.env')) process.loadEnvFile('.env');
  runReport(process.argv.slice(2), process.env, (text) => process.stdout.write(text)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`report failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
