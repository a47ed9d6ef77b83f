import type { Logger } from '../log.js';
import type { VideoFiles } from '../video/video-files.js';
import type { VideoProvider } from '../provider/types.js';
import type { QuotaGate } from '../quota/types.js';
import type { Store } from '../store/types.js';
import { DEFAULT_TIMINGS, type JobDeps, type JobTimings } from './deps.js';
import { createJobRepository } from './job-repository.js';
import { createJobService, type JobService } from './job-service.js';
import { pollJob } from './job-poll.js';
import type { JobScope } from './job-recovery.js';
import { typicalDuration, type TypicalDuration } from './progress.js';
import type { JobReporter } from './reporter.js';
import type { Job, JobRequest } from './job.js';
import { createScheduler } from './scheduler.js';
import type { JobHistory } from './history.js';
import { createSubmitLine } from './submit-line.js';
import { createDispatcher, type Dispatcher } from './dispatcher.js';
import type { SubmitBudget } from './line-order.js';
import { sendClaimed } from './job-submit.js';
import { waitingProgress } from './progress.js';

export interface JobEngineOptions {
  store: Store;
  provider: VideoProvider;
  quota: QuotaGate;
  reporter: JobReporter;
  logger: Logger;
  /** Where finished videos are downloaded to and delivered from. */
  videos: VideoFiles;
  timings?: Partial<JobTimings>;
  clock?: () => number;
  random?: () => number;
  typical?: TypicalDuration;
  learn?: (request: JobRequest, seconds: number) => Promise<void>;
  /** Status requests in flight at once, across all jobs. */
  maxPollsInFlight?: number;
  /** With sharding: whether this process serves a guild's jobs (default: every guild). */
  ownsGuild?: (guildId: string) => boolean;
  /**
   * Members' history: every job whose member was answered is recorded in it, once its reply exists
   * (after the acknowledgement: a history entry is not worth making a member wait; default: none kept).
   */
  history?: Pick<JobHistory, 'record'>;
  /** Longest life of a finished job's record (a backstop behind the history sweep). */
  finishedTtlMs?: number;
  /** Renews expiring first-frame URLs (default: URLs are used as they are). */
  renewImageUrl?: JobDeps['renewImageUrl'];
  /**
   * Resolves when one more submission fits the provider's budget (XCOMPUTE_MAX_RPM; with Redis
   * shared by every process). Default: always at once. The provider given must not pace
   * submissions again.
   */
  submitTurn?: (signal: AbortSignal) => Promise<void>;
  /** The budget `submitTurn` enforces, for members' estimated start times (default 20 a minute). */
  submitBudget?: SubmitBudget;
  /** How often the line is looked at without a reason (other processes move it too); default 10 s. */
  lineRescanMs?: number;
}

/** Wires the job service to one poller for all jobs. Nothing runs until `start()`. */
export function createJobEngine(options: JobEngineOptions): JobService {
  const clock = options.clock ?? Date.now;
  const timings = { ...DEFAULT_TIMINGS, ...options.timings };
  const ownsGuild = options.ownsGuild;
  const history = options.history;
  /** Lists a job in its member's history; a history that cannot be written must not cost the member their video. */
  const rememberJob = async (job: Job): Promise<void> => {
    await history
      ?.record(job)
      .catch((err: unknown) => options.logger.warn({ err, jobId: job.id }, "could not add the job to its member's history"));
  };
  const jobs = createJobRepository(options.store, options.finishedTtlMs !== undefined ? { finishedTtlMs: options.finishedTtlMs } : {});
  const line = createSubmitLine(options.store, jobs, options.submitBudget ?? { limit: 20, windowMs: 60_000 });
  const submitTurn = options.submitTurn ?? (async () => undefined);
  // With sharding each process sends only its own guilds' jobs: the shard that submits a job is
  // the one that polls it, and the one whose recovery finds it after a restart.
  // Its send and show read `deps` (declared below) only when they run, after start().
  const dispatcher: Dispatcher = createDispatcher({
    line,
    turn: submitTurn,
    send: (job) => sendClaimed(deps, job),
    eligible: ownsGuild ?? (() => true),
    show: async (places) => {
      const now = clock();
      for (const place of places) await deps.reporter.progress(place.job, waitingProgress(place.job, now, place, deps.typical));
    },
    clock,
    logger: options.logger,
    ...(options.lineRescanMs !== undefined ? { rescanMs: options.lineRescanMs } : {}),
  });
  // JobScope rides along with the deps (recovery reads it) until it earns a place in JobDeps.
  const deps: JobDeps & JobScope = {
    jobs,
    line,
    dispatcher,
    provider: options.provider,
    quota: options.quota,
    reporter: options.reporter,
    logger: options.logger,
    clock,
    timings,
    videos: options.videos,
    typical: options.typical ?? typicalDuration,
    learn: options.learn ?? (async () => undefined),
    random: options.random ?? Math.random,
    followed: new Map(),
    renewImageUrl: options.renewImageUrl ?? (async (url) => ({ ok: true, url })),
    ...(ownsGuild ? { ownsGuild } : {}),
    ...(history ? { remember: (job: Job) => rememberJob(job) } : {}),
    scheduler: createScheduler({
      handler: async (id) => {
        // Defence in depth: a job of a guild another shard owns is left to that shard.
        if (ownsGuild) {
          const job = await deps.jobs.get(id);
          if (job && !ownsGuild(job.guildId)) return { done: true };
        }
        return pollJob(deps, id);
      },
      maxInFlight: options.maxPollsInFlight ?? 8,
      clock,
      logger: options.logger,
    }),
  };
  const service = createJobService(deps);
  if (!history) return service;
  return {
    ...service,
    async attachMessage(jobId, channelId, messageId) {
      const record = (job: Job | undefined) => (job ? rememberJob(job) : undefined);
      try {
        const attached = await service.attachMessage(jobId, channelId, messageId);
        await record(attached);
        return attached;
      } catch (err) {
        // The member has a reply all the same (it will say the video could not be put in line): listed too.
        await record(await service.get(jobId).catch(() => undefined));
        throw err;
      }
    },
  };
}
