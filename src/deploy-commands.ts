// No static import of discord.js here: it reads SHARD_COUNT and friends from process.env, which
// prepareEnvironment() cleans first when this runs as `npm run deploy-commands`.
import { z } from 'zod';
import { checkDiscord } from './startup/discord-check.js';
import { prepareEnvironment } from './startup/env-file.js';
import { DEPLOY_HELP, wantsHelp } from './startup/help.js';
import { EXIT_CONFIG, StartupError } from './startup/startup-error.js';

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

// Registration needs only these three variables, not the bot's whole configuration.
const envSchema = z.object({
  DISCORD_TOKEN: z.preprocess(
    emptyToUndefined,
    z
      .string({ error: 'DISCORD_TOKEN is required: the bot token from the Discord Developer Portal (Bot → Reset Token)' })
      .min(1, 'DISCORD_TOKEN is required: the bot token from the Discord Developer Portal (Bot → Reset Token)'),
  ),
  DISCORD_API_URL: z.preprocess(
    emptyToUndefined,
    z.string().url('DISCORD_API_URL must be a URL, for example https://discord.com/api').default('https://discord.com/api'),
  ),
  DISCORD_DEV_GUILD_ID: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d{17,20}$/, 'DISCORD_DEV_GUILD_ID must be a server id, for example 1100000000000000001')
      .optional(),
  ),
});

/** What a registration did: where, how many commands, and the URL that invites the bot. */
export interface DeployResult {
  scope: string;
  count: number;
  applicationId: string;
  inviteUrl: string;
}

/**
 * Registers every slash command and message command (Apps → Animate image) by bulk overwrite: to
 * DISCORD_DEV_GUILD_ID when set (instant, for development), else globally. Run it once after a change, never on every start.
 *
 * @throws StartupError naming the variable to fix (missing or refused token, wrong API URL).
 */
export async function deployCommands(env: Record<string, string | undefined>): Promise<DeployResult> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success)
    throw new StartupError(
      parsed.error.issues.map((issue) => issue.message),
      EXIT_CONFIG,
    );
  const { DISCORD_TOKEN, DISCORD_DEV_GUILD_ID } = parsed.data;
  const apiUrl = parsed.data.DISCORD_API_URL.replace(/\/+$/, '');
  // Plain-worded failures (refused token, wrong URL, no network) before discord.js' REST retries.
  await checkDiscord(apiUrl, DISCORD_TOKEN);
  const [{ REST, Routes }, { loadCommands, loadMessageCommands }, { inviteUrl }] = await Promise.all([
    import('discord.js'),
    import('../commands/index.js'),
    import('./discord/invite.js'),
  ]);
  const rest = new REST({ api: apiUrl, timeout: 15_000, retries: 2 }).setToken(DISCORD_TOKEN);
  const application = z.object({ id: z.string().min(1) }).parse(await rest.get(Routes.currentApplication()));
  const body = [...loadCommands().map((command) => command.data), ...loadMessageCommands().map((command) => command.data)];
  const route = DISCORD_DEV_GUILD_ID
    ? Routes.applicationGuildCommands(application.id, DISCORD_DEV_GUILD_ID)
    : Routes.applicationCommands(application.id);
  await rest.put(route, { body });
  return {
    scope: DISCORD_DEV_GUILD_ID ? `guild ${DISCORD_DEV_GUILD_ID}` : 'global',
    count: body.length,
    applicationId: application.id,
    inviteUrl: inviteUrl(application.id),
  };
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isEntryPoint) {
  if (wantsHelp()) {
    process.stdout.write(DEPLOY_HELP);
  } else {
    Promise.resolve()
      .then(() => {
        prepareEnvironment();
        return deployCommands(process.env);
      })
      .then(({ scope, count, inviteUrl }) => {
        console.log(
          `Registered ${count} command(s) (${scope === 'global' ? 'globally; they can take a while to appear everywhere' : scope}).`,
        );
        console.log(`Invite the bot to a server with: ${inviteUrl}`);
      })
      .catch((err: unknown) => {
        if (err instanceof StartupError) {
          console.error(err.lines.join('\n'));
          process.exit(err.exitCode);
        }
        console.error('Could not register commands:', err instanceof Error ? err.message : String(err));
        process.exit(1);
      });
  }
}
