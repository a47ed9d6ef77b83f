import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBotOnce, compiledFile } from '../e2e/process.js';

/**
 * What an operator sees when the bot process meets a bug it did not expect, or a signal: the one
 * stop path runs (the bot's own stop: interactions drained, store closed), the log says why, and
 * the exit code tells systemd or Docker whether to start it again.
 */
describe('the bot process stops one way, whatever stops it', () => {
  let dir: string;
  let module: string;
  beforeAll(() => {
    buildBotOnce();
    module = pathToFileURL(compiledFile('src/startup/graceful-stop.js')).href;
    dir = mkdtempSync(join(tmpdir(), 'hvb-stop-'));
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs a little process wired like main.ts; `trigger` is what goes wrong once it is running. */
  async function run(trigger: string, stopBody = "console.log('STOP RAN');") {
    const script = join(dir, `case-${Math.random().toString(36).slice(2)}.mjs`);
    writeFileSync(
      script,
      `import { pino } from '${pathToFileURL(join(process.cwd(), 'node_modules', 'pino', 'pino.js')).href}';
import { stopGracefully } from '${module}';
const logger = pino();
stopGracefully({ logger, deadlineMs: 1500, stop: async () => { ${stopBody} } });
setInterval(() => undefined, 1000);
console.log('RUNNING');
${trigger}
`,
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    if (trigger === '') {
      await new Promise<void>((resolve) => child.stdout.on('data', () => output.includes('RUNNING') && resolve()));
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
    return { code, output };
  }

  it('GIVEN SIGTERM THEN the bot stops cleanly and exits 0', async () => {
    const { code, output } = await run('');
    expect(output).toContain('STOP RAN');
    expect(output).toContain('"msg":"stopping"');
    expect(code).toBe(0);
  });

  it('GIVEN an unhandled rejection THEN it is logged at fatal level with the error, the bot stops cleanly and exits 1 so it is started again', async () => {
    const { code, output } = await run("setTimeout(() => Promise.reject(new Error('boom in a handler')), 50);");
    expect(output).toMatch(/"level":60.*boom in a handler/);
    expect(output).toContain('STOP RAN');
    expect(code).toBe(1);
  });

  it('GIVEN an uncaught exception THEN the same: fatal line, clean stop, exit 1', async () => {
    const { code, output } = await run("setTimeout(() => { throw new Error('thrown in a timer'); }, 50);");
    expect(output).toMatch(/"level":60.*thrown in a timer/);
    expect(output).toContain('STOP RAN');
    expect(code).toBe(1);
  });

  it('GIVEN a stop that hangs past its deadline THEN the process still ends, exit 1, saying why', async () => {
    const { code, output } = await run(
      "setTimeout(() => process.kill(process.pid, 'SIGTERM'), 50);",
      'await new Promise(() => undefined);',
    );
    expect(output).toContain('stop took too long');
    expect(code).toBe(1);
  });
});
