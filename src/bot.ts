import { Events, type Client } from 'discord.js';
import type { Config } from './config.js';
import { createLogger, wantsPrettyLogs, type Logger } from './log.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/types.js';
import { createXComputeClient } from './provider/xcompute-client.js';
import type { VideoProvider } from './provider/types.js';
import { downloadCapped, probeHead } from './http/download.js';
import { downloadToFile } from './http/download-file.js';
import { lazyAgent } from './http/undici.js';
import { createVideoFiles } from './video/video-files.js';
import { inspectFirstFrame } from './video/image-check.js';
import { createLastFrameExtractor, ffmpegAvailable, type LastFrameExtractor } from './video/last-frame.js';
import { createQuotaService } from './quota/quota-service.js';
import { createJobEngine } from './jobs/create-job-engine.js';
import { createAttachmentUrlRenewer } from './discord/attachment-urls.js';
import { createEtaStats } from './jobs/eta-stats.js';
import { createJobHistory } from './jobs/history.js';
import { createJobRepository } from './jobs/job-repository.js';
import type { JobTimings } from './jobs/deps.js';
import { createDiscordClient, createInteractionTokenRest, createOnceRest, createUploadRest } from './discord/client.js';
import { createDiscordReporter } from './discord/job-reporter.js';
import { createInteractionRouter } from './discord/interaction-router.js';
import { buttonHandlers } from './discord/buttons.js';
import type { BotContext } from './discord/command.js';
import { loadCommands, loadMessageCommands } from '../commands/index.js';
import { createDraftStore } from './jobs/drafts.js';
import { isFinal } from './jobs/job.js';
import { createPressClaims } from './jobs/press-claims.js';
import { modalHandlers } from './discord/modals.js';
import { openRateLimiter } from './ratelimit/open-limiter.js';
import { deferRateLimiter, type DeferredRateLimiter } from './ratelimit/deferred-limiter.js';
import { deferStore, type DeferredStore } from './store/deferred-store.js';
import { createRateLimitedProvider } from './ratelimit/rate-limited-provider.js';
import { providerBudgets, type RateLimiter } from './ratelimit/types.js';
import { unmeteredInstruments } from './ops/instruments.js';
import type { OpsServer } from './ops/ops-server.js';
import { metricsPortFor, ownershipFor, shardLogFields } from './sharding/ownership.js';
import { gatewayStatus } from './discord/gateway-status.js';
import type { AdminEventSink } from './alerts/events.js';
import { createLogHealth } from './alerts/log-health.js';
import { createProviderIncidents } from './alerts/provider-incidents.js';
import { createAdminLog, type AdminLog } from './discord/admin-log.js';
import { chartFontFile } from './charts/usage-chart.js';
import { StartupError, EXIT_UNAVAILABLE } from './startup/startup-error.js';
import { DAY_MS } from './time.js';

// How often a shard re-reads the ETAs the other shards learned.
const ETA_REFRESH_MS = 60_000;
// How long a stop waits for interactions in progress before closing the store under them.
const STOP_DRAIN_MS = 5_000;
// A finished video is fetched within this deadline; past it the try failed (tried again later).
const VIDEO_DOWNLOAD_TIMEOUT_MS = 120_000;
// Old job records are swept at start and then this often.
const HISTORY_SWEEP_EVERY_MS = 60 * 60_000;
// Largest video fetched, for delivery or for Extend's last frame (uploads are at most 500 MiB even
// on boosted servers; past it the member gets the link).
const EXTEND_VIDEO_MAX_BYTES = 500 * 1024 * 1024;
// The first-frame check happens before the 3 s acknowledgement deadline.
const IMAGE_PROBE_TIMEOUT_MS = 1_500;
// From login to the gateway's first READY: a handshake, HELLO, IDENTIFY and READY take a second or
// two on a working network. Past it the gateway cannot be reached, and the start stops (the issue's
// bound is 15 s for the whole failed start, preflight and module loading included).
export const GATEWAY_READY_DEADLINE_MS = 10_000;
// Longest a submission to the provider, or a new job joining the line, waits for members'
// interactions still unanswered (issue 15).
const SUBMIT_YIELD_MS = 500;
// From login to the client's ready (READY, then up to 15 s of GUILD_CREATEs per shard).
const READY_DEADLINE_MS = 90_000;

