/**
 * Public types of the fake Discord server (REST API v10 + gateway).
 * Shapes follow Discord's API objects closely enough for discord.js 14.
 */

/** A JSON value as parsed from a request body. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** A channel inside a fake guild. */
export interface FakeChannelSpec {
  id: string;
  name?: string;
  /** Discord channel type; 0 = text (default), 2 = voice, 4 = category, 5 = announcement, 11/12 = public/private thread. */
  type?: number;
  /** The channel a thread belongs to (or a channel's category). */
  parentId?: string;
}

/** A role inside a fake guild. */
export interface FakeRoleSpec {
  id: string;
  name: string;
  /** Permission bitfield as a decimal string. */
  permissions: string;
}

/** A guild the fake bot is in. */
export interface FakeGuildSpec {
  id: string;
  name?: string;
  channels?: FakeChannelSpec[];
  roles?: FakeRoleSpec[];
  ownerId?: string;
  /** Guild locale, default "en-US". */
  preferredLocale?: string;
}

/** Options of {@link startFakeDiscord}. */
export interface FakeDiscordOptions {
  /** Bot token the gateway and bot-auth routes accept. */
  token?: string;
  applicationId?: string;
  botUserId?: string;
  botUsername?: string;
  /** Guilds the bot is in. Default: one guild with one text channel. */
  guilds?: FakeGuildSpec[];
  /** Clock used for interaction deadlines, token expiry and timestamps. Default `Date.now`. */
  clock?: () => number;
  /** Upload limit per file for channel routes and default for interactions. Default 10 MiB. */
  defaultAttachmentSizeLimit?: number;
  /** Time to acknowledge an interaction. Default 3000 ms. */
  interactionResponseWindowMs?: number;
  /** Lifetime of an interaction token. Default 15 minutes. */
  interactionTokenLifetimeMs?: number;
  /** `shards` answered by `GET /gateway/bot` (used by discord.js `shards: 'auto'`). Default 1. */
  recommendedShards?: number;
  /** `session_start_limit.max_concurrency`; discord.js waits 5 s between identifies per bucket. Default 1. */
  maxConcurrency?: number;
  /**
   * Refuse bodies over Discord's documented limits with 400 / 50035, like Discord. Default true;
   * turn off only to record what an over-limit body looked like.
   */
  enforceLimits?: boolean;
  /** Refuse message creates/edits without `allowed_mentions` (this project's rule). Default true. */
  requireAllowedMentions?: boolean;
  /** Port to listen on (127.0.0.1). Default 0 = random. */
  port?: number;
  /**
   * The gateway URL `GET /gateway/bot` names, for a gateway that cannot be reached (a firewall
   * that lets REST through). Default: this fake's own `/gateway`.
   */
  gatewayUrl?: string;
}

/** A user as the fake puts it into payloads. */
export interface FakeUserSpec {
  id: string;
  username: string;
  global_name?: string | null;
  bot?: boolean;
}

/** Input of {@link FakeDiscord.registerAttachment}. */
export interface FakeAttachmentInput {
  filename: string;
  contentType: string;
  data: Buffer;
  width?: number;
  height?: number;
  /** Explicit id; generated when absent. */
  id?: string;
  /** How long its signed URL works (Discord: about a day; default 24 h). */
  expiresInMs?: number;
}

/** A Discord attachment object (snake_case, as in API payloads). */
export interface ApiAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type: string;
  width?: number | null;
  height?: number | null;
  description?: string;
  ephemeral?: boolean;
}

/** One command option in an interaction payload. */
export interface FakeCommandOption {
  name: string;
  /** 3 string, 4 integer, 5 boolean, 6 user, 7 channel, 8 role, 9 mentionable, 10 number, 11 attachment. */
  type: number;
  value?: string | number | boolean;
  focused?: boolean;
  /** Resolved user for type 6/9 (added to `data.resolved.users`). */
  user?: FakeUserSpec;
  /** Resolved member fields for type 6/9 in a guild (added to `data.resolved.members`). */
  member?: { roles?: string[]; nick?: string | null; permissions?: string };
  /** Resolved role for type 8/9 (added to `data.resolved.roles`); guild roles are found by id otherwise. */
  role?: FakeRoleSpec;
}

/** Who/where fields shared by every dispatched interaction. */
export interface FakeInteractionContextSpec {
  /** Guild id; `null` = bot DM (context 1). Default: the first guild. */
  guildId?: string | null;
  /** Channel id. Default: first text channel of the guild, or the user's DM channel. */
  channelId?: string;
  user?: FakeUserSpec;
  /** Member permission bitfield (decimal string). Default: every permission except Administrator. */
  memberPermissions?: string;
  roles?: string[];
  locale?: string;
  guildLocale?: string;
  /** Per-file upload limit for this interaction. Default `defaultAttachmentSizeLimit`. */
  attachmentSizeLimit?: number;
  /** Bot permissions in the channel. Default: every permission except Administrator. */
  appPermissions?: string;
  /** 0 guild, 1 bot DM, 2 private channel. Default derived from guildId. */
  context?: 0 | 1 | 2;
  /** Default `{"0": guildId}` in guilds, `{"1": userId}` in DMs. */
  authorizingIntegrationOwners?: Record<string, string>;
}

