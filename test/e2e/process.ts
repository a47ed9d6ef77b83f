import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, afterEach } from 'vitest';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const outDir = join(root, '.test-dist');

/**
 * Builds the bot as `npm run build` does into `dir` (tsc, then the esbuild bundle) and returns the
 * entry `npm start` runs (`<dir>/bundle/main.js`), so process tests run what production runs.
 */
export function buildBot(dir: string): string {
  const compiled = join(dir, 'src', 'main.js');
  try {
    execFileSync(
      process.execPath,
      [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', dir],
      {
        cwd: root,
        stdio: 'pipe',
      },
    );
  } catch (err) {
    // Type errors still emit JavaScript (the type check is `npm test`'s job); only no output is fatal.
    if (!existsSync(compiled)) throw err;
  }
  execFileSync(process.execPath, [join(dir, 'scripts', 'bundle.js'), dir], { cwd: root, stdio: 'pipe' });
  return join(dir, 'bundle', 'main.js');
}

/** The compiled (tsc, unbundled) file `path` of the build {@link buildBotOnce} made, e.g. `src/deploy-commands.js`. */
export const compiledFile = (path: string): string => join(outDir, path);

/** Builds the bot once for tests that run it as a real child process (killed by its own pid). */
export function buildBotOnce(): string {
  const entry = join(outDir, 'bundle', 'main.js');
  if (!process.env.HVB_TEST_DIST_BUILT || !existsSync(entry)) {
    buildBot(outDir);
    process.env.HVB_TEST_DIST_BUILT = '1';
  }
  return entry;
}

export interface BotProcess {
  child: ChildProcess;
  output: () => string;
  /** What the process wrote to stderr alone (start-up failures are told there). */
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Where and as whom the process runs; default the project folder and this test's user. */
export interface BotProcessOptions {
  cwd?: string;
  /** Run as this user and group id (needs root): for files the bot's user may not write. */
  uid?: number;
  gid?: number;
  args?: string[];
}

/** Starts `node main.js` with the given environment; its output is kept for failure messages. */
export function startBotProcess(entry: string, env: Record<string, string>, options: BotProcessOptions = {}): BotProcess {
  const child = spawn(process.execPath, [entry, ...(options.args ?? [])], {
    env: { PATH: process.env.PATH ?? '', ...env },
    cwd: options.cwd ?? root,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  let output = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return { child, output: () => output, stderr: () => stderr, exited };
}

/**
 * The bot processes one test file (or `describe`) starts, stopped together after each test or
 * after all of them: any still running is SIGKILLed and waited for, so no bot outlives its test
 * and holds a port, a file or a Redis database the next one needs.
 */
export function trackBotProcesses(when: 'afterEach' | 'afterAll'): { start: typeof startBotProcess } {
  let running: BotProcess[] = [];
  (when === 'afterEach' ? afterEach : afterAll)(async () => {
    const stopping = running;
    running = [];
    for (const bot of stopping) if (bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
    await Promise.all(stopping.map((bot) => bot.exited));
  });
  return {
    start(entry, env, options) {
      const bot = startBotProcess(entry, env, options);
      running.push(bot);
      return bot;
    },
  };
}
