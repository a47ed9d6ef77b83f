/**
 * In-memory world of the fake: guilds, channels, users, interactions, messages,
 * uploaded files, recorded requests and injected faults.
 */
import { createSnowflakeGenerator } from './snowflake.js';
import type { FakePermission } from './messages.js';
import type {
  ApiAttachment,
  FakeAttachmentInput,
  FakeDiscordOptions,
  FakeGuildSpec,
  FakeMessage,
  FakeRoleSpec,
  FakeUserSpec,
  FaultMatcher,
  FaultResponse,
  Json,
  JsonObject,
  RecordedCallback,
  RecordedIdentify,
  RecordedRequest,
  RegisteredCommands,
} from './types.js';

/** Every permission bit up to bit 50 except Administrator (1 << 3). */
export const ALL_BUT_ADMIN = (((1n << 51n) - 1n) & ~8n).toString();
export const DEFAULT_TOKEN = 'FAKE.BOT-TOKEN.for-tests-only';
export const TEN_MIB = 10 * 1024 * 1024;

export interface ChannelState {
  id: string;
  name: string;
  type: number;
  guildId: string | null;
  position: number;
  /** DM recipient for type 1 channels. */
  recipient?: FakeUserSpec;
  parentId?: string;
}

export interface GuildState {
  id: string;
  name: string;
  ownerId: string;
  preferredLocale: string;
  roles: FakeRoleSpec[];
  channelIds: string[];
  joinedAt: number;
}

export interface InteractionState {
  id: string;
  token: string;
  applicationId: string;
  /** 2 command, 3 component, 4 autocomplete. */
  type: number;
  dispatchedAt: number;
  guildId: string | null;
  channelId: string;
  user: FakeUserSpec;
  attachmentSizeLimit: number;
  acknowledged: boolean;
  callbackType?: number;
  originalMessageId?: string;
  /** For component interactions: the message carrying the component. */
  componentMessageId?: string;
  tokenExpired: boolean;
  autocompleteChoices?: Json;
  modal?: Json;
  payload: JsonObject;
}

/** How long Discord signs an attachment URL for. */
export const SIGNED_URL_LIFETIME_MS = 24 * 3600 * 1000;

/** A downloadable file served under `/cdn/attachments/{id}/{filename}`. */
export interface CdnFile {
  id: string;
  filename: string;
  contentType: string;
  data: Buffer;
  width?: number;
  height?: number;
  expiresAt: number;
}

interface Fault {
  matcher: FaultMatcher;
  response: FaultResponse;
  remaining: number;
}

/** Mutable state shared by the HTTP routes, the gateway and the test-facing API. */
export class FakeDiscordState {
  readonly nextId: () => string;
  readonly token: string;
  readonly applicationId: string;
  readonly botUser: FakeUserSpec;
  /** User of dispatched interactions when the spec names none. */
  readonly defaultUser: FakeUserSpec;
  readonly clock: () => number;
  readonly defaultAttachmentSizeLimit: number;
  readonly responseWindowMs: number;
  readonly tokenLifetimeMs: number;
  readonly recommendedShards: number;
  readonly maxConcurrency: number;
  /** Discord's documented body limits are enforced (400 / 50035). */
  readonly enforceLimits: boolean;
  /** Message creates and edits without `allowed_mentions` are refused. */
  readonly requireAllowedMentions: boolean;
  /** `http://127.0.0.1:PORT`, set once the server listens. */
  baseUrl = '';
  /** What `GET /gateway/bot` names instead of this fake's own gateway, when set. */
  readonly gatewayUrlOverride: string | undefined;

  readonly guilds = new Map<string, GuildState>();
  readonly channels = new Map<string, ChannelState>();
  readonly users = new Map<string, FakeUserSpec>();
  readonly deniedChannels = new Set<string>();
  readonly interactions = new Map<string, InteractionState>();
  readonly interactionsByToken = new Map<string, InteractionState>();
  readonly messages = new Map<string, FakeMessage>();
  readonly cdn = new Map<string, CdnFile>();
  readonly requests: RecordedRequest[] = [];
  readonly callbacks: RecordedCallback[] = [];
  readonly identifies: RecordedIdentify[] = [];
  readonly commands: RegisteredCommands = { global: [], guilds: new Map() };
  private readonly commandIds = new Map<string, string>();
  private readonly faults: Fault[] = [];
  latencyMs = 0;
  /** Permissions the bot lacks, by channel (see FakeDiscord.denyPermissions). */
  readonly deniedPermissions = new Map<string, Set<FakePermission>>();
  /** Nonces of messages created with `enforce_nonce`, by channel, author and nonce. */
  readonly nonces = new Map<string, { messageId: string; at: number }>();

  constructor(options: FakeDiscordOptions) {
    this.token = options.token ?? DEFAULT_TOKEN;
    this.clock = options.clock ?? Date.now;
    this.nextId = createSnowflakeGenerator(this.clock);
    this.defaultAttachmentSizeLimit = options.defaultAttachmentSizeLimit ?? TEN_MIB;
    this.responseWindowMs = options.interactionResponseWindowMs ?? 3000;
    this.tokenLifetimeMs = options.interactionTokenLifetimeMs ?? 15 * 60 * 1000;
    this.recommendedShards = options.recommendedShards ?? 1;
    this.maxConcurrency = options.maxConcurrency ?? 1;
    this.enforceLimits = options.enforceLimits ?? true;
    this.requireAllowedMentions = options.requireAllowedMentions ?? true;
    this.gatewayUrlOverride = options.gatewayUrl;
    this.applicationId = options.applicationId ?? this.nextId();
    this.botUser = {
      id: options.botUserId ?? this.applicationId,
      username: options.botUsername ?? 'FakeBot',
      global_name: null,
      bot: true,
    };
    this.users.set(this.botUser.id, this.botUser);
    this.defaultUser = { id: this.nextId(), username: 'tester', global_name: 'Tester' };
    this.users.set(this.defaultUser.id, this.defaultUser);
    const guilds = options.guilds ?? [{ id: this.nextId(), name: 'Fake Guild' }];
    for (const spec of guilds) this.addGuild(spec);
  }

