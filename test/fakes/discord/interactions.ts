/**
 * Builds INTERACTION_CREATE payloads (commands, components, autocomplete) with
 * everything discord.js reads, and registers them in the state so callback and
 * webhook routes can find them by id and token.
 */
import { randomBytes } from 'node:crypto';
import { apiChannel, apiMember, apiMessage, apiRole, apiUser } from './payloads.js';
import { ALL_BUT_ADMIN, type FakeDiscordState, type InteractionState } from './state.js';
import type {
  ApiAttachment,
  FakeAttachmentInput,
  FakeAutocompleteSpec,
  FakeCommandInteractionSpec,
  FakeCommandOption,
  FakeComponentInteractionSpec,
  FakeInteractionContextSpec,
  FakeUserSpec,
  Json,
  JsonObject,
} from './types.js';

interface ResolvedContext {
  user: FakeUserSpec;
  guildId: string | null;
  channelId: string;
  fields: JsonObject;
}

function resolveContext(
  state: FakeDiscordState,
  spec: FakeInteractionContextSpec,
  defaults: { guildId?: string | null; channelId?: string } = {},
): ResolvedContext {
  const user = state.rememberUser(spec.user ?? state.defaultUser);
  const guildId = spec.guildId !== undefined ? spec.guildId : (defaults.guildId ?? state.firstGuildId());
  const guild = guildId ? state.guilds.get(guildId) : undefined;
  const channelId =
    spec.channelId ??
    defaults.channelId ??
    (guildId === null ? state.dmChannelFor(user).id : guild ? state.defaultChannelOf(guild.id) : state.nextId());
  const stored = state.channels.get(channelId);
  const appPermissions = spec.appPermissions ?? ALL_BUT_ADMIN;
  const channel: JsonObject = stored
    ? { ...apiChannel(stored), ...(stored.type === 1 ? {} : { permissions: appPermissions }) }
    : { id: channelId, type: 0, guild_id: guildId, name: 'unknown', permissions: appPermissions, flags: 0 };
  const context = spec.context ?? (guildId === null ? 1 : 0);
  const owners = spec.authorizingIntegrationOwners ?? (guildId === null ? { '1': user.id } : { '0': guildId });
  const fields: JsonObject = {
    channel_id: channelId,
    channel,
    version: 1,
    locale: spec.locale ?? 'en-US',
    app_permissions: appPermissions,
    entitlements: [],
    authorizing_integration_owners: owners,
    context,
    attachment_size_limit: spec.attachmentSizeLimit ?? state.defaultAttachmentSizeLimit,
  };
  if (guildId !== null) {
    const locale = spec.guildLocale ?? guild?.preferredLocale ?? 'en-US';
    Object.assign(fields, {
      guild_id: guildId,
      guild_locale: locale,
      guild: { id: guildId, locale, features: [] },
      member: apiMember(state, user, spec.roles ?? [], {
        permissions: spec.memberPermissions ?? ALL_BUT_ADMIN,
        guildId,
      }),
    });
  } else {
    fields['user'] = apiUser(user);
  }
  return { user, guildId, channelId, fields };
}

function isInput(value: FakeAttachmentInput | ApiAttachment): value is FakeAttachmentInput {
  return 'data' in value;
}

function buildResolved(
  state: FakeDiscordState,
  guildId: string | null,
  options: FakeCommandOption[],
  attachments: Array<FakeAttachmentInput | ApiAttachment>,
): JsonObject | undefined {
  const resolved: Record<string, JsonObject> = {};
  const put = (kind: string, id: string, value: JsonObject): void => {
    resolved[kind] = { ...resolved[kind], [id]: value };
  };
  for (const attachment of attachments) {
    const api = isInput(attachment) ? state.registerCdnFile(attachment) : attachment;
    put('attachments', api.id, { ...api });
  }
  for (const option of options) {
    const id = String(option.value ?? '');
    if (option.type === 11 && !resolved['attachments']?.[id]) {
      const file = state.cdn.get(id);
      if (file) put('attachments', id, { ...state.attachmentObject(file) });
    }
    if ((option.type === 6 || option.type === 9) && option.user) {
      state.rememberUser(option.user);
      put('users', option.user.id, apiUser(option.user));
      if (guildId !== null) {
        const member = apiMember(state, option.user, option.member?.roles ?? [], {
          permissions: option.member?.permissions ?? ALL_BUT_ADMIN,
          nick: option.member?.nick ?? null,
          guildId,
        });
        delete member['user'];
        put('members', option.user.id, member);
      }
    }
    if (option.type === 8 || option.type === 9) {
      const role = option.role ?? (guildId ? state.guilds.get(guildId)?.roles.find((r) => r.id === id) : undefined);
      if (role) put('roles', role.id, apiRole(role, 1));
    }
    if (option.type === 7) {
      const channel = state.channels.get(id);
      if (channel) put('channels', id, { ...apiChannel(channel), permissions: ALL_BUT_ADMIN });
    }
  }
  return Object.keys(resolved).length > 0 ? resolved : undefined;
}

