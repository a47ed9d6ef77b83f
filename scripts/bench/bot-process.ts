/**
 * The bot under test, in its own process, started as `npm start` starts it: the start-up checks
 * while the bot's code loads, then the real createBot + start (openBot), with the configuration
 * the parent hands over in BENCH_BOT_ENV. Running apart from the fakes keeps their memory out of
 * the bot's resident set and gives the bot its own event loop, as against the real Discord.
 * Started by bot-handle.ts with --expose-gc; answers requests over the IPC channel.
 */
import { benchEnv, exitWithParent, serveBench, watchLoop } from './serve-bench.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { openBot } from '../../src/startup/open-bot.js';

exitWithParent();
const loop = watchLoop();
const config = loadConfig(benchEnv());
const bot = await openBot(config, createLogger({ level: config.logLevel }));
await bot.start();
await serveBench(loop, () => bot.stop());
