import { Client, GatewayIntentBits, Options, REST } from 'discord.js';
import { countCallbackAttempts } from './callback-attempts.js';
import { watchThreadParents } from './thread-parents.js';

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
 */
export function createDiscordClient(apiUrl: string, timeoutMs = 15_000): Client {
  // Interaction callbacks are counted, so a 40060 on a retry is told from one on a first attempt.
  const attempts = countCallbackAttempts();
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    ...discordCacheOptions(),
    // discord.js keeps a rate-limit handler per route and interaction token (one per job's reply)
    // and sweeps idle ones hourly; every 5 minutes, a job polled rarely (thousands in flight on
    // the status budget) does not keep its handler between two edits.
    rest: { api: apiUrl, timeout: timeoutMs, handlerSweepInterval: 5 * 60_000, makeRequest: attempts.makeRequest },
    allowedMentions: { parse: [], repliedUser: false },
  });
  attempts.attach(client.rest);
  // A thread the gateway never announced (a private one) is known from its interactions' own
  // payloads, for the allowed-channels check (no partial channels: see thread-parents.ts).
  watchThreadParents(client);
  return client;
}

/**
 * How often (ms) the REST clients that address a job's reply through its interaction token (one
 * upload, a follow-up or two, the reply id's read) drop their idle rate-limit handlers.
 * @discordjs/rest keeps a handler per route and token (Discord's webhook buckets are per token)
 * and sweeps idle ones hourly by default: each finished job's handlers (~0.6 kB each) stayed up to
 * an hour, so memory grew with the jobs of the last hour rather than those in flight (issue 15). A
 * handler is swept only when idle and not rate limited; a later request makes a new one.
 */
export const TOKEN_HANDLER_SWEEP_MS = 60_000;

/**
 * A second REST client for uploads, with a long timeout (default 180 s): a slow multipart upload
 * must not time out and be sent again.
 */
export function createUploadRest(apiUrl: string, token: string, timeoutMs = 180_000): REST {
  return new REST({ api: apiUrl, timeout: timeoutMs, handlerSweepInterval: TOKEN_HANDLER_SWEEP_MS }).setToken(token);
}

/**
 * A REST client that never repeats a request (@discordjs/rest retries 5xx and time-outs 3 times):
 * for creates Discord cannot de-duplicate (interaction follow-ups take no nonce). After a failure
 * the caller looks whether the message landed before writing again.
 */
export function createOnceRest(apiUrl: string, token: string, timeoutMs = 15_000): REST {
  return new REST({ api: apiUrl, timeout: timeoutMs, retries: 0, handlerSweepInterval: TOKEN_HANDLER_SWEEP_MS }).setToken(token);
}

/**
 * A REST client for reads made with an interaction's token alone (an interaction's reply, `GET
 * /webhooks/{application}/{token}/messages/@original`). Discord does not count interaction
 * endpoints against the bot's global rate limit (its rate-limit docs), but @discordjs/rest applies
 * its own global limiter (50 requests a second) to every request but the interaction callback:
 * the 200 reads after a burst of /video took 4 s through the bot's client, and held back its
 * other requests (progress edits) meanwhile. This one has no bot token and no global limit of its
 * own (Discord's per-route limits, one bucket per interaction token, still apply), one retry, a
 * short timeout per try (default 2 s), and a rate limit fails the read instead of waiting it out
 * (a 429's Retry-After can be long, and a job waits for the read before joining the line).
 */
export function createInteractionTokenRest(apiUrl: string, timeoutMs = 2_000): REST {
  return new REST({
    api: apiUrl,
    timeout: timeoutMs,
    retries: 1,
    handlerSweepInterval: TOKEN_HANDLER_SWEEP_MS,
    globalRequestsPerSecond: Number.MAX_SAFE_INTEGER,
    rejectOnRateLimit: () => true,
  });
}
