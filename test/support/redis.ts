import { connect } from 'node:net';
import { createClient } from '@keyv/redis';

/**
 * The test Redis; `.ci/run` starts one on 6379 when none answers. `TEST_REDIS_PORT` points a run at
 * another server, so several checkouts can run their suites at once without flushing each other.
 */
export const REDIS_HOST = '127.0.0.1';
export const REDIS_PORT = Number(process.env.TEST_REDIS_PORT ?? 6379);

/** `redis://127.0.0.1:6379/<db>`: each test file takes its own database so FLUSHDB stays local to it. */
export const redisUrl = (db: number): string => `redis://${REDIS_HOST}:${REDIS_PORT}/${db}`;

/** A plain TCP probe: the redis client would retry forever against a closed port. */
export function redisAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: REDIS_HOST, port: REDIS_PORT, timeout: 500 });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** A raw client on one database, for FLUSHDB and for looking at keys the way an operator would. */
export async function rawRedis(db: number) {
  const client = createClient({ url: redisUrl(db) });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Empties one database (this test file's own). */
export async function flushDb(db: number): Promise<void> {
  const client = await rawRedis(db);
  try {
    await client.flushDb();
  } finally {
    await client.quit();
  }
}