/** Input of {@link FakeDiscord.dispatchInteraction}. */
export interface FakeCommandInteractionSpec extends FakeInteractionContextSpec {
  commandName: string;
  subcommandGroup?: string;
  subcommand?: string;
  options?: FakeCommandOption[];
  /** Attachments to put into `data.resolved.attachments` (inputs are registered first). */
  attachments?: Array<FakeAttachmentInput | ApiAttachment>;
}

/** Input of {@link FakeDiscord.dispatchComponentInteraction}. */
export interface FakeComponentInteractionSpec extends FakeInteractionContextSpec {
  customId: string;
  /** Id of a stored message the component is on. */
  messageId: string;
  /** 2 button (default), 3 string select, 5 user select, ... */
  componentType?: number;
  values?: string[];
}

/** Input of {@link FakeDiscord.dispatchAutocomplete}. */
export interface FakeAutocompleteSpec extends FakeInteractionContextSpec {
  commandName: string;
  subcommandGroup?: string;
  subcommand?: string;
  /** Exactly one option should have `focused: true`. */
  options?: FakeCommandOption[];
}

/** What a dispatch returns. */
export interface DispatchedInteraction {
  id: string;
  token: string;
  applicationId: string;
}

/** A stored attachment of a message the bot sent. */
export interface FakeMessageAttachment {
  id: string;
  filename: string;
  size: number;
  contentType: string;
  data: Buffer;
  url: string;
  description?: string;
}

/** Snapshot of a message after a create or edit. */
export interface FakeMessageSnapshot {
  content: string;
  embeds: Json[];
  components: Json[];
  attachments: string[];
  flags: number;
  at: number;
}

/** A message stored by the fake. */
export interface FakeMessage {
  id: string;
  channelId: string;
  guildId: string | null;
  content: string;
  embeds: Json[];
  components: Json[];
  attachments: FakeMessageAttachment[];
  flags: number;
  author: FakeUserSpec;
  /** Discord message type: 0 default, 19 reply, 20 chat input command. */
  type: number;
  /** Interaction this message answers (original response or follow-up). */
  interactionId?: string;
  /** Created via an interaction webhook token. */
  viaWebhook: boolean;
  createdAt: number;
  editedAt: number | null;
  history: FakeMessageSnapshot[];
  /** `allowed_mentions` of each create/edit request; `undefined` when absent. */
  allowedMentionsLog: unknown[];
  deleted: boolean;
}

/** A recorded file part of a request. */
export interface RecordedFile {
  name: string;
  size: number;
  contentType: string;
}

/** One HTTP request the fake received. */
export interface RecordedRequest {
  method: string;
  /** Path without the `/api` prefix and without query, e.g. `/v10/channels/1/messages`. */
  path: string;
  query: Record<string, string>;
  auth: 'bot' | 'none';
  /** Parsed JSON body, or the parsed `payload_json` of a multipart body. */
  body: unknown;
  files: RecordedFile[];
  status: number;
  at: number;
  /** True when no route matched. */
  unknownRoute: boolean;
  /** True when the answer came from {@link FakeDiscord.failNext}. */
  injected: boolean;
}

/** One interaction callback that was accepted. */
export interface RecordedCallback {
  interactionId: string;
  type: number;
  data: unknown;
  at: number;
  /** Time from the interaction's dispatch to this callback (Discord allows 3 s). */
  afterMs: number;
}

/** An application command as stored after a bulk overwrite. */
export type ApiCommand = JsonObject & { id: string; name: string };

/** Commands registered through the bulk-overwrite routes. */
export interface RegisteredCommands {
  global: ApiCommand[];
  guilds: Map<string, ApiCommand[]>;
}

/** Matcher of {@link FakeDiscord.failNext}. */
export interface FaultMatcher {
  method?: string;
  /** Tested against the recorded path (e.g. `/v10/webhooks/...`). */
  path: RegExp;
  /** Only requests that upload files (true) or that do not (false). */
  withFiles?: boolean;
}

/** Canned answer of {@link FakeDiscord.failNext}. */
export interface FaultResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * `land`: the request is carried out (the message is written) and only then answered with this
   * fault: Discord did the write but answered 5xx. With `hang` the answer never comes (the client
   * times out), landed or not.
   */
  land?: boolean;
  hang?: boolean;
}

/** One IDENTIFY the gateway accepted. */
export interface RecordedIdentify {
  intents: number;
  shard: [number, number];
  sessionId: string;
  at: number;
}
