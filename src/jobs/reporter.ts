import type { Job } from './job.js';
import type { ProgressView } from './progress.js';

/**
 * The finished video as handed to the front end: the checked file on disk when it fits the
 * upload limit (read on each try, never fetched again), else only the link (which worked).
 */
export type FinishedVideo = { kind: 'file'; path: string; size: number; filename: string } | { kind: 'link' };

/** How a delivery went: as an upload, as a link, or not at all (the front end was unreachable). */
export type DeliveryOutcome = 'attachment' | 'link' | 'failed';

/**
 * How telling the member went: `told` (the message landed), `nobody` (there is no one to tell:
 * Discord never had our acknowledgement, or the reply, channel and DMs are all closed to us),
 * `retry` (Discord could not be reached; try again later).
 */
export type TellOutcome = 'told' | 'nobody' | 'retry';

/**
 * What the job's reply shows now: the finished video as an upload or as a link (it was delivered
 * before, e.g. just before a crash), something else (a placeholder, progress, a failure), or
 * `unknown` (it could not be read).
 */
export type ReplyView = 'attachment' | 'link' | 'not_final' | 'unknown';

/**
 * How the job core tells a member what is happening. The Discord layer implements it; the core
 * never sees Discord. Implementations must not throw for expected Discord faults.
 */
export interface JobReporter {
  progress(job: Job, view: ProgressView): Promise<void>;
  deliver(job: Job, video: FinishedVideo): Promise<DeliveryOutcome>;
  /**
   * Tells the member how the job ended without a video (from `job.state` and `job.failure`).
   * `inReplyOnly`: only by editing the interaction's reply, never a new message (Discord may
   * never have received our acknowledgement; then the answer is `nobody`).
   */
  failed(job: Job, options?: { inReplyOnly?: boolean }): Promise<TellOutcome>;
  /** Reads the job's reply, so a delivery resumed after a restart never repeats or undoes one. */
  shown(job: Job): Promise<ReplyView>;
  /**
   * Hears that the job's ending was decided (written durably, once, by this process), whether the
   * member is told anything or not: for counting endings. Synchronous and must not throw.
   */
  ended?(job: Job): void;
}
