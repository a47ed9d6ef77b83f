import type { BaseInteraction } from 'discord.js';
import { rememberedThreadParent } from './thread-parents.js';

/**
 * Ids of the member's roles (Discord's member object in the interaction), whether discord.js
 * built a GuildMember or gave the raw payload. A GuildMember's ids are read from the list
 * discord.js keeps from that payload (`_roles`): `member.roles.cache` builds a new Collection of
 * the member's Role objects (and @everyone's) on every read, only for its keys to be listed again
 * (up to 50 µs in a profile of a burst of `/video`, issue 15), and that list is tried first because
 * a GuildMember's `roles` is itself a getter that builds a new role manager on every read (about
 * 20 µs). Should discord.js stop keeping that list, the Collection is used.
 */
export function memberRoleIds(interaction: BaseInteraction): string[] {
  const member = interaction.member;
  if (!member) return [];
  const kept: unknown = (member as unknown as { _roles?: unknown })._roles;
  if (Array.isArray(kept) && kept.every((id) => typeof id === 'string')) return [...kept];
  if (Array.isArray(member.roles)) return [...member.roles];
  return [...member.roles.cache.keys()].filter((id) => id !== interaction.guildId);
}

/**
 * The channel a thread belongs to, so a server's allowed channels cover their threads (and a
 * forum's posts, which are threads). Null outside threads. A thread the gateway never announced
 * (a private one) is known from the interaction's own payload (see thread-parents.ts).
 */
export function threadParentId(interaction: BaseInteraction): string | null {
  const channel = interaction.channel;
  if (channel) return channel.isThread() ? channel.parentId : null;
  return interaction.channelId === null ? null : (rememberedThreadParent(interaction.client, interaction.channelId) ?? null);
}

/**
 * The guild a paid command may run in: a server where the bot itself is installed. DMs and
 * user-installed contexts have no server budget to charge and no channel to fall back to.
 */
export function installedGuildId(interaction: BaseInteraction): string | null {
  if (!interaction.inGuild()) return null;
  const owners = interaction.authorizingIntegrationOwners;
  // Older payloads carry no owners at all; then the guild id alone decides.
  if (owners && (owners.guildId !== null || owners.userId !== null) && owners.guildId !== interaction.guildId) return null;
  return interaction.guildId;
}

/**
 * The server of an interaction the router let through to a handler that works in servers only
 * (see `Where` in command.ts): the router already answered every other one.
 * @throws Error when called for an interaction outside a server (a routing bug).
 */
export function serverOf(interaction: BaseInteraction): string {
  const guildId = installedGuildId(interaction);
  if (guildId === null) throw new Error('a servers-only handler ran outside a server; the router should have answered it');
  return guildId;
}
