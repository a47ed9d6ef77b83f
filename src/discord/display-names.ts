import type { ChatInputCommandInteraction } from 'discord.js';

// The chart must not hold up the answer: names not known within this time show as ids.
const FETCH_WITHIN_MS = 1_000;

/**
 * Names for the chart's legend: the member's server nickname or username from discord.js' cache,
 * else fetched (in parallel, at most {@link FETCH_WITHIN_MS}); ids whose name is unknown are left
 * out of the map.
 */
export async function displayNames(interaction: ChatInputCommandInteraction, userIds: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const missing: string[] = [];
  for (const id of userIds) {
    const cached = interaction.guild?.members.cache.get(id)?.displayName ?? interaction.client.users.cache.get(id)?.username;
    if (cached) names.set(id, cached);
    else missing.push(id);
  }
  if (missing.length === 0) return names;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, FETCH_WITHIN_MS);
  });
  const fetches = missing.map((id) =>
    interaction.client.users.fetch(id).then(
      (user) => void names.set(id, user.globalName ?? user.username),
      () => undefined,
    ),
  );
  await Promise.race([Promise.allSettled(fetches), deadline]);
  clearTimeout(timer);
  return new Map(names);
}
