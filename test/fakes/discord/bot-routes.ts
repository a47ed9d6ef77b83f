/**
 * Routes that need `Authorization: Bot <token>`: gateway info, users, application,
 * command registration, channels and channel messages, DM channels, guilds.
 */
import { apiError, errors, json, noContent, type RouteResult } from './http-util.js';
import {
  checkFileSizes,
  checkPayload,
  checkPermissions,
  createMessage,
  deleteMessage,
  editMessage,
  isEmptyMessage,
  visibleInChannel,
} from './messages.js';
import { apiChannel, apiGuild, apiMember, apiMessage, apiUser } from './payloads.js';
import type { Route, RouteContext } from './router.js';
import { SIGNED_URL_LIFETIME_MS, type ChannelState } from './state.js';
import type { ApiCommand, Json } from './types.js';

function gatewayBot(ctx: RouteContext): RouteResult {
  return json({
    url: ctx.state.gatewayUrlOverride ?? `${ctx.state.baseUrl.replace(/^http/, 'ws')}/gateway`,
    shards: ctx.state.recommendedShards,
    session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: ctx.state.maxConcurrency },
  });
}

function me(ctx: RouteContext): RouteResult {
  return json({ ...apiUser(ctx.state.botUser), bot: true, verified: true, mfa_enabled: false, flags: 0, locale: 'en-US' });
}

function user(ctx: RouteContext): RouteResult {
  const found = ctx.params[0] ? ctx.state.users.get(ctx.params[0]) : undefined;
  return found ? json(apiUser(found)) : apiError(404, 10013, 'Unknown User');
}

function application(ctx: RouteContext): RouteResult {
  const { state } = ctx;
  return json({
    id: state.applicationId,
    name: state.botUser.username,
    icon: null,
    description: '',
    summary: '',
    type: null,
    bot_public: true,
    bot_require_code_grant: false,
    verify_key: '0'.repeat(64),
    flags: 0,
    owner: apiUser({ id: state.guilds.values().next().value?.ownerId ?? state.nextId(), username: 'owner' }),
    team: null,
    bot: apiUser(state.botUser),
    approximate_guild_count: state.guilds.size,
    install_params: { scopes: ['bot', 'applications.commands'], permissions: '0' },
    integration_types_config: { '0': {}, '1': {} },
    tags: [],
    redirect_uris: [],
    interactions_endpoint_url: null,
  });
}

function commandList(ctx: RouteContext, guildId: string | undefined): ApiCommand[] | RouteResult {
  if (ctx.params[0] !== ctx.state.applicationId) return apiError(403, 50001, 'Missing Access');
  if (guildId === undefined) return ctx.state.commands.global;
  if (!ctx.state.guilds.has(guildId)) return errors.missingAccess();
  return ctx.state.commands.guilds.get(guildId) ?? [];
}

function toCommand(ctx: RouteContext, raw: Json, previous: ApiCommand[], guildId: string | undefined): ApiCommand | null {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || typeof raw['name'] !== 'string') return null;
  const name = raw['name'];
  const type = typeof raw['type'] === 'number' ? raw['type'] : 1;
  const existing = previous.find((c) => c.name === name && (c['type'] ?? 1) === type);
  const command: ApiCommand = {
    default_member_permissions: null,
    nsfw: false,
    description: '',
    ...raw,
    type,
    id: existing?.id ?? ctx.state.nextId(),
    name,
    application_id: ctx.state.applicationId,
    version: ctx.state.nextId(),
  };
  if (guildId !== undefined) command['guild_id'] = guildId;
  return command;
}

function commands(ctx: RouteContext): RouteResult {
  const guildId = ctx.params[1];
  const list = commandList(ctx, guildId);
  if (!Array.isArray(list)) return list;
  if (ctx.method === 'GET') return json(list);
  const input: Json[] = ctx.method === 'PUT' ? (Array.isArray(ctx.rawJson) ? ctx.rawJson : []) : [ctx.rawJson ?? null];
  const built = input.map((raw) => toCommand(ctx, raw, list, guildId));
  if (built.some((c) => c === null)) return errors.invalidForm('name: This field is required');
  const fresh = built.filter((c): c is ApiCommand => c !== null);
  let next: ApiCommand[];
  if (ctx.method === 'PUT') next = fresh;
  else next = [...list.filter((c) => !fresh.some((f) => f.id === c.id)), ...fresh];
  if (guildId === undefined) ctx.state.commands.global = next;
  else ctx.state.commands.guilds.set(guildId, next);
  return ctx.method === 'PUT' ? json(next) : json(fresh[0], 201);
}

