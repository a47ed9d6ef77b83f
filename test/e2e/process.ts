import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const outDir = join(root, '.test-dist');

/** Compiles the bot once for tests that run it as a real child process (killed by its own pid). */
export function buildBotOnce(): string {
  const entry = join(outDir, 'src', 'main.js');
  if (!process.env.HVB_TEST_DIST_BUILT || !existsSync(entry)) {
    try {
      execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir], {
        cwd: root,
        stdio: 'pipe',
      });
    } catch (err) {
      // Type errors still emit JavaScript; only a missing entry point is fatal.
      if (!existsSync(entry)) throw err;
    }
    process.env.HVB_TEST_DIST_BUILT = '1';
  }
  return entry;
}

export interface BotProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `node main.js` with the given environment; its output is kept for failure messages. */
export function startBotProcess(entry: string, env: Record<string, string>): BotProcess {
  const child = spawn(process.execPath, [entry], { env: { PATH: process.env.PATH ?? '', ...env }, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return { child, output: () => output, exited };
}
