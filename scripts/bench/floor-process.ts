/**
 * The floor: a bare discord.js 14 bot that only defers every slash command, with discord.js'
 * defaults (Guilds intent, default caches), run in the same harness as ours. Nothing a real bot
 * does can answer faster or hold less, so ours is reported as a ratio to it.
 */
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { benchEnv, exitWithParent, serveBench, watchLoop } from './serve-bench.js';

exitWithParent();
const loop = watchLoop();
const env = benchEnv();
const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: env.DISCORD_API_URL ?? 'https://discord.com/api' } });
client.on(Events.InteractionCreate, (interaction) => {
  if (interaction.isChatInputCommand()) interaction.deferReply().catch(() => undefined);
});
const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
await client.login(env.DISCORD_TOKEN);
await ready;
await serveBench(loop, () => client.destroy());
