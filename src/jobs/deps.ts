import type { Logger } from '../log.js';
import type { VideoProvider } from '../provider/types.js';
import type { QuotaGate } from '../quota/types.js';
import type { Job, JobRequest } from './job.js';
import type { JobRepository } from './job-repository.js';
import type { TypicalDuration } from './progress.js';
import type { JobReporter } from './reporter.js';
import type { Scheduler } from './scheduler.js';
import type { VideoFiles } from '../video/video-files.js';
import type { SubmitLine } from './submit-line.js';
import type { Dispatcher } from './dispatcher.js';

export interface JobTimings {
  /** First status request after submission, and the base of later gaps. */
  pollIntervalMs: number;
  /** A job older than this ends as expired. */
  maxAgeMs: number;
  /**
   * A job whose status has not changed (or could not be read at all) for this long ends as
   * expired. This is also how long a status outage is tolerated: glitches never end a job sooner.
   */
  stallMs: number;
  /**
   * Status requests refused for our API key (401/403) end the job once they have kept failing
   * this long: a short auth glitch is ridden out, a revoked key does not leave members waiting
   * for the whole stall ceiling.
   */
  authFailureToleranceMs: number;
  /**
   * Tries to fetch and post a finished video before giving up; the gaps between them grow from
   * `pollIntervalMs` (doubling, with jitter).
   */
  maxDeliveryAttempts: number;
  /** Gap between two sweeps that settle reservations of ended or vanished jobs (see sweepJobs). */
  sweepIntervalMs: number;
}

export const DEFAULT_TIMINGS: JobTimings = {
  pollIntervalMs: 5_000,
  maxAgeMs: 30 * 60_000,
  stallMs: 15 * 60_000,
  authFailureToleranceMs: 2 * 60_000,
  maxDeliveryAttempts: 5,
  sweepIntervalMs: 5 * 60_000,
};

/** Everything the job core is built from; each piece is replaceable in tests. */
export interface JobDeps {
  jobs: JobRepository;
  provider: VideoProvider;
  quota: QuotaGate;
  reporter: JobReporter;
  logger: Logger;
  clock: () => number;
  timings: JobTimings;
  /** Finished videos on disk: downloaded once per job, deleted when it ends. */
  videos: VideoFiles;
  typical: TypicalDuration;
  /** Told how long each delivered job took, so estimates can learn from real runs. */
  learn: (request: JobRequest, seconds: number) => Promise<void>;
  scheduler: Scheduler;
  random: () => number;
  /**
   * The last record seen of each job this process follows: when a record disappears from the
   * store (a Redis that lost its data), the member can still be told.
   */
  followed: Map<string, Job>;
  /** A working link for a first-frame image whose link may have run out since it was attached. */
  renewImageUrl: (url: string) => Promise<ImageLink>;
  /** The line of jobs waiting for the provider's submission budget, kept in the store. */
  line: SubmitLine;
  /** Sends jobs from the line as the budget allows. */
  dispatcher: Dispatcher;
}

/**
 * The same URL when it is still good, a renewed one, or why there is none: the image is `gone`
 * (deleted; the member must attach it again) or its host is `unreachable` for now.
 */
export type ImageLink = { ok: true; url: string } | { ok: false; reason: 'gone' | 'unreachable' };
