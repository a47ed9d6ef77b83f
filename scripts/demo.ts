/**
 * `npm run demo`: the real bot against a local fake Discord and a local fake video API, printed as
 * a member would see it. No account, no key, nothing outside 127.0.0.1.
 */
import { parseArgs } from 'node:util';
import { runDemo } from './demo/run.js';
import { storeUrlProblem } from '../src/config.js';

export { runDemo, DemoTimeoutError, type DemoOptions, type DemoResult } from './demo/run.js';

export const DEMO_USAGE = `Usage: npm run demo [-- --store=<url>]
  --store=<url>   the bot's store: memory:// (the default), or an empty Redis database,
                  e.g. redis://127.0.0.1:6379/15 (emptied again at the end)
  --help          this text`;

/**
 * The demo's command line (node's own parseArgs): `--store=<url>` or `--store <url>`, `--help`.
 * @throws Error naming the argument, with {@link DEMO_USAGE}, for anything else (a typo must not
 *   quietly run the demo on another store).
 */
export function demoArgs(args: readonly string[]): { storeUrl?: string; help: boolean } {
  try {
    const { values } = parseArgs({ args: [...args], options: { store: { type: 'string' }, help: { type: 'boolean' } }, strict: true });
    // Spaces around the value (a quoted argument) are not part of it.
    const store = values.store?.trim();
    if (store !== undefined) {
      // Anything else (sqlite://…, a typo) would run the demo on a store it does not describe;
      // never echoed, since a URL may hold a password.
      if (store === '') throw new Error('--store needs a value: memory:// or a Redis URL (redis://host:port/db)');
      if (!/^(memory:\/\/|rediss?:\/\/)/i.test(store)) {
        throw new Error(
          '--store takes memory:// or a Redis URL (redis://host:port/db): the demo keeps nothing, so it offers no SQLite file',
        );
      }
      // The bot's own STORE_URL check: what it would refuse at start, said here with its fix.
      const problem = /^rediss?:/i.test(store) ? storeUrlProblem(store) : undefined;
      if (problem) throw new Error(problem.replace(/^STORE_URL/, '--store'));
    }
    return { ...(store ? { storeUrl: store } : {}), help: values.help === true };
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${DEMO_USAGE}`, { cause: err });
  }
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isEntryPoint) {
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  // `npm run demo | head` closes the pipe early: that is not a failure.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  let args: ReturnType<typeof demoArgs>;
  try {
    args = demoArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${DEMO_USAGE}\n`);
    process.exit(0);
  }
  // `npm run demo -- --store=redis://127.0.0.1:6379/15`: the same session on an empty Redis database.
  runDemo({ write: (line) => process.stdout.write(`${line}\n`), color, ...(args.storeUrl ? { storeUrl: args.storeUrl } : {}) })
    .then(() => {
      process.exitCode = 0;
    })
    .catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`\n✖ The demo did not finish: ${message}\n`);
      process.exitCode = 1;
    })
    .finally(() => {
      // Everything is closed by now; a stray handle must not keep the terminal waiting.
      setTimeout(() => process.exit(), 2_000).unref();
    });
}
