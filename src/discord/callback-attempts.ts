import { DefaultRestOptions, type REST, type RESTOptions } from 'discord.js';

// POST /interactions/{interaction.id}/{interaction.token}/callback (Discord's docs: Receiving and
// Responding, "Create Interaction Response"); the query (with_response) may follow.
const CALLBACK = /\/interactions\/(\d+)\/[^/?]+\/callback(?:\?|$)/;

const countsOf = new WeakMap<object, Map<string, number>>();

/**
 * Counts the interaction callbacks a REST client sends for the interactions being watched (see
 * {@link watchCallbackAttempts}), its own retries included, so a refusal as "already acknowledged"
 * (40060) can be read right: after a second attempt it means our first one landed (Discord did it,
 * then answered 5xx or the answer was lost); on the first attempt it means someone else answered
 * the interaction (a second process running this bot's shard, as during a deploy that overlaps),
 * and nothing of ours was shown. An attempt Discord answered 429 is not counted: a rate-limited
 * request was not carried out.
 *
 * Returns the `makeRequest` to give the REST client (`RESTOptions.makeRequest`; it counts, then
 * sends as discord.js does by default) and `attach`, which makes the counts reachable through that
 * client.
 */
export function countCallbackAttempts(send: RESTOptions['makeRequest'] = DefaultRestOptions.makeRequest) {
  const counts = new Map<string, number>();
  const makeRequest: RESTOptions['makeRequest'] = async (url, init) => {
    const id = CALLBACK.exec(url)?.[1];
    const watched = id !== undefined && counts.has(id);
    if (watched) counts.set(id, (counts.get(id) ?? 0) + 1);
    const response = await send(url, init);
    if (watched && response.status === 429 && counts.has(id)) counts.set(id, Math.max(0, (counts.get(id) ?? 1) - 1));
    return response;
  };
  return { makeRequest, attach: (rest: REST): void => void countsOf.set(rest, counts) };
}

/**
 * Starts counting the callbacks `rest` sends for the interaction (the guard calls it before the
 * interaction's first answer); a no-op for a client that does not count. Answers made without the
 * guard are never counted, so nothing accumulates.
 */
export function watchCallbackAttempts(rest: object, interactionId: string): void {
  countsOf.get(rest)?.set(interactionId, 0);
}

/**
 * How many callbacks `rest` has sent for the watched interaction so far (0 before the first);
 * undefined when the interaction is not watched or `rest` does not count.
 */
export function callbackAttempts(rest: object, interactionId: string): number | undefined {
  return countsOf.get(rest)?.get(interactionId);
}

/** Stops counting for the interaction once its first answer settled. */
export function forgetCallbackAttempts(rest: object, interactionId: string): void {
  countsOf.get(rest)?.delete(interactionId);
}
