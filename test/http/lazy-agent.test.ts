import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

// The provider's and the downloads' connection pools (src/http/undici.ts): made on first use,
// closed at stop whatever happened to them.
describe('lazyAgent', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  afterEach(() => {
    vi.doUnmock('undici');
    vi.resetModules();
  });

  it('GIVEN a pool used for a request WHEN the bot stops THEN closing it ends the pool: a later request through it is refused', async () => {
    const { lazyAgent } = await import('../../src/http/undici.js');
    const { request } = await import('undici');
    const pool = lazyAgent({ connect: { timeout: 1_000 } });
    const dispatcher = await pool.get();
    expect(await pool.get()).toBe(dispatcher);
    const answer = await request(url, { dispatcher });
    expect(await answer.body.text()).toBe('ok');
    await pool.close();
    await expect(request(url, { dispatcher })).rejects.toThrow(/closed|destroyed/i);
  });

  it('GIVEN a pool never used WHEN the bot stops THEN closing it neither loads undici nor fails', async () => {
    const loaded = vi.fn();
    vi.doMock('undici', () => {
      loaded();
      return {};
    });
    const { lazyAgent } = await import('../../src/http/undici.js');
    await expect(lazyAgent({}).close()).resolves.toBeUndefined();
    expect(loaded).not.toHaveBeenCalled();
  });

  it('GIVEN undici fails to load WHEN a request asks for the pool and the bot then stops THEN the request gets the load error and the stop goes on', async () => {
    vi.doMock('undici', () => {
      throw new Error('undici could not be loaded (test)');
    });
    const { lazyAgent } = await import('../../src/http/undici.js');
    const pool = lazyAgent({});
    // (vitest wraps a mock factory's error in its own; what matters is that the request is refused.)
    await expect(pool.get()).rejects.toThrow();
    await expect(pool.close()).resolves.toBeUndefined();
  });
});
