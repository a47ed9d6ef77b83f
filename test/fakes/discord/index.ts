/**
 * Fake Discord for tests: REST API v10 under `/api`, a gateway on `/gateway` and a
 * small CDN under `/cdn`, all on one 127.0.0.1 HTTP server. A real discord.js Client
 * can log in against it (`rest: { api: fake.apiUrl }`) and receive interactions;
 * everything the bot sends is recorded for assertions.
 */
import { FakeGateway, type DisconnectOptions } from './gateway.js';
import { buildCommandInteraction, buildComponentInteraction } from './interactions.js';
import {
  buildMessageCommandInteraction,
  buildModalSubmitInteraction,
  type FakeMessageCommandSpec,
  type FakeModalSubmitSpec,
} from './modals.js';
import { createMessage, type FakePermission } from './messages.js';
import { apiGuildCreate } from './payloads.js';
import { startServer } from './server.js';
import { FakeDiscordState, type InteractionState } from './state.js';
import type {
  ApiAttachment,
  DispatchedInteraction,
  FakeAttachmentInput,
  FakeAutocompleteSpec,
  FakeCommandInteractionSpec,
  FakeComponentInteractionSpec,
  FakeDiscordOptions,
  FakeGuildSpec,
  FakeMessage,
  FakeUserSpec,
  FaultMatcher,
  FaultResponse,
  Json,
  RecordedCallback,
  RecordedIdentify,
  RecordedRequest,
  RegisteredCommands,
} from './types.js';
import { waitFor, type WaitForOptions } from './wait-for.js';

export type * from './types.js';
export type { FakePermission } from './messages.js';
export type { DisconnectOptions } from './gateway.js';
export type { WaitForOptions } from './wait-for.js';
export { waitFor } from './wait-for.js';
export type { FakeMessageCommandSpec, FakeModalSubmitSpec } from './modals.js';

/** A message a member (not the bot) posted, for context-menu commands to act on. */
export interface FakePostSpec {
  /** Default: the first text channel of the first guild. */
  channelId?: string;
  /** Default: the default user. */
  author?: FakeUserSpec;
  content?: string;
  /** Files the member attached (images with width/height, as Discord reports them). */
  attachments?: FakeAttachmentInput[];
  /** Embeds, e.g. a link's unfurl with `image: { url, proxy_url, width, height }`. */
  embeds?: Json[];
}

/** What the fake knows about a dispatched interaction. */
export type FakeInteraction = Readonly<InteractionState>;

/** A running fake Discord. */
export interface FakeDiscord {
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly baseUrl: string;
  /** `http://127.0.0.1:PORT/api`: use as discord.js `rest.api` / `DISCORD_API_URL`. */
  readonly apiUrl: string;
  /** `ws://127.0.0.1:PORT/gateway` */
  readonly gatewayUrl: string;
  readonly token: string;
  readonly applicationId: string;
  readonly botUser: FakeUserSpec;
  /** User of interactions whose spec names none. */
  readonly defaultUser: FakeUserSpec;
  /** Id of the first guild. */
  readonly defaultGuildId: string;
  /** First text channel of the first guild. */
  readonly defaultChannelId: string;
  /** Every request, in completion order. */
  readonly requests: readonly RecordedRequest[];
  /** Requests no route matched (answered 404 code 0). */
  readonly unknownRequests: readonly RecordedRequest[];
  readonly messages: ReadonlyMap<string, FakeMessage>;
  readonly callbacks: readonly RecordedCallback[];
  readonly registeredCommands: RegisteredCommands;
  readonly identifies: readonly RecordedIdentify[];
  /** Open gateway sockets. */
  readonly gatewayConnections: number;
  /** Identified gateway sessions with an open socket. */
  readonly gatewaySessions: number;

