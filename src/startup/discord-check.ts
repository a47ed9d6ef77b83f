import { setTimeout as sleep } from 'node:timers/promises';
import type { ResponseLike } from 'discord.js';
import { z } from 'zod';
import { withoutPassword } from '../log.js';
import { EXIT_CONFIG, EXIT_UNAVAILABLE, StartupError } from './startup-error.js';

/** The whole check ends within this, so a start-up that cannot reach Discord stops in under 15 s. */
export const DISCORD_CHECK_DEADLINE_MS = 8_000;
// discord.js' REST default; the fake Discord and REST proxies serve the same paths.
const API_VERSION = 'v10';
const ATTEMPTS = 3;

const currentUser = z.object({ id: z.string().min(1), username: z.string().optional() });
const gatewayBot = z.object({ url: z.string().min(1), shards: z.number().int().positive() });

/** Who the token belongs to, as Discord says: the bot user's id (also its application id). */
export interface DiscordIdentity {
  userId: string;
  username: string | undefined;
}

/**
 * Asks Discord, before anything else connects, whether the token is good and the API answers:
 * `GET /users/@me` and `GET /gateway/bot` (what discord.js' login asks first). Transient answers
 * (network errors, 5xx, 429) are retried at most 3 times with jittered backoff, all within
 * {@link DISCORD_CHECK_DEADLINE_MS}.
 *
 * @param apiUrl DISCORD_API_URL without a trailing slash, e.g. `https://discord.com/api`.
 * @throws StartupError whose lines name DISCORD_TOKEN (401/403), DISCORD_API_URL (404, a redirect,
 *   not an API, unreachable, silent) and the fix.
 */
export async function checkDiscord(
  apiUrl: string,
  token: string,
  deadlineMs: number = DISCORD_CHECK_DEADLINE_MS,
): Promise<DiscordIdentity> {
  const shown = String(withoutPassword(apiUrl));
  const deadline = Date.now() + deadlineMs;
  const me = currentUser.safeParse(await getJson(apiUrl, shown, '/users/@me', token, deadline));
  if (!me.success) throw notDiscord(shown, '/users/@me', 'a body that is not a Discord user');
  const gateway = gatewayBot.safeParse(await getJson(apiUrl, shown, '/gateway/bot', token, deadline));
  if (!gateway.success) throw notDiscord(shown, '/gateway/bot', 'a body without a gateway URL');
  return { userId: me.data.id, username: me.data.username };
}

async function getJson(apiUrl: string, shown: string, path: string, token: string, deadline: number): Promise<unknown> {
  const url = `${apiUrl}/${API_VERSION}${path}`;
  // discord.js' own HTTP client (its REST's request strategy: undici, which the bot loads anyway),
  // not Node's fetch: the check then meets Discord as the bot will (no redirects followed, the
  // same TLS and proxy handling), and the start loads one HTTP stack, not two (Node's fetch was
  // about 30 ms of `npm start`'s way to IDENTIFY and up to 40 MiB of the idle bot's RSS; issue 15).
  const { discordRequest } = await import('../discord/rest-request.js');
  let lastProblem: StartupError | undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    let response: ResponseLike;
    try {
      response = await discordRequest(url, {
        headers: { authorization: `Bot ${token}`, 'user-agent': 'DiscordBot (hailuo-video-bot, 0.1)' },
        signal: AbortSignal.timeout(left),
      });
    } catch (err) {
      lastProblem = unreachable(shown, err);
      if (isTimeout(err)) throw lastProblem;
      await backoff(attempt, deadline);
      continue;
    }
    if (response.ok) {
      try {
        return await response.json();
      } catch {
        throw notDiscord(shown, path, `${response.status} with a body that is not JSON`);
      }
    }
    // Read to the end (a short error body), so the connection goes back to the pool.
    await response.arrayBuffer().catch(() => undefined);
    if (response.status === 401 || response.status === 403) {
      throw new StartupError(
        [
          `DISCORD_TOKEN was refused by Discord (${response.status} on GET ${path}).`,
          'Fix: copy the bot token again (Developer Portal → your application → Bot → Reset Token) into DISCORD_TOKEN; it is the Bot token, not the client secret or application id.',
        ],
        EXIT_CONFIG,
      );
    }
    // discord.js' REST follows no redirects either: the URL itself must change, a retry cannot help.
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location');
      throw new StartupError(
        [
          `DISCORD_API_URL=${shown} redirects (${response.status} on GET ${path}${location ? ` to ${String(withoutPassword(location))}` : ''}), and discord.js follows no redirects.`,
          'Fix: set DISCORD_API_URL to the address it redirects to, or remove the line for https://discord.com/api.',
        ],
        EXIT_CONFIG,
      );
    }
    if (response.status === 404 || response.status === 405)
      throw notDiscord(shown, path, `${response.status} ${response.statusText || 'Not Found'}`);
    lastProblem = new StartupError(
      [
        `Discord answered ${response.status} on GET ${shown}/${API_VERSION}${path} at start-up.`,
        `Fix: try again in a few minutes (https://discordstatus.com); if it persists, check DISCORD_API_URL (${shown}).`,
      ],
      EXIT_UNAVAILABLE,
    );
    const retryAfterS = Number(response.headers.get('retry-after'));
    await backoff(attempt, deadline, Number.isFinite(retryAfterS) && retryAfterS > 0 ? retryAfterS * 1000 : 0);
  }
  throw lastProblem ?? silent(shown);
}

async function backoff(attempt: number, deadline: number, atLeastMs = 0): Promise<void> {
  const wait = Math.max(atLeastMs, 500 * 2 ** attempt * (0.5 + Math.random()));
  // Waiting past the deadline is pointless: the next attempt could not run.
  if (Date.now() + wait < deadline) await sleep(wait);
  else await sleep(Math.max(0, deadline - Date.now()));
}

const isTimeout = (err: unknown) => err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');

function silent(apiUrl: string): StartupError {
  return new StartupError(
    [
      `Discord did not answer within ${DISCORD_CHECK_DEADLINE_MS / 1000} s at DISCORD_API_URL=${apiUrl}.`,
      'Fix: check that this machine can reach it (network, DNS, firewall, proxy), and DISCORD_API_URL (default https://discord.com/api).',
    ],
    EXIT_UNAVAILABLE,
  );
}

function unreachable(apiUrl: string, err: unknown): StartupError {
  if (isTimeout(err)) return silent(apiUrl);
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const detail = typeof code === 'string' ? code : cause instanceof Error ? cause.message : String(cause);
  return new StartupError(
    [
      `Could not reach Discord at DISCORD_API_URL=${apiUrl} (${detail}).`,
      'Fix: check the network (DNS, firewall, proxy) lets this machine reach it, and DISCORD_API_URL (default https://discord.com/api).',
    ],
    EXIT_UNAVAILABLE,
  );
}

function notDiscord(apiUrl: string, path: string, what: string): StartupError {
  return new StartupError(
    [
      `DISCORD_API_URL=${apiUrl} does not look like Discord's API: GET ${path} answered ${what}.`,
      'Fix: set DISCORD_API_URL=https://discord.com/api (or remove the line), or the base URL of your REST proxy.',
    ],
    EXIT_CONFIG,
  );
}
