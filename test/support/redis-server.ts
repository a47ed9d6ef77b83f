import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@keyv/redis';

/** True when `redis-server` can be run here (`.ci/run` installs it). */
export const redisServerInstalled = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface OwnRedis {
  port: number;
  /** Freezes this server (SIGSTOP): connections are accepted by the kernel, and nothing answers. */
  pause(): void;
  /** Lets a paused server go on (SIGCONT). */
  resume(): void;
  /** Stops this server by its own pid and removes its folder. */
  stop(): Promise<void>;
}

/**
 * A redis-server of this test's own, on a free port with its own data folder, configured by `args`
 * (e.g. `['--appendonly', 'yes']`); defaults keep nothing on disk. Stopped by pid, never by name.
 */
export async function startOwnRedis(args: string[] = [], password?: string): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hvb-redis-'));
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...args],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://${password ? `:${password}@` : ''}127.0.0.1:${port}/0`;
  for (let attempt = 0; ; attempt += 1) {
    const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 500 } });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      client.destroy();
      break;
    } catch (err) {
      // A refused connection leaves the client closed already, and destroying it again throws
      // ("The client is closed"), which would end the wait on a server still starting.
      if (client.isOpen) client.destroy();
      if (attempt > 50) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, name);
  };
  return {
    port,
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    async stop() {
      if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