function accessibleChannel(ctx: RouteContext): ChannelState | RouteResult {
  const channel = ctx.params[0] ? ctx.state.channels.get(ctx.params[0]) : undefined;
  if (!channel) return errors.unknownChannel();
  if (ctx.state.deniedChannels.has(channel.id)) return errors.missingAccess();
  return channel;
}

const isResult = (value: ChannelState | RouteResult): value is RouteResult => 'status' in value;

function channel(ctx: RouteContext): RouteResult {
  const found = accessibleChannel(ctx);
  return isResult(found) ? found : json(apiChannel(found));
}

function channelMessages(ctx: RouteContext): RouteResult {
  const found = accessibleChannel(ctx);
  if (isResult(found)) return found;
  const { state } = ctx;
  if (ctx.method === 'GET') {
    const limit = Math.min(100, Number(ctx.query.get('limit') ?? 50) || 50);
    const list = [...state.messages.values()]
      .filter((m) => visibleInChannel(m, found.id))
      .reverse()
      .slice(0, limit);
    return json(list.map((m) => apiMessage(state, m)));
  }
  const invalid =
    checkFileSizes(ctx.files, state.defaultAttachmentSizeLimit) ??
    checkPayload(ctx.state, ctx.body) ??
    checkNonce(ctx.body) ??
    checkPermissions(state, found.id, ctx.body, ctx.files, true);
  if (invalid) return invalid;
  if (isEmptyMessage(ctx.body, ctx.files)) return errors.emptyMessage();
  // Discord: with enforce_nonce, a second create with the same nonce by the same author within a
  // few minutes returns the first message instead of creating another.
  const nonce = ctx.body['enforce_nonce'] === true ? ctx.body['nonce'] : undefined;
  const nonceKey = typeof nonce === 'string' || typeof nonce === 'number' ? `${found.id}:${state.botUser.id}:${nonce}` : undefined;
  const earlier = nonceKey ? state.nonces.get(nonceKey) : undefined;
  if (earlier && state.clock() - earlier.at < NONCE_WINDOW_MS) {
    const first = state.messages.get(earlier.messageId);
    if (first) return json(apiMessage(state, first));
  }
  const reference = ctx.body['message_reference'];
  const message = createMessage(
    state,
    { channelId: found.id, guildId: found.guildId, type: reference ? 19 : 0, viaWebhook: false },
    ctx.body,
    ctx.files,
  );
  if (nonceKey) state.nonces.set(nonceKey, { messageId: message.id, at: state.clock() });
  return json(apiMessage(state, message));
}

// Discord keeps nonces "for a few minutes".
const NONCE_WINDOW_MS = 5 * 60_000;

/** `nonce`: an integer or a string of at most 25 characters (400 / 50035 otherwise). */
function checkNonce(body: Record<string, unknown>): RouteResult | undefined {
  const nonce = body['nonce'];
  if (nonce === undefined) return undefined;
  if (typeof nonce === 'number' ? Number.isInteger(nonce) : typeof nonce === 'string' && nonce.length <= 25) return undefined;
  return errors.invalidForm('nonce: Must be 25 or fewer in length.');
}

function channelMessage(ctx: RouteContext): RouteResult {
  const found = accessibleChannel(ctx);
  if (isResult(found)) return found;
  const message = ctx.params[1] ? ctx.state.messages.get(ctx.params[1]) : undefined;
  if (!visibleInChannel(message, found.id)) return errors.unknownMessage();
  if (ctx.method === 'GET') return json(apiMessage(ctx.state, message));
  if (ctx.method === 'DELETE') {
    deleteMessage(message);
    return noContent();
  }
  if (message.author.id !== ctx.state.botUser.id) {
    return apiError(403, 50005, 'Cannot edit a message authored by another user');
  }
  const invalid =
    checkFileSizes(ctx.files, ctx.state.defaultAttachmentSizeLimit) ??
    checkPayload(ctx.state, ctx.body) ??
    checkPermissions(ctx.state, found.id, ctx.body, ctx.files, false);
  if (invalid) return invalid;
  editMessage(ctx.state, message, ctx.body, ctx.files);
  return json(apiMessage(ctx.state, message));
}

