import { DefaultRestOptions, type ResponseLike } from 'discord.js';

/**
 * One HTTP request through discord.js' own REST request strategy (undici, as its REST sends every
 * call), for code that asks Discord before discord.js' client exists: the start-up check. A module
 * of its own, imported with `import()`, so its importer loads discord.js only when it asks.
 * Through discord.js (which re-exports @discordjs/rest) rather than `@discordjs/rest`: an `import`
 * of that package would load its ES module build, a second copy beside the CommonJS one
 * discord.js requires.
 *
 * @param url the full URL; `init` as fetch's (method, headers, signal).
 * @returns the answer whatever its status; rejects on a network error or an aborted `signal`.
 */
export function discordRequest(url: string, init: Parameters<typeof DefaultRestOptions.makeRequest>[1]): Promise<ResponseLike> {
  return DefaultRestOptions.makeRequest(url, init);
}
