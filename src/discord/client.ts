import { Client, GatewayIntentBits, Partials, REST } from 'discord.js';

// A slow multipart upload must not time out and be retried by @discordjs/rest: it would post twice.
const UPLOAD_TIMEOUT_MS = 180_000;

/**
 * The gateway client. `allowedMentions` parses nothing, so no text from a member can ping
 * anyone; the only mention the bot makes is the requester's, listed by id.
 */
export function createDiscordClient(apiUrl: string): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    // An interaction's channel is kept from its own payload even when the gateway never sent it
    // (a private thread, say), so the thread's parent is known for the allowed-channels check.
    partials: [Partials.Channel],
    rest: { api: apiUrl, timeout: 15_000 },
    allowedMentions: { parse: [], repliedUser: false },
  });
}

/** A second REST client for uploads, with a long timeout. */
export function createUploadRest(apiUrl: string, token: string): REST {
  return new REST({ api: apiUrl, timeout: UPLOAD_TIMEOUT_MS }).setToken(token);
}