export interface BotOverrides {
  logger?: Logger;
  store?: Store;
  provider?: VideoProvider;
  clock?: () => number;
  timings?: Partial<JobTimings>;
  /** Paces provider requests; default from STORE_URL and the XCOMPUTE_MAX_* budgets. */
  limiter?: RateLimiter;
  /** How long a handler has to answer before it is acknowledged on its behalf (default 2 s). */
  acknowledgeWithinMs?: number;
}

export interface Bot {
  client: Client;
  context: BotContext;
  /**
   * Connects to Discord, resumes stored jobs and starts the poller. Resolves early, without
   * error, when stop() begins meanwhile (a stop during the start is an ordinary stop).
   */
  start(): Promise<void>;
  /** Stops taking work, lets writes in flight finish, disconnects. */
  stop(): Promise<void>;
  /** Port of /healthz and /metrics once started; undefined when METRICS_PORT is not set. */
  metricsPort(): number | undefined;
}

/** Builds every part of the bot without connecting anything. */
export async function createBot(config: Config, overrides: BotOverrides = {}): Promise<Bot> {
  const logger = (overrides.logger ?? createLogger({ level: config.logLevel, pretty: wantsPrettyLogs() })).child(
    shardLogFields(config.sharding),
  );
  const clock = overrides.clock ?? Date.now;
  const { store, limiter, openDeferred } = await openStoreAndLimiter(config, overrides, logger);
  // With sharding, this process polls and recovers only the jobs of the guilds its shards own.
  // Alone (no sharding) there is no owner check at all: recovery then knows no other process
  // shares the index of jobs in flight, and mends entries left without a record.
  const sharded = config.sharding?.role === 'shard' && config.sharding.count !== 1;
  const ownsGuild = sharded ? ownershipFor(config.sharding) : undefined;
  // Metrics (prom-client) are loaded only when something can scrape them.
  const metricsPort = metricsPortFor(config.metricsPort, config.sharding);
  const meteredOps =
    metricsPort === undefined ? undefined : (await import('./ops/bot-ops.js')).createBotOps({ store, logger, clock, ownsGuild });
  const ops = meteredOps ?? unmeteredInstruments({ logger, clock });
  const provider =
    overrides.provider ??
    createXComputeClient({
      baseUrl: config.xcomputeBaseUrl,
      apiKey: config.xcomputeApiKey,
      statusPath: config.xcomputeStatusPath,
      logger: logger.child({ component: 'provider' }),
    });
  // The limiter is outermost so the latency histogram times the provider, not the wait for a turn.
  // Admin events go to each server's log channel; the poster needs the client, made further down.
  // eslint-disable-next-line prefer-const -- assigned once the client exists; read by the sink before
  let adminLog: AdminLog | undefined;
  const adminEvents: AdminEventSink = { emit: (guildId, event) => adminLog?.emit(guildId, event) };
  const incidents = createProviderIncidents({ store, events: adminEvents, clock });
  // Submissions take their turn in the job line (fair across servers and members), not here.
  const pacedProvider = createRateLimitedProvider(incidents.provider(ops.provider(provider)), limiter, { paceSubmissions: false });
  const budgets = providerBudgets(config.rateLimits);
  const quota = ops.quota(
    createQuotaService({
      store,
      clock,
      events: adminEvents,
      defaults: { limit: config.quota.defaultLimit, period: config.quota.defaultPeriod },
      ...(config.quota.globalLimit !== undefined ? { globalLimit: config.quota.globalLimit } : {}),
      ...(config.quota.costs ? { costs: { ...config.quota.costs } } : {}),
    }),
  );
  // Our own connection pool: discord.js installs an older undici as the global dispatcher.
  const downloads = lazyAgent({ connect: { timeout: 10_000 }, headersTimeout: 30_000, bodyTimeout: 30_000 });
  // Extend takes a finished video's last frame with ffmpeg; without it the button is not offered.
  // Asking ffmpeg spawns a process (about 10 ms of this thread to spawn, then ffmpeg's own start
  // on another core): start() asks once the gateway's READY arrived, so it runs while Discord
  // sends the guilds rather than before IDENTIFY (issue 15's cold start), and waits for the answer
  // before any job is resumed or delivered. A press of Extend meanwhile waits for it (edit-flow).
  let frames: LastFrameExtractor | undefined;
  let askFfmpeg: () => void = () => undefined;
  const framesChecked = new Promise<void>((resolve) => {
    askFfmpeg = () => {
      askFfmpeg = () => undefined;
      resolve(checkFrames());
    };
  });
  const checkFrames = () =>
    ffmpegAvailable(config.ffmpegPath).then((runs) => {
      if (!runs) {
        logger.warn(
          { ffmpegPath: config.ffmpegPath },
          'ffmpeg does not run here: the Extend button is not offered (install ffmpeg or set FFMPEG_PATH)',
        );
        return;
      }
      frames = createLastFrameExtractor({
        ffmpegPath: config.ffmpegPath,
        download: async (url) =>
          downloadCapped(url, {
            maxBytes: EXTEND_VIDEO_MAX_BYTES,
            timeoutMs: VIDEO_DOWNLOAD_TIMEOUT_MS,
            dispatcher: await downloads.get(),
          }),
      });
    });
  const client = createDiscordClient(config.discordApiUrl, config.discordTimeouts.restMs);
  adminLog = createAdminLog({
    rest: client.rest,
    logChannel: async (guildId) => (await quota.getPolicy(guildId)).log,
    health: createLogHealth(store),
    logger: logger.child({ component: 'admin-log' }),
    clock,
  });
  const reporter = incidents.reporter(
    ops.reporter(
      createDiscordReporter({
        rest: client.rest,
        uploadRest: createUploadRest(config.discordApiUrl, config.discordToken, config.discordTimeouts.uploadMs),
        onceRest: createOnceRest(config.discordApiUrl, config.discordToken, config.discordTimeouts.restMs),
        logger: logger.child({ component: 'discord' }),
        clock,
        progressEditMinMs: config.progressEditMinMs,
        extend: () => frames !== undefined,
        // The job service is made below, with this reporter: reached through `jobs` once it exists.
        onReplyId: (jobId, messageId) => {
          jobs
            .learnReplyId(jobId, messageId)
            .catch((err: unknown) => logger.warn({ err, jobId }, "could not record the reply's message id"));
        },
      }),
    ),
    (err) => logger.warn({ err }, 'could not record a provider incident'),
  );
  const eta = createEtaStats(store);
  const retainMs = config.historyDays * DAY_MS;
  // A week past the retention: only a backstop for records the history sweep does not know.
  const finishedTtlMs = retainMs + 7 * DAY_MS;
  const history = createJobHistory({
    store,
    jobs: createJobRepository(store, { finishedTtlMs }),
    retainMs,
    clock,
    logger: logger.child({ component: 'history' }),
  });
  const jobs = createJobEngine({
    history,
    finishedTtlMs,
    store,
    provider: pacedProvider,
    quota,
    reporter,
    ownsGuild,
    logger: logger.child({ component: 'jobs' }),
    clock,
    videos: createVideoFiles({
      dir: config.videoTmpDir,
      // Whatever the upload limit: a file over it goes out as a link, which is only offered once
      // the whole file was fetched and checked (a link that worked).
      download: async (url, path) =>
        downloadToFile(url, path, {
          maxBytes: EXTEND_VIDEO_MAX_BYTES,
          timeoutMs: VIDEO_DOWNLOAD_TIMEOUT_MS,
          dispatcher: await downloads.get(),
        }),
      logger: logger.child({ component: 'videos' }),
      clock,
    }),
    timings: { pollIntervalMs: config.pollIntervalMs, maxAgeMs: config.jobMaxAgeMs, stallMs: config.jobStallMs, ...overrides.timings },
    typical: eta.typical,
    learn: eta.learn,
    renewImageUrl: createAttachmentUrlRenewer(client.rest, clock),
    // Acknowledgements first: a submission waits (at most SUBMIT_YIELD_MS) while members' interactions
    // are still unanswered, so a burst of /video is acknowledged before its submissions compete.
    submitTurn: async (signal) => {
      await router.whenAnswered(SUBMIT_YIELD_MS);
      return limiter.acquire('submit', signal);
    },
    submitBudget: budgets.submit,
  });
  const inspectImage: BotContext['inspectImage'] = (image) =>
    inspectFirstFrame(image, async (url) =>
      probeHead(url, { bytes: 64, timeoutMs: IMAGE_PROBE_TIMEOUT_MS, dispatcher: await downloads.get() }),
    );
  const context: BotContext = {
    historyDays: config.historyDays,
    globalQuotaLimit: config.quota.globalLimit,
    jobs,
    quota,
    history,
    drafts: createDraftStore(store),
    presses: createPressClaims(store, {
      clock,
      isLive: async (jobId) => {
        const job = await jobs.get(jobId);
        return job !== undefined && !isFinal(job.state);
      },
      onRenewError: (err) => logger.warn({ err }, 'could not renew a press claim; it expires by itself unless a later renewal lands'),
    }),
    framesChecked,
    // Known once ffmpeg answered (see framesChecked).
    get frames() {
      return frames;
    },
    set frames(replaced) {
      frames = replaced;
    },
    inspectImage,
    logger,
    clock,
    adminLog,
    acknowledgementsFirst: () => router.whenAnswered(SUBMIT_YIELD_MS),
    // Short tries (at most 2 s each; the read as a whole is bounded in video-flow.ts): a job waits
    // for this read before joining the line.
    interactionRest: createInteractionTokenRest(config.discordApiUrl, Math.min(config.discordTimeouts.restMs, 2_000)),
  };
  const router = createInteractionRouter(loadCommands(), buttonHandlers, context, {
    allowedGuildIds: config.allowedGuildIds,
    messageCommands: loadMessageCommands(),
    modals: modalHandlers,
    ...(overrides.acknowledgeWithinMs !== undefined ? { acknowledgeWithinMs: overrides.acknowledgeWithinMs } : {}),
  });
  client.on(Events.InteractionCreate, (interaction) => void router.route(interaction));
  client.on(Events.Error, (err) => logger.error({ err }, 'discord client error'));

  // Aborted when stop() begins; a start still in progress then ends without error (see start()).
  const stopping = new AbortController();
  const stopBegun = new Promise<void>((resolve) => stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
  /**
   * Waits for a step of the start; true once it is done, false as soon as a stop began (its error
   * then of no interest). A stop (SIGTERM) during the start ends it quietly: what the stop closes
   * (the client, the store) would otherwise fail the steps left, or the gateway deadline fire
   * later, and an ordinary stop would read as a failed start (exit 1 or 69).
   */
  const untilStopped = async (step: Promise<unknown>): Promise<boolean> => {
    step.catch(() => undefined);
    try {
      await Promise.race([step, stopBegun]);
    } catch (err) {
      if (!stopping.signal.aborted) throw err;
    }
    return !stopping.signal.aborted;
  };
  let opsServer: OpsServer | undefined;
  let stopFollowingEta: (() => Promise<void>) | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  const sweepHistory = () =>
    void history.sweep().catch((err: unknown) => logger.warn({ err }, 'could not sweep old job records; trying again later'));

  return {
    client,
    context,
    metricsPort: () => opsServer?.port,
    async start() {
      // Before login, so /healthz answers (503) while the gateway connects.
      if (meteredOps && metricsPort !== undefined) opsServer = await meteredOps.serve(metricsPort, () => gatewayStatus(client));
      if (stopping.signal.aborted) return;
      if (!chartFontFile())
        logger.warn('no CJK font found: Chinese labels in usage charts will show as boxes; install fonts-wqy-microhei or fonts-noto-cjk');
      // On Redis, the store and the limiter open once the gateway's READY came (openDeferred);
      // elsewhere they are open already.
      let storesOpened: Promise<void> | undefined;
      // Other shards learn too; a process alone on its store already has everything it learned.
      if (store.kind === 'redis') {
        stopFollowingEta = eta.follow(ETA_REFRESH_MS, (err) => logger.warn({ err }, 'could not refresh the learned ETAs'));
      }
      const timers: NodeJS.Timeout[] = [];
      const gatewayProblem = (lines: string[]) => new StartupError(lines, EXIT_UNAVAILABLE);
      const ready = new Promise<void>((resolve, reject) => {
        client.once(Events.ClientReady, () => resolve());
        // The first READY dispatch from any shard says the WebSocket path works; a firewall that
        // lets REST through but not the gateway otherwise shows as discord.js' own retries
        // ("Opening handshake has timed out" after 30 s), naming nothing the operator can change.
        let gatewayAnswered = false;
        const onRaw = (packet: { t?: unknown }) => {
          if (packet.t !== 'READY') return;
          gatewayAnswered = true;
          askFfmpeg();
          storesOpened = openDeferred();
          storesOpened.catch(() => undefined);
          client.off(Events.Raw, onRaw);
        };
        client.on(Events.Raw, onRaw);
        timers.push(
          setTimeout(() => {
            if (gatewayAnswered) return;
            client.off(Events.Raw, onRaw);
            reject(
              gatewayProblem([
                `Discord's REST API at DISCORD_API_URL answered, but its gateway (WebSocket) did not answer within ${GATEWAY_READY_DEADLINE_MS / 1000} s.`,
                'Fix: check that the network or firewall lets this machine open WebSocket connections to the gateway Discord names (gateway.discord.gg, port 443), or that DISCORD_API_URL points at Discord or a proxy that also serves the gateway.',
              ]),
            );
          }, GATEWAY_READY_DEADLINE_MS),
          setTimeout(
            () =>
              reject(
                gatewayProblem([
                  `Discord's gateway answered but did not get the bot ready within ${READY_DEADLINE_MS / 1000} s.`,
                  'Fix: check that the network or firewall keeps WebSocket connections to gateway.discord.gg (port 443) open, and see the log lines above for the shard that stalled.',
                ]),
              ),
            READY_DEADLINE_MS,
          ),
        );
      });
      let connected: boolean;
      try {
        connected = await untilStopped(
          (async () => {
            await Promise.all([client.login(config.discordToken), ready, framesChecked]);
            await storesOpened;
            // Learned ETAs before any job resumes (jobs.start() below), so the first progress
            // edits of resumed jobs already use them.
            await eta.load();
          })(),
        );
      } finally {
        for (const timer of timers) clearTimeout(timer);
      }
      if (!connected) return;
      logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, 'connected to Discord');
      if (!(await untilStopped(jobs.start()))) return;
      sweepHistory();
      sweepTimer = setInterval(sweepHistory, HISTORY_SWEEP_EVERY_MS);
      sweepTimer.unref();
    },
    async stop() {
      stopping.abort();
      router.stopAccepting();
      clearInterval(sweepTimer);
      await stopFollowingEta?.();
      // Let a /video that is being submitted record its task id, within the 10 s stop budget.
      await router.drain(STOP_DRAIN_MS);
      // Requests still waiting for a turn give up now (nothing was sent for them) instead of
      // holding the poller's stop until a long Retry-After ends.
      await limiter.close();
      await jobs.stop();
      await store.close();
      await destroyClient(client);
      await provider.close();
      await downloads.close();
      await opsServer?.close();
    },
  };
}

