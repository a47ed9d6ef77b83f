import { Client, DefaultRestOptions, GatewayIntentBits, Options, Partials, REST, type RESTOptions } from 'discord.js';
import type { Dispatcher } from 'undici';
import { countCallbackAttempts, isCallbackUrl } from './callback-attempts.js';

/**
 * Connections the pool of interaction callbacks keeps to Discord (see `createDiscordClient`).
 * A burst of simultaneous `/video` then reuses them instead of opening one per interaction (each
 * a TCP and TLS handshake against discord.com, and a socket to set up and tear down: about a fifth
 * of the bot's CPU while issue 15's bench burst of 200 waited for its acknowledgements). The cap
 * is a trade: callbacks beyond it wait for a free connection, so the last of a burst of N waits
 * about N/128 callback round trips; at Discord's usual 100-500 ms a round trip, a burst of 200 is
 * answered within about a second, well inside the 3 s Discord allows.
 */
export const CALLBACK_CONNECTIONS = 128;

/** undici's pool options for interaction callbacks: kept warm 30 s between bursts. */
export const CALLBACK_POOL_OPTIONS = {
  connections: CALLBACK_CONNECTIONS,
  keepAliveTimeout: 30_000,
  connect: { timeout: 10_000 },
} as const;

type SendInit = Parameters<RESTOptions['makeRequest']>[1];

/**
 * What discord.js keeps in memory. The bot reads, per interaction: the guild, the channel (a
 * thread's parent, for allowed channels) and the guild's roles (a member's role ids come through
 * `guild.roles`); discord.js itself needs the guilds, channels and roles. Those keep discord.js'
 * defaults (its docs call limiting them unsupported). Everything else it would cache is never
 * read here, and most of it grows with use rather than with servers: the members and users of
 * every interaction, the message of every reply, emojis, stickers, scheduled events, stage
 * instances, voice states, invites. Those keep nothing, except the bot's own user and member.
 */
export function discordCacheOptions() {
  return {
    makeCache: Options.cacheWithLimits({
      MessageManager: 0,
      ReactionManager: 0,
      ReactionUserManager: 0,
      PresenceManager: 0,
      VoiceStateManager: 0,
      StageInstanceManager: 0,
      GuildScheduledEventManager: 0,
      GuildEmojiManager: 0,
      GuildStickerManager: 0,
      BaseGuildEmojiManager: 0,
      GuildInviteManager: 0,
      GuildBanManager: 0,
      AutoModerationRuleManager: 0,
      ApplicationCommandManager: 0,
      ApplicationEmojiManager: 0,
      EntitlementManager: 0,
      GuildMessageManager: 0,
      DMMessageManager: 0,
      ThreadMemberManager: 0,
      UserManager: { maxSize: 0, keepOverLimit: (user) => user.id === user.client.user?.id },
      GuildMemberManager: { maxSize: 0, keepOverLimit: (member) => member.id === member.client.user?.id },
    }),
    // Threads (the channels cache holds them) come and go; archived ones are dropped after 4 h.
    sweepers: { ...Options.DefaultSweeperSettings, threads: { interval: 3_600, lifetime: 14_400 } },
  };
}

/**
 * The gateway client. `allowedMentions` parses nothing, so no text from a member can ping
 * anyone; the only mention the bot makes is the requester's, listed by id.
 * @param timeoutMs how long a REST request may take before discord.js aborts (and retries) it.
 * @param callbackPool the connection pool interaction callbacks go through, or undefined while
 *   there is none yet (they then share discord.js' own); see CALLBACK_CONNECTIONS.
 */
export function createDiscordClient(apiUrl: string, timeoutMs = 15_000, callbackPool?: () => Dispatcher | undefined): Client {
  // Interaction callbacks, deadline-bound (3 s), have a pool of their own once `callbackPool`
  // gives one (the bot makes it on the first callback): capped and kept alive, and no slow edit
  // can hold a connection a callback needs. Until then they share discord.js' connections.
  // undici 7's Agent serves discord.js' undici 6 request(): a dispatcher is an interface
  // (dispatch with handler callbacks) both speak, and our tests drive every callback through it.
  const send: RESTOptions['makeRequest'] = (url, init) => {
    // JSON bodies only: a callback with files carries discord.js' FormData, a class of its undici
    // 6 that undici 7 cannot send (it throws); those few go through discord.js' own connections.
    const pool =
      isCallbackUrl(url) && (init.body === undefined || init.body === null || typeof init.body === 'string') ? callbackPool?.() : undefined;
    return DefaultRestOptions.makeRequest(url, pool ? { ...init, dispatcher: pool as unknown as SendInit['dispatcher'] } : init);
  };
  // Interaction callbacks are counted, so a 40060 on a retry is told from one on a first attempt.
  const attempts = countCallbackAttempts(send);
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    ...discordCacheOptions(),
    // An interaction's channel is kept from its own payload even when the gateway never sent it
    // (a private thread, say), so the thread's parent is known for the allowed-channels check.
    partials: [Partials.Channel],
    // discord.js keeps a rate-limit handler per route and interaction token (one per job's reply)
    // and sweeps idle ones hourly; every 5 minutes, a job polled rarely (thousands in flight on
    // the status budget) does not keep its handler between two edits.
    rest: { api: apiUrl, timeout: timeoutMs, handlerSweepInterval: 5 * 60_000, makeRequest: attempts.makeRequest },
    allowedMentions: { parse: [], repliedUser: false },
  });
  attempts.attach(client.rest);
  return client;
}

/**
 * A second REST client for uploads, with a long timeout (default 180 s): a slow multipart upload
 * must not time out and be sent again.
 */
export function createUploadRest(apiUrl: string, token: string, timeoutMs = 180_000): REST {
  return new REST({ api: apiUrl, timeout: timeoutMs }).setToken(token);
}

/**
 * A REST client that never repeats a request (@discordjs/rest retries 5xx and time-outs 3 times):
 * for creates Discord cannot de-duplicate (interaction follow-ups take no nonce). After a failure
 * the caller looks whether the message landed before writing again.
 */
export function createOnceRest(apiUrl: string, token: string, timeoutMs = 15_000): REST {
  return new REST({ api: apiUrl, timeout: timeoutMs, retries: 0 }).setToken(token);
}
