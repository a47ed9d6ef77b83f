import { createHash } from 'node:crypto';

/** The two script commands of any node-redis client (whatever its RESP options). */
export interface ScriptClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** A Lua script run by its SHA-1 (`EVALSHA`), sent whole only when the server does not know it yet. */
export interface RedisScript {
  run(client: ScriptClient, keys: string[], args: string[]): Promise<unknown>;
}

/**
 * Wraps `source` for {@link RedisScript.run}: `EVALSHA` first, and `EVAL` (which also caches the
 * script on the server) when Redis answers `NOSCRIPT` (a new server, a restart, `SCRIPT FLUSH`).
 * Redis runs a script atomically (its docs: "Scripting with Lua"), so what it checks and what it
 * writes cannot interleave with another client's commands.
 */
export function redisScript(source: string): RedisScript {
  const sha1 = createHash('sha1').update(source).digest('hex');
  return {
    async run(client, keys, args) {
      try {
        return await client.evalSha(sha1, { keys, arguments: args });
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return client.eval(source, { keys, arguments: args });
      }
    },
  };
}
