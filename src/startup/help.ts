/** True when the command line asks for help (`--help`, `-h`): answered without reading .env or the network. */
export function wantsHelp(argv: readonly string[] = process.argv.slice(2)): boolean {
  return argv.some((arg) => arg === '--help' || arg === '-h' || arg === 'help');
}

const SETTINGS = `Settings come from the environment, filled from .env: ENV_FILE when set, else .env in the
working folder, else .env in the bot's own folder. An empty value means unset.

Required:
  DISCORD_TOKEN       the bot token (Developer Portal → your application → Bot → Reset Token)
  XCOMPUTE_API_KEY    your xcompute API key (https://xcompute.us/keys)   [npm start only]
`;

/** What `npm start -- --help` prints. */
export const START_HELP = `Hailuo Video Bot: connects to Discord and serves /video, /videos (a member's history), /usage,
/quota, /help and the message command "Animate image", making videos with MiniMax-Hailuo-2.3
through the xcompute API, within each server's quota.

Usage: npm start            (node dist/bundle/main.js)
       npm start -- --help  (this text)

${SETTINGS}
Often set:
  STORE_URL             sqlite://data/bot.sqlite (default), or redis://host:6379/0
                        (shared; needs appendonly yes)
  ALLOWED_GUILD_IDS     comma-separated server ids the bot serves; others get "not enabled here"
  QUOTA_GLOBAL_LIMIT    credits per day across all servers (a ceiling on spend)
  METRICS_PORT          serves /healthz and /metrics
  SHARD_COUNT           run several shard processes (needs Redis)

Every variable, with its default, is in .env.example and README.md ("Environment").
Register the slash commands first with: npm run deploy-commands
`;

/** What `npm run deploy-commands -- --help` prints. */
export const DEPLOY_HELP = `Registers the bot's commands with Discord (a bulk overwrite of /video, /videos, /usage, /quota,
/help and the message command "Animate image"), then prints the URL that invites the bot to a
server. Run it once after installing and after each upgrade, not on every start.

Usage: npm run deploy-commands            (node dist/src/deploy-commands.js)
       npm run deploy-commands -- --help  (this text)

${SETTINGS.replace('   [npm start only]', '').replace(/\n {2}XCOMPUTE_API_KEY[^\n]*/, '')}
Optional:
  DISCORD_DEV_GUILD_ID  register to this one server only (appears at once; for development);
                        unset = globally (every server, can take a while to appear)
  DISCORD_API_URL       Discord's REST base (default https://discord.com/api)
`;