function openDm(ctx: RouteContext): RouteResult {
  const recipient = ctx.body['recipient_id'];
  if (typeof recipient !== 'string' || !/^\d{15,21}$/.test(recipient)) {
    return errors.invalidForm('recipient_id: Value is not snowflake.');
  }
  const known = ctx.state.users.get(recipient) ?? { id: recipient, username: `user-${recipient}` };
  return json(apiChannel(ctx.state.dmChannelFor(known)));
}

function guild(ctx: RouteContext): RouteResult {
  const found = ctx.params[0] ? ctx.state.guilds.get(ctx.params[0]) : undefined;
  return found ? json(apiGuild(found)) : apiError(404, 10004, 'Unknown Guild');
}

function guildChannels(ctx: RouteContext): RouteResult {
  const found = ctx.params[0] ? ctx.state.guilds.get(ctx.params[0]) : undefined;
  if (!found) return apiError(404, 10004, 'Unknown Guild');
  return json(
    found.channelIds.flatMap((id) => {
      const c = ctx.state.channels.get(id);
      return c ? [apiChannel(c)] : [];
    }),
  );
}

function guildMember(ctx: RouteContext): RouteResult {
  const [guildId, userId] = ctx.params;
  if (!guildId || !ctx.state.guilds.has(guildId)) return apiError(404, 10004, 'Unknown Guild');
  const known = userId ? ctx.state.users.get(userId) : undefined;
  return known ? json(apiMember(ctx.state, known, [], { guildId })) : apiError(404, 10007, 'Unknown Member');
}

/**
 * `POST /attachments/refresh-urls`: signs attachment URLs again. URLs of files the CDN no longer
 * has are left out of the answer, as Discord does for deleted attachments.
 */
function refreshUrls(ctx: RouteContext): RouteResult {
  const urls = ctx.body['attachment_urls'];
  if (!Array.isArray(urls) || urls.length === 0 || !urls.every((u) => typeof u === 'string')) {
    return apiError(400, 50035, 'Invalid Form Body');
  }
  const refreshed = urls.flatMap((original) => {
    const match = /\/cdn\/attachments\/(\d+)\/([^/?]+)/.exec(original);
    const file = match?.[1] ? ctx.state.cdn.get(match[1]) : undefined;
    if (!file) return [];
    file.expiresAt = ctx.state.clock() + SIGNED_URL_LIFETIME_MS;
    return [{ original, refreshed: ctx.state.cdnUrl(file) }];
  });
  return json({ refreshed_urls: refreshed });
}

const ID = '(\\d+)';
const route = (methods: string[], pattern: string, handle: Route['handle']): Route => ({
  methods,
  pattern: new RegExp(`^/v10${pattern}$`),
  auth: 'bot',
  handle,
});

/** Bot-token routes. */
export const botRoutes: Route[] = [
  route(['GET'], '/gateway/bot', gatewayBot),
  { ...route(['GET'], '/gateway', gatewayBot), auth: 'none' },
  route(['GET'], '/users/@me', me),
  route(['POST'], '/users/@me/channels', openDm),
  route(['GET'], `/users/${ID}`, user),
  route(['GET'], '/applications/@me', application),
  route(['GET', 'PUT', 'POST'], `/applications/${ID}/commands`, commands),
  route(['GET', 'PUT', 'POST'], `/applications/${ID}/guilds/${ID}/commands`, commands),
  route(['GET'], `/channels/${ID}`, channel),
  route(['GET', 'POST'], `/channels/${ID}/messages`, channelMessages),
  route(['GET', 'PATCH', 'DELETE'], `/channels/${ID}/messages/${ID}`, channelMessage),
  route(['POST'], `/channels/${ID}/typing`, (ctx) => {
    const found = accessibleChannel(ctx);
    return isResult(found) ? found : noContent();
  }),
  route(['POST'], '/attachments/refresh-urls', refreshUrls),
  route(['GET'], `/guilds/${ID}`, guild),
  route(['GET'], `/guilds/${ID}/channels`, guildChannels),
  route(['GET'], `/guilds/${ID}/members/${ID}`, guildMember),
];