  /** Adds a guild (and its channels, default: one text channel) to the world. */
  addGuild(spec: FakeGuildSpec): GuildState {
    const channels = spec.channels ?? [{ id: this.nextId(), name: 'general', type: 0 }];
    const guild: GuildState = {
      id: spec.id,
      name: spec.name ?? `Guild ${spec.id}`,
      ownerId: spec.ownerId ?? this.nextId(),
      preferredLocale: spec.preferredLocale ?? 'en-US',
      roles: spec.roles ?? [],
      channelIds: channels.map((c) => c.id),
      joinedAt: this.clock(),
    };
    this.guilds.set(guild.id, guild);
    channels.forEach((c, position) => {
      this.channels.set(c.id, {
        id: c.id,
        name: c.name ?? `channel-${position}`,
        type: c.type ?? 0,
        guildId: guild.id,
        position,
        ...(c.parentId ? { parentId: c.parentId } : {}),
      });
    });
    return guild;
  }

  /** First guild (the default target of dispatches). */
  firstGuildId(): string | null {
    const first = this.guilds.keys().next();
    return first.done ? null : first.value;
  }

  /** First text-like channel of a guild. */
  defaultChannelOf(guildId: string): string {
    const guild = this.guilds.get(guildId);
    if (!guild) throw new Error(`fake discord: unknown guild ${guildId}`);
    const id = guild.channelIds.find((cid) => [0, 5, 15].includes(this.channels.get(cid)?.type ?? -1));
    if (!id) throw new Error(`fake discord: guild ${guildId} has no text channel`);
    return id;
  }

  /** The DM channel with a user, created on first use. */
  dmChannelFor(user: FakeUserSpec): ChannelState {
    this.rememberUser(user);
    for (const channel of this.channels.values()) {
      if (channel.type === 1 && channel.recipient?.id === user.id) return channel;
    }
    const channel: ChannelState = { id: this.nextId(), name: '', type: 1, guildId: null, position: 0, recipient: user };
    this.channels.set(channel.id, channel);
    return channel;
  }

  /** Keeps the most detailed known version of a user. */
  rememberUser(user: FakeUserSpec): FakeUserSpec {
    const known = this.users.get(user.id);
    if (!known || !user.username.startsWith('user-')) this.users.set(user.id, user);
    return this.users.get(user.id) ?? user;
  }

  /** Stable command id per name, preferring registered commands. */
  commandIdFor(name: string, guildId: string | null): string {
    const registered =
      (guildId ? this.commands.guilds.get(guildId)?.find((c) => c.name === name) : undefined) ??
      this.commands.global.find((c) => c.name === name);
    if (registered) return registered.id;
    let id = this.commandIds.get(name);
    if (!id) {
      id = this.nextId();
      this.commandIds.set(name, id);
    }
    return id;
  }

  /** Registers a downloadable file and returns its API attachment object. */
  registerCdnFile(input: FakeAttachmentInput): ApiAttachment {
    const id = input.id ?? this.nextId();
    const file: CdnFile = {
      id,
      filename: input.filename,
      contentType: input.contentType,
      data: input.data,
      expiresAt: this.clock() + (input.expiresInMs ?? SIGNED_URL_LIFETIME_MS),
      ...(input.width !== undefined ? { width: input.width } : {}),
      ...(input.height !== undefined ? { height: input.height } : {}),
    };
    this.cdn.set(id, file);
    return this.attachmentObject(file);
  }

  /** API attachment object (with a signed-looking URL) for a CDN file. */
  attachmentObject(file: CdnFile): ApiAttachment {
    const url = this.cdnUrl(file);
    return {
      id: file.id,
      filename: file.filename,
      size: file.data.length,
      url,
      proxy_url: url,
      content_type: file.contentType,
      ...(file.width !== undefined ? { width: file.width } : {}),
      ...(file.height !== undefined ? { height: file.height } : {}),
    };
  }

  /** URL of a CDN file, with `ex`/`is`/`hm` parameters like Discord's signed URLs. */
  cdnUrl(file: CdnFile): string {
    const ex = Math.floor(file.expiresAt / 1000).toString(16);
    const is = Math.floor(this.clock() / 1000).toString(16);
    return `${this.baseUrl}/cdn/attachments/${file.id}/${encodeURIComponent(file.filename)}?ex=${ex}&is=${is}&hm=fake`;
  }

  /** Drops every fault still queued. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Queues a fault for the next `times` matching requests. */
  addFault(matcher: FaultMatcher, response: FaultResponse, times: number): void {
    this.faults.push({ matcher, response, remaining: times });
  }

  /** Takes the first fault matching a request, if any. */
  takeFault(method: string, path: string, hasFiles = false): FaultResponse | undefined {
    const index = this.faults.findIndex(
      (f) =>
        f.remaining > 0 &&
        (f.matcher.withFiles === undefined || f.matcher.withFiles === hasFiles) &&
        (!f.matcher.method || f.matcher.method.toUpperCase() === method) &&
        f.matcher.path.test(path),
    );
    const fault = this.faults[index];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault.response;
  }

  /** Whether an interaction token can still be used on webhook routes. */
  tokenValid(interaction: InteractionState): boolean {
    return !interaction.tokenExpired && this.clock() - interaction.dispatchedAt <= this.tokenLifetimeMs;
  }
}
