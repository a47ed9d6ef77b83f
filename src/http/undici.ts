import type { Agent, Dispatcher } from 'undici';

type Undici = typeof import('undici');
let loading: Promise<Undici> | undefined;

/**
 * undici, loaded on first use. discord.js brings its own (older) copy; ours is only needed for the
 * provider and for downloads, which start after login, so loading it (a tenth of a second, several
 * MiB) is kept out of the start.
 */
export const loadUndici = (): Promise<Undici> =>
  (loading ??= import('undici').then((loaded) =>
    // Node gives a CommonJS package's exports by name; the production bundle (esbuild) as `default` only.
    'Agent' in loaded ? loaded : (loaded as { default: Undici }).default,
  ));

/** A connection pool made on first use; closing one that was never used does nothing. */
export interface LazyAgent {
  get(): Promise<Dispatcher>;
  close(): Promise<void>;
}

/** A {@link LazyAgent} with undici's `Agent` options. */
export function lazyAgent(options: Agent.Options): LazyAgent {
  let agent: Promise<Agent> | undefined;
  return {
    get: () => (agent ??= loadUndici().then((undici) => new undici.Agent(options))),
    async close() {
      // A pool that could not be made (undici failed to load) has nothing to close.
      const pool = await agent?.catch(() => undefined);
      await pool?.close();
    },
  };
}
