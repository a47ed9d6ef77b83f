import { existsSync } from 'node:fs';
import { REST, Routes, type RESTGetCurrentApplicationResult } from 'discord.js';
import { z } from 'zod';
import { loadCommands, loadMessageCommands } from '../commands/index.js';

// Registration needs only these three variables, not the bot's whole configuration.
const envSchema = z.object({
  DISCORD_TOKEN: z.string({ error: 'DISCORD_TOKEN is required: the bot token from the Discord Developer Portal' }).min(1, 'DISCORD_TOKEN is required'),
  DISCORD_API_URL: z.string().url('DISCORD_API_URL must be a URL, for example https://discord.com/api').default('https://discord.com/api'),
  DISCORD_DEV_GUILD_ID: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().regex(/^\d{17,20}$/, 'DISCORD_DEV_GUILD_ID must be a server id, for example 1100000000000000001').optional(),
  ),
});

/**
 * Registers every slash command and message command (Apps → Animate image) by bulk overwrite: to DISCORD_DEV_GUILD_ID when set (instant,
 * for development), else globally. Run it once after a change, never on every start.
 */
export async function deployCommands(env: Record<string, string | undefined>): Promise<{ scope: string; count: number }> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => issue.message).join('\n'));
  const { DISCORD_TOKEN, DISCORD_API_URL, DISCORD_DEV_GUILD_ID } = parsed.data;
  const rest = new REST({ api: DISCORD_API_URL.replace(/\/+$/, '') }).setToken(DISCORD_TOKEN);
  const application = (await rest.get(Routes.currentApplication())) as RESTGetCurrentApplicationResult;
  const body = [...loadCommands().map((command) => command.data), ...loadMessageCommands().map((command) => command.data)];
  const route = DISCORD_DEV_GUILD_ID
    ? Routes.applicationGuildCommands(application.id, DISCORD_DEV_GUILD_ID)
    : Routes.applicationCommands(application.id);
  await rest.put(route, { body });
  return { scope: DISCORD_DEV_GUILD_ID ? `guild ${DISCORD_DEV_GUILD_ID}` : 'global', count: body.length };
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isEntryPoint) {
  if (existsSync('.env')) process.loadEnvFile('.env');
  deployCommands(process.env)
    .then(({ scope, count }) => console.log(`Registered ${count} command(s) (${scope}).`))
    .catch((err: unknown) => {
      console.error('Could not register commands:', err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