  /** Dispatches a chat-input command interaction (type 2) to the session owning its guild. */
  dispatchInteraction(spec: FakeCommandInteractionSpec): DispatchedInteraction;
  /** Dispatches a message component interaction (type 3) for a stored message. */
  dispatchComponentInteraction(spec: FakeComponentInteractionSpec): DispatchedInteraction;
  /** Dispatches an autocomplete interaction (type 4). */
  dispatchAutocomplete(spec: FakeAutocompleteSpec): DispatchedInteraction;
  /** Stores a message posted by a member (no gateway event: the bot has no message intents). */
  postMessage(spec: FakePostSpec): FakeMessage;
  /** Dispatches a message context-menu command (interaction type 2, command type 3) on a stored message. */
  dispatchMessageCommand(spec: FakeMessageCommandSpec): DispatchedInteraction;
  /** Submits the modal the bot showed for an interaction: a MODAL_SUBMIT interaction (type 5). */
  submitModal(spec: FakeModalSubmitSpec): DispatchedInteraction;
  /** Sends any gateway dispatch event to the session owning `guildId` (null = shard 0). */
  dispatchGatewayEvent(t: string, d: Json, guildId: string | null): boolean;
  /** Adds a guild and sends its GUILD_CREATE (bot joined a server). */
  addGuild(spec: FakeGuildSpec): void;
  /** Makes a file downloadable from the fake CDN; returns its attachment object. */
  registerAttachment(input: FakeAttachmentInput): ApiAttachment;
  /** Deletes a file from the fake CDN: its URLs stop working and cannot be refreshed. */
  deleteAttachment(id: string): void;
  /** State of a dispatched interaction. */
  interaction(interactionId: string): FakeInteraction | undefined;
  /** The original response message of an interaction (also for deferred/updated ones). */
  originalResponse(interactionId: string): FakeMessage | undefined;
  /**
   * The id of the message a message route's path names: `/v10/channels/{channel}/messages/{id}`,
   * or `/v10/webhooks/{application}/{token}/messages/{id | @original}` (@original: the original
   * response of the token's interaction). Undefined for any other path or an unknown token.
   */
  messageIdOf(path: string): string | undefined;
  /** Follow-up messages of an interaction (excluding the original response). */
  followUps(interactionId: string): FakeMessage[];
  /** Non-deleted messages of a channel, oldest first. */
  messagesIn(channelId: string): FakeMessage[];
  /** Every callback request for an interaction, answered or refused (a second one gets 40060). */
  callbackAttempts(interactionId: string): RecordedRequest[];
  /** Choices the bot answered to an autocomplete interaction. */
  autocompleteResults(interactionId: string): Json | undefined;
  /** Modal the bot showed for an interaction. */
  modalShown(interactionId: string): Json | undefined;
  /** Expires an interaction token now (webhook routes answer 401 / 50027). Accepts token or interaction id. */
  expireToken(tokenOrInteractionId: string): void;
  /** Bot-token channel routes for this channel answer 403 / 50001 Missing Access. */
  denyChannel(channelId: string): void;
  /** Undoes {@link FakeDiscord.denyChannel}. */
  allowChannel(channelId: string): void;
  /**
   * The bot lacks these permissions in the channel: messages that need them (files: Attach Files,
   * embeds: Embed Links, bot-token creates: Send Messages) answer 403 / 50013, like Discord.
   */
  denyPermissions(channelId: string, permissions: FakePermission[]): void;
  /** Gives back every permission {@link FakeDiscord.denyPermissions} took in the channel. */
  allowPermissions(channelId: string): void;
  /** The next `times` requests matching answer `response` instead (no state change). */
  failNext(matcher: FaultMatcher, response: FaultResponse, times?: number): void;
  /** Drops the faults `failNext` queued that have not fired yet. */
  clearFaults(): void;
  /** Delays every HTTP answer by `ms`. */
  setLatency(ms: number): void;
  /** Polls until `probe` returns a truthy value. */
  waitFor<T>(probe: () => T | undefined | null | false, options?: WaitForOptions): Promise<T>;
  /**
   * Holds the gateway's answer to IDENTIFY (READY and the GUILD_CREATEs) until the returned
   * function is called; `identifies` still records each IDENTIFY at once.
   */
  holdReady(): () => void;
  /** Closes every gateway socket (default code 4000: discord.js resumes). */
  disconnectGateway(options?: DisconnectOptions): void;
  /** Stops the gateway and the HTTP server. */
  close(): Promise<void>;
}

