/**
 * The bot under test, in its own process: the real createBot + start with the configuration the
 * parent hands over in BENCH_BOT_ENV. Running apart from the fakes keeps their memory out of the
 * bot's resident set and gives the bot its own event loop, as against the real Discord.
 * Started by bot-handle.ts with --expose-gc; answers requests over the IPC channel.
 */
import { benchEnv, exitWithParent, serveBench, watchLoop } from './serve-bench.js';
import { loadConfig } from '../../src/config.js';
import { createBot } from '../../src/bot.js';

exitWithParent();
const loop = watchLoop();
const bot = await createBot(loadConfig(benchEnv()));
await bot.start();
await serveBench(loop, () => bot.stop());
