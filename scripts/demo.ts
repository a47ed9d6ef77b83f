/**
 * `npm run demo`: the real bot against a local fake Discord and a local fake video API, printed as
 * a member would see it. No account, no key, nothing outside 127.0.0.1.
 */
import { runDemo } from './demo/run.js';

export { runDemo, DemoTimeoutError, type DemoOptions, type DemoResult } from './demo/run.js';

const isEntryPoint = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isEntryPoint) {
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  // `npm run demo | head` closes the pipe early: that is not a failure.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  // `npm run demo -- --store=redis://127.0.0.1:6379/15`: the same session on an empty Redis database.
  const storeUrl = process.argv.find((arg) => arg.startsWith('--store='))?.slice('--store='.length);
  runDemo({ write: (line) => process.stdout.write(`${line}\n`), color, ...(storeUrl ? { storeUrl } : {}) })
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