function apiOptions(spec: { subcommandGroup?: string; subcommand?: string; options?: FakeCommandOption[] }): Json[] {
  const leaf: Json[] = (spec.options ?? []).map((o) => {
    const out: JsonObject = { name: o.name, type: o.type };
    if (o.value !== undefined) out['value'] = o.value;
    if (o.focused) out['focused'] = true;
    return out;
  });
  if (spec.subcommand === undefined) return leaf;
  const sub: JsonObject = { name: spec.subcommand, type: 1, options: leaf };
  return spec.subcommandGroup === undefined ? [sub] : [{ name: spec.subcommandGroup, type: 2, options: [sub] }];
}

function register(
  state: FakeDiscordState,
  type: number,
  context: ResolvedContext,
  spec: FakeInteractionContextSpec,
  data: JsonObject,
  extra: JsonObject = {},
): InteractionState {
  const id = state.nextId();
  const token = Buffer.from(`interaction:${id}:${randomBytes(48).toString('base64url')}`).toString('base64url');
  const payload: JsonObject = {
    id,
    application_id: state.applicationId,
    type,
    data,
    token,
    ...context.fields,
    ...extra,
  };
  const interaction: InteractionState = {
    id,
    token,
    applicationId: state.applicationId,
    type,
    dispatchedAt: state.clock(),
    guildId: context.guildId,
    channelId: context.channelId,
    user: context.user,
    attachmentSizeLimit: spec.attachmentSizeLimit ?? state.defaultAttachmentSizeLimit,
    acknowledged: false,
    tokenExpired: false,
    payload,
  };
  state.interactions.set(id, interaction);
  state.interactionsByToken.set(token, interaction);
  return interaction;
}

/** Where an interaction happens when its spec does not say (a message's guild and channel). */
export type ContextOverrides = { guildId?: string | null; channelId?: string };

/** Builds and registers an interaction of any type with the given `data` (and top-level `extra`). */
export function buildInteraction(
  state: FakeDiscordState,
  type: number,
  spec: FakeInteractionContextSpec,
  data: JsonObject,
  defaults: ContextOverrides = {},
  extra: JsonObject = {},
): InteractionState {
  return register(state, type, resolveContext(state, spec, defaults), spec, data, extra);
}

/** Builds and registers a chat-input command (type 2) or autocomplete (type 4) interaction. */
export function buildCommandInteraction(
  state: FakeDiscordState,
  spec: FakeCommandInteractionSpec | FakeAutocompleteSpec,
  type: 2 | 4,
): InteractionState {
  const context = resolveContext(state, spec);
  const commandGuild =
    context.guildId && state.commands.guilds.get(context.guildId)?.some((c) => c.name === spec.commandName) ? context.guildId : null;
  const data: JsonObject = {
    id: state.commandIdFor(spec.commandName, context.guildId),
    name: spec.commandName,
    type: 1,
    options: apiOptions(spec),
  };
  if (commandGuild) data['guild_id'] = commandGuild;
  const attachments = 'attachments' in spec ? (spec.attachments ?? []) : [];
  const resolved = buildResolved(state, context.guildId, spec.options ?? [], attachments);
  if (resolved) data['resolved'] = resolved;
  return register(state, type, context, spec, data);
}

/** Builds and registers a message component (type 3) interaction on a stored message. */
export function buildComponentInteraction(state: FakeDiscordState, spec: FakeComponentInteractionSpec): InteractionState {
  const message = state.messages.get(spec.messageId);
  if (!message) throw new Error(`fake discord: no stored message ${spec.messageId}`);
  const context = resolveContext(state, spec, { guildId: message.guildId, channelId: message.channelId });
  const data: JsonObject = { custom_id: spec.customId, component_type: spec.componentType ?? 2 };
  if (spec.values) data['values'] = spec.values;
  const interaction = register(state, 3, context, spec, data, { message: apiMessage(state, message) });
  interaction.componentMessageId = message.id;
  return interaction;
}