/**
 * Opens the store and the provider budgets' limiter STORE_URL names, unless `overrides` gives them.
 *
 * On SQLite (and memory) both are open when this resolves; they are opened together, and if either
 * fails the other is closed again and the store's error, the one an operator can act on first, is
 * thrown. On Redis both are deferred (see `deferStore`): usable at once, opened by `openDeferred()`,
 * which the bot calls when the gateway's READY came (or by their first use). Opening them loads
 * node-redis and builds its client class, about 150 ms of this thread: on the way to IDENTIFY
 * that was most of what a Redis start took longer than a SQLite one (issue 15's cold start); after
 * it, the opening overlaps Discord sending the guilds. The start-up check (preflight) has already
 * reached that Redis, from a thread of its own. `openDeferred()` resolves once both are open and
 * rejects with the first opening error (each called once; later calls return the same promise).
 */
async function openStoreAndLimiter(
  config: Config,
  overrides: BotOverrides,
  logger: Logger,
): Promise<{ store: Store; limiter: RateLimiter; openDeferred: () => Promise<void> }> {
  const openOwnStore = () => openStore(config.storeUrl, { logger: logger.child({ component: 'store' }) });
  const openOwnLimiter = () =>
    openRateLimiter(config.storeUrl, providerBudgets(config.rateLimits), logger.child({ component: 'ratelimit' }));
  if (config.storeUrl.startsWith('redis')) {
    const deferred: Array<DeferredStore | DeferredRateLimiter> = [];
    const later = <T extends DeferredStore | DeferredRateLimiter>(part: T): T => {
      deferred.push(part);
      return part;
    };
    const store = overrides.store ?? later(deferStore('redis', openOwnStore));
    const limiter = overrides.limiter ?? later(deferRateLimiter(openOwnLimiter));
    let opened: Promise<void> | undefined;
    const openDeferred = () => {
      if (opened) return opened;
      opened = Promise.all(deferred.map((part) => part.open())).then(() => undefined);
      // node-redis retries a connection for ever: said in the log, not only waited for.
      const slow = setTimeout(
        () =>
          logger.warn(
            { waitedMs: SLOW_OPENING_MS },
            'the Redis store is still not open since Discord answered; requests wait for it (is Redis answering?)',
          ),
        SLOW_OPENING_MS,
      );
      slow.unref();
      void opened.finally(() => clearTimeout(slow)).catch(() => undefined);
      return opened;
    };
    return { store, limiter, openDeferred };
  }
  const [storeOpened, limiterOpened] = await Promise.allSettled([overrides.store ?? openOwnStore(), overrides.limiter ?? openOwnLimiter()]);
  if (storeOpened.status === 'rejected' || limiterOpened.status === 'rejected') {
    if (storeOpened.status === 'fulfilled' && !overrides.store) await storeOpened.value.close().catch(() => undefined);
    if (limiterOpened.status === 'fulfilled' && !overrides.limiter) await limiterOpened.value.close().catch(() => undefined);
    throw storeOpened.status === 'rejected' ? storeOpened.reason : (limiterOpened as PromiseRejectedResult).reason;
  }
  return { store: storeOpened.value, limiter: limiterOpened.value, openDeferred: async () => undefined };
}

// Past this after the gateway answered (ms), a Redis store and limiter still opening are logged.
const SLOW_OPENING_MS = 10_000;
// Longest a stop waits for discord.js to close the gateway connection (ms).
const CLIENT_DESTROY_MS = 2_000;

/**
 * `client.destroy()`, given at most {@link CLIENT_DESTROY_MS}. Why: a destroy while a shard waits
 * for READY after its IDENTIFY never resolves in @discordjs/ws 1.x: it aborts the shard's wait,
 * whose handler starts a second destroy (to reconnect) that replaces the first one's close
 * handler on the socket, so the first waits for a close it is never told of. A stop then ran into
 * its 10 s deadline and exited 1 ("stop took too long"); the process ends after the stop anyway.
 */
async function destroyClient(client: Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.destroy(),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLIENT_DESTROY_MS);
    }),
  ]);
  clearTimeout(timer);
}