/**
 * Starts a fake Discord on 127.0.0.1.
 * @param options guilds, token, ids, clock and limits; all optional.
 * @returns the running fake; call `close()` when done.
 */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const state = new FakeDiscordState(options);
  const gateway = new FakeGateway(state);
  const server = await startServer(state, gateway, options.port ?? 0);
  const baseUrl = `http://127.0.0.1:${server.port}`;
  state.baseUrl = baseUrl;
  const defaultGuildId = state.firstGuildId() ?? '';
  const defaultChannelId = defaultGuildId ? state.defaultChannelOf(defaultGuildId) : '';

  const send = (interaction: InteractionState): DispatchedInteraction => {
    if (!gateway.dispatch(interaction.guildId, 'INTERACTION_CREATE', interaction.payload)) {
      state.interactions.delete(interaction.id);
      state.interactionsByToken.delete(interaction.token);
      const where = interaction.guildId === null ? 'DMs (shard 0)' : `guild ${interaction.guildId}`;
      throw new Error(`fake discord: no gateway session owns ${where}; is the bot logged in?`);
    }
    return { id: interaction.id, token: interaction.token, applicationId: interaction.applicationId };
  };
  const interactionMessages = (interactionId: string): FakeMessage[] =>
    [...state.messages.values()].filter((m) => m.interactionId === interactionId && !m.deleted);

  return {
    port: server.port,
    baseUrl,
    apiUrl: `${baseUrl}/api`,
    gatewayUrl: `ws://127.0.0.1:${server.port}/gateway`,
    token: state.token,
    applicationId: state.applicationId,
    botUser: state.botUser,
    defaultUser: state.defaultUser,
    defaultGuildId,
    defaultChannelId,
    requests: state.requests,
    get unknownRequests() {
      return state.requests.filter((r) => r.unknownRoute);
    },
    messages: state.messages,
    callbacks: state.callbacks,
    registeredCommands: state.commands,
    identifies: state.identifies,
    get gatewayConnections() {
      return gateway.connectionCount;
    },
    get gatewaySessions() {
      return gateway.liveSessionCount;
    },
    dispatchInteraction: (spec) => send(buildCommandInteraction(state, spec, 2)),
    dispatchComponentInteraction: (spec) => send(buildComponentInteraction(state, spec)),
    dispatchAutocomplete: (spec) => send(buildCommandInteraction(state, spec, 4)),
    dispatchGatewayEvent: (t, d, guildId) => gateway.dispatch(guildId, t, d),
    holdReady: () => gateway.holdReady(),
    postMessage: (spec) => {
      const channelId = spec.channelId ?? defaultChannelId;
      const channel = state.channels.get(channelId);
      const message = createMessage(
        state,
        {
          channelId,
          guildId: channel?.guildId ?? null,
          type: 0,
          viaWebhook: false,
          author: state.rememberUser(spec.author ?? state.defaultUser),
        },
        { content: spec.content ?? '', embeds: spec.embeds ?? [] },
        [],
      );
      message.attachments = (spec.attachments ?? []).map((input) => {
        const api = state.registerCdnFile(input);
        return { id: api.id, filename: api.filename, size: api.size, contentType: input.contentType, data: input.data, url: api.url };
      });
      return message;
    },
    dispatchMessageCommand: (spec) => send(buildMessageCommandInteraction(state, spec)),
    submitModal: (spec) => send(buildModalSubmitInteraction(state, spec)),
    addGuild: (spec) => {
      const guild = state.addGuild(spec);
      gateway.dispatch(guild.id, 'GUILD_CREATE', apiGuildCreate(state, guild));
    },
    registerAttachment: (input) => state.registerCdnFile(input),
    deleteAttachment: (id) => void state.cdn.delete(id),
    interaction: (id) => state.interactions.get(id),
    originalResponse: (id) => {
      const messageId = state.interactions.get(id)?.originalMessageId;
      return messageId ? state.messages.get(messageId) : undefined;
    },
    messageIdOf: (path) => {
      const channel = /^\/v10\/channels\/\d+\/messages\/(\d+)$/.exec(path);
      if (channel) return channel[1];
      const webhook = /^\/v10\/webhooks\/\d+\/([^/]+)\/messages\/(@original|\d+)$/.exec(path);
      if (!webhook) return undefined;
      return webhook[2] === '@original' ? state.interactionsByToken.get(webhook[1] ?? '')?.originalMessageId : webhook[2];
    },
    followUps: (id) => {
      const original = state.interactions.get(id)?.originalMessageId;
      return interactionMessages(id).filter((m) => m.id !== original);
    },
    messagesIn: (channelId) => [...state.messages.values()].filter((m) => m.channelId === channelId && !m.deleted),
    callbackAttempts: (interactionId) =>
      state.requests.filter((r) => r.path.startsWith(`/v10/interactions/${interactionId}/`) && r.path.endsWith('/callback')),
    autocompleteResults: (id) => state.interactions.get(id)?.autocompleteChoices,
    modalShown: (id) => state.interactions.get(id)?.modal,
    expireToken: (key) => {
      const interaction = state.interactionsByToken.get(key) ?? state.interactions.get(key);
      if (!interaction) throw new Error(`fake discord: unknown interaction token or id ${key}`);
      interaction.tokenExpired = true;
    },
    denyChannel: (id) => void state.deniedChannels.add(id),
    allowChannel: (id) => void state.deniedChannels.delete(id),
    denyPermissions: (id, permissions) => void state.deniedPermissions.set(id, new Set(permissions)),
    allowPermissions: (id) => void state.deniedPermissions.delete(id),
    failNext: (matcher, response, times = 1) => state.addFault(matcher, response, times),
    clearFaults: () => state.clearFaults(),
    setLatency: (ms) => {
      state.latencyMs = ms;
    },
    waitFor: (probe, waitOptions) => waitFor(probe, waitOptions),
    disconnectGateway: (disconnectOptions) => gateway.disconnectAll(disconnectOptions),
    close: () => server.close(),
  };
}
