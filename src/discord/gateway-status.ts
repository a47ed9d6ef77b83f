import { Status, type Client } from 'discord.js';

/**
 * Whether every gateway shard of this client is connected and ready, for /healthz. A shard that
 * is reconnecting or resuming counts as not connected until it is ready again.
 */
export function gatewayStatus(client: Client): { connected: boolean; shards: Array<{ id: number; status: string }> } {
  const shards = [...client.ws.shards.values()].map((shard) => ({ id: shard.id, status: Status[shard.status] ?? String(shard.status) }));
  const connected = shards.length > 0 && [...client.ws.shards.values()].every((shard) => shard.status === Status.Ready);
  return { connected, shards };
}
