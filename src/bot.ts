import { Events, type Client } from 'discord.js';
import { Agent } from 'undici';
import type { Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/types.js';
import { createXComputeClient } from './provider/xcompute-client.js';
import type { VideoProvider } from './provider/types.js';
import { downloadCapped } from './http/download.js';
import { createQuotaService } from './quota/quota-service.js';
import { createJobEngine } from './jobs/create-job-engine.js';
import type { JobTimings } from './jobs/deps.js';
import { createDiscordClient, createUploadRest } from './discord/client.js';
import { createDiscordReporter } from './discord/job-reporter.js';
import { createInteractionRouter } from './discord/interaction-router.js';
import { buttonHandlers } from './discord/buttons.js';
import type { BotContext } from './discord/command.js';
import { loadCommands } from '../commands/index.js';

// A finished video is fetched within this deadline; past it the member gets the link instead.
const VIDEO_DOWNLOAD_TIMEOUT_MS = 120_000;

export interface BotOverrides {
  logger?: Logger;
  store?: Store;
  provider?: VideoProvider;
  clock?: () => number;
  timings?: Partial<JobTimings>;
}

export interface Bot {
  client: Client;
  context: BotContext;
  /** Connects to Discord, resumes stored jobs and starts the poller. */
  start(): Promise<void>;
  /** Stops taking work, lets writes in flight finish, disconnects. */
  stop(): Promise<void>;
}

/** Builds every part of the bot without connecting anything. */
export async function createBot(config: Config, overrides: BotOverrides = {}): Promise<Bot> {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, pretty: process.stdout.isTTY });
  const clock = overrides.clock ?? Date.now;
  const store = overrides.store ?? (await openStore(config.storeUrl));
  const provider =
    overrides.provider ??
    createXComputeClient({
      baseUrl: config.xcomputeBaseUrl,
      apiKey: config.xcomputeApiKey,
      statusPath: config.xcomputeStatusPath,
      logger: logger.child({ component: 'provider' }),
    });
  const quota = createQuotaService({
    store,
    clock,
    defaults: { limit: config.quota.defaultLimit, period: config.quota.defaultPeriod },
    ...(config.quota.globalLimit !== undefined ? { globalLimit: config.quota.globalLimit } : {}),
    ...(config.quota.costs ? { costs: { ...config.quota.costs } } : {}),
  });
  // Our own connection pool: discord.js installs an older undici as the global dispatcher.
  const downloads = new Agent({ connect: { timeout: 10_000 }, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const client = createDiscordClient(config.discordApiUrl);
  const reporter = createDiscordReporter({
    rest: client.rest,
    uploadRest: createUploadRest(config.discordApiUrl, config.discordToken),
    logger: logger.child({ component: 'discord' }),
    clock,
    progressEditMinMs: config.progressEditMinMs,
  });
  const jobs = createJobEngine({
    store,
    provider,
    quota,
    reporter,
    logger: logger.child({ component: 'jobs' }),
    clock,
    download: (url, maxBytes) => downloadCapped(url, { maxBytes, timeoutMs: VIDEO_DOWNLOAD_TIMEOUT_MS, dispatcher: downloads }),
    timings: { pollIntervalMs: config.pollIntervalMs, maxAgeMs: config.jobMaxAgeMs, ...overrides.timings },
  });
  const context: BotContext = { config, jobs, quota, logger, clock };
  const router = createInteractionRouter(loadCommands(), buttonHandlers, context);
  client.on(Events.InteractionCreate, (interaction) => void router.route(interaction));
  client.on(Events.Error, (err) => logger.error({ err }, 'discord client error'));

  return {
    client,
    context,
    async start() {
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await client.login(config.discordToken);
      await ready;
      logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, 'connected to Discord');
      await jobs.start();
    },
    async stop() {
      router.stopAccepting();
      await jobs.stop();
      await store.close();
      await client.destroy();
      await provider.close();
      await downloads.close();
    },
  };
}
