/**
 * Builders of Discord API objects (users, roles, channels, guilds, messages)
 * from the fake's state, in the snake_case shapes discord.js parses.
 */
import type { ChannelState, FakeDiscordState, GuildState } from './state.js';
import type { FakeMessage, FakeRoleSpec, FakeUserSpec, JsonObject } from './types.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** API user object. */
export function apiUser(user: FakeUserSpec): JsonObject {
  return {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.global_name ?? null,
    avatar: null,
    bot: user.bot ?? false,
    public_flags: 0,
  };
}

/** API role object. */
export function apiRole(role: FakeRoleSpec, position: number): JsonObject {
  return {
    id: role.id,
    name: role.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: role.permissions,
    managed: false,
    mentionable: false,
    flags: 0,
  };
}

/** Roles of a guild, @everyone (id = guild id) first. */
export function guildRoles(guild: GuildState): JsonObject[] {
  const everyone = { id: guild.id, name: '@everyone', permissions: '1071698660929' };
  const others = guild.roles.filter((r) => r.id !== guild.id);
  const base = guild.roles.find((r) => r.id === guild.id) ?? everyone;
  return [apiRole(base, 0), ...others.map((r, i) => apiRole(r, i + 1))];
}

/** API guild member object. */
export function apiMember(
  state: FakeDiscordState,
  user: FakeUserSpec,
  roles: string[],
  extra: { permissions?: string; nick?: string | null; guildId?: string } = {},
): JsonObject {
  const guild = extra.guildId ? state.guilds.get(extra.guildId) : undefined;
  const member: JsonObject = {
    user: apiUser(user),
    roles,
    nick: extra.nick ?? null,
    avatar: null,
    banner: null,
    premium_since: null,
    joined_at: iso(guild?.joinedAt ?? state.clock()),
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
  };
  if (extra.permissions !== undefined) member['permissions'] = extra.permissions;
  return member;
}

const isThread = (channel: ChannelState): boolean => [10, 11, 12].includes(channel.type);

/** API channel object (guild channel, thread or DM). */
export function apiChannel(channel: ChannelState): JsonObject {
  if (channel.type === 1) {
    const recipient = channel.recipient ?? { id: '0', username: 'unknown' };
    return { id: channel.id, type: 1, last_message_id: null, flags: 0, recipients: [apiUser(recipient)] };
  }
  const base: JsonObject = {
    id: channel.id,
    type: channel.type,
    guild_id: channel.guildId,
    name: channel.name,
    position: channel.position,
    permission_overwrites: [],
    parent_id: channel.parentId ?? null,
    nsfw: false,
    flags: 0,
  };
  if (isThread(channel)) {
    Object.assign(base, {
      owner_id: '0',
      message_count: 0,
      member_count: 1,
      last_message_id: null,
      rate_limit_per_user: 0,
      thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date(0).toISOString(), locked: false },
    });
  }
  if ([0, 5].includes(channel.type)) {
    Object.assign(base, { topic: null, last_message_id: null, rate_limit_per_user: 0 });
  }
  if (channel.type === 2) Object.assign(base, { bitrate: 64000, user_limit: 0, rtc_region: null });
  return base;
}

/** Full guild object as sent in GUILD_CREATE. */
export function apiGuildCreate(state: FakeDiscordState, guild: GuildState): JsonObject {
  const all = guild.channelIds.flatMap((id) => {
    const channel = state.channels.get(id);
    return channel ? [channel] : [];
  });
  // Active threads travel apart from the channels, as in Discord's GUILD_CREATE; private threads
  // (type 12) the bot was not added to are not sent at all.
  const channels = all.filter((c) => !isThread(c)).map(apiChannel);
  const threads = all.filter((c) => isThread(c) && c.type !== 12).map(apiChannel);
  return {
    ...apiGuild(guild),
    joined_at: iso(guild.joinedAt),
    large: false,
    unavailable: false,
    member_count: 2,
    members: [apiMember(state, state.botUser, [], { guildId: guild.id })],
    channels,
    threads,
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    roles: guildRoles(guild),
  };
}

/** Guild object as answered by `GET /guilds/{id}`. */
export function apiGuild(guild: GuildState): JsonObject {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: guild.ownerId,
    region: 'us-west',
    afk_channel_id: null,
    afk_timeout: 300,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: guild.preferredLocale,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    application_id: null,
    vanity_url_code: null,
    max_members: 500000,
    max_video_channel_users: 25,
    features: [],
    emojis: [],
    stickers: [],
    roles: guildRoles(guild),
  };
}

/** API message object of a stored message. */
export function apiMessage(state: FakeDiscordState, message: FakeMessage): JsonObject {
  const interaction = message.interactionId ? state.interactions.get(message.interactionId) : undefined;
  const out: JsonObject = {
    id: message.id,
    channel_id: message.channelId,
    type: message.type,
    author: apiUser(message.author),
    content: message.content,
    embeds: message.embeds,
    components: message.components,
    attachments: message.attachments.map((a) => {
      const file = state.cdn.get(a.id);
      const url = file ? state.cdnUrl(file) : a.url;
      const att: JsonObject = {
        id: a.id,
        filename: a.filename,
        size: a.size,
        url,
        proxy_url: url,
        content_type: a.contentType,
      };
      // Images carry their dimensions, as Discord sends them.
      if (file?.width !== undefined && file.height !== undefined) Object.assign(att, { width: file.width, height: file.height });
      if (a.description !== undefined) att['description'] = a.description;
      if (message.flags & 64) att['ephemeral'] = true;
      return att;
    }),
    flags: message.flags,
    timestamp: iso(message.createdAt),
    edited_timestamp: message.editedAt === null ? null : iso(message.editedAt),
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    pinned: false,
    reactions: [],
  };
  if (message.guildId) out['guild_id'] = message.guildId;
  if (message.viaWebhook) {
    out['webhook_id'] = state.applicationId;
    out['application_id'] = state.applicationId;
  }
  if (interaction) {
    const name = (interaction.payload['data'] as JsonObject | undefined)?.['name'];
    out['interaction_metadata'] = {
      id: interaction.id,
      type: interaction.type,
      user: apiUser(interaction.user),
      authorizing_integration_owners: interaction.payload['authorizing_integration_owners'] ?? {},
      ...(typeof name === 'string' ? { name, command_type: 1 } : {}),
    };
    out['interaction'] = {
      id: interaction.id,
      type: interaction.type,
      name: typeof name === 'string' ? name : '',
      user: apiUser(interaction.user),
    };
  }
  return out;
}
