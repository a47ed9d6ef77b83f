import { DefaultRestOptions, type REST, type RESTOptions } from 'discord.js';

// POST /interactions/{interaction.id}/{interaction.token}/callback (Discord's docs: Receiving and
// Responding, "Create Interaction Response"); the query (with_response) may follow.
const CALLBACK = /\/interactions\/(\d+)\/[^/?]+\/callback(?:\?|$)/;
/** Interactions remembered at most: the counts of answers that never went through the guard age out. */
const MAX_TRACKED = 10_000;

const countsOf = new WeakMap<object, Map<string, number>>();

/**
 * Counts the interaction callbacks a REST client sends per interaction, its own retries included,
 * so a refusal as "already acknowledged" (40060) can be read right: after a second attempt it means
 * our first one landed (Discord did it, then answered 5xx or the answer was lost); on the first
 * attempt it means someone else answered the interaction (a second process running this bot's
 * shard, as during a deploy that overlaps), and nothing of ours was shown.
 *
 * Returns the `makeRequest` to give the REST client (`RESTOptions.makeRequest`; it counts, then
 * sends as discord.js does by default) and `attach`, which makes the counts readable through that
 * client with {@link callbackAttempts}.
 */
export function countCallbackAttempts(send: RESTOptions['makeRequest'] = DefaultRestOptions.makeRequest) {
  const counts = new Map<string, number>();
  const makeRequest: RESTOptions['makeRequest'] = (url, init) => {
    const id = CALLBACK.exec(url)?.[1];
    if (id !== undefined) {
      counts.set(id, (counts.get(id) ?? 0) + 1);
      if (counts.size > MAX_TRACKED) {
        const oldest = counts.keys().next().value;
        if (oldest !== undefined) counts.delete(oldest);
      }
    }
    return send(url, init);
  };
  return { makeRequest, attach: (rest: REST): void => void countsOf.set(rest, counts) };
}

/**
 * How many callbacks `rest` has sent for the interaction so far; undefined when `rest` does not
 * count them (a client not built with {@link countCallbackAttempts}).
 */
export function callbackAttempts(rest: object, interactionId: string): number | undefined {
  const counts = countsOf.get(rest);
  return counts === undefined ? undefined : (counts.get(interactionId) ?? 0);
}

/** Drops the interaction's count once its first answer settled. */
export function forgetCallbackAttempts(rest: object, interactionId: string): void {
  countsOf.get(rest)?.delete(interactionId);
}
