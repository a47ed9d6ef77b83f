import { Constants, GatewayDispatchEvents, type Client } from 'discord.js';
import { z } from 'zod';

/** How many threads' parents are remembered at most (the least recently seen are forgotten first). */
export const THREAD_PARENTS_KEPT = 10_000;

// The part of an INTERACTION_CREATE payload read here: the channel it came from (Discord's
// interaction object carries a partial channel with `type` and, for a thread, `parent_id`).
const interactionChannel = z.object({
  channel: z.object({ id: z.string(), type: z.number(), parent_id: z.string().nullish() }).nullish(),
});

// discord.js' own list of the channel types that are threads.
const THREAD_TYPES: ReadonlySet<number> = new Set(Constants.ThreadChannelTypes);

const registry = new WeakMap<Client, Map<string, string>>();

/**
 * Remembers the parent channel of every thread an interaction comes from, read from the
 * interaction's own payload as the gateway delivers it (before discord.js builds the interaction),
 * so a server's allowed channels cover their threads, a private thread the gateway never announced
 * included. Without this, discord.js would have to keep partial channels (`Partials.Channel`),
 * which rebuilds the channel object of every interaction (its flags and permission overwrites):
 * about 60 µs per `/video`, measured in a burst of 200 (issue 15's ack latency).
 *
 * Keeps at most {@link THREAD_PARENTS_KEPT} threads (the least recently seen go first); a payload
 * it cannot read is skipped (threadParentId then answers from the channel cache alone).
 */
export function watchThreadParents(client: Client): void {
  const parents = new Map<string, string>();
  registry.set(client, parents);
  // discord.js calls this before it handles the packet, in the same call: anything thrown here
  // would lose the interaction itself, so nothing may escape.
  client.ws.on(GatewayDispatchEvents.InteractionCreate, (data: unknown) => {
    try {
      const parsed = interactionChannel.safeParse(data);
      const channel = parsed.success ? parsed.data.channel : undefined;
      if (!channel?.parent_id || !THREAD_TYPES.has(channel.type)) return;
      parents.delete(channel.id);
      parents.set(channel.id, channel.parent_id);
      if (parents.size > THREAD_PARENTS_KEPT) {
        const oldest = parents.keys().next();
        if (!oldest.done) parents.delete(oldest.value);
      }
    } catch {
      // Only this thread's parent is not remembered: the allowed-channels check then refuses it.
    }
  });
}

/** The parent of thread `channelId` as its interactions told it; undefined when none came from it. */
export function rememberedThreadParent(client: Client, channelId: string): string | undefined {
  return registry.get(client)?.get(channelId);
}
