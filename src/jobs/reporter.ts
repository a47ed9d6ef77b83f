import type { Job } from './job.js';
import type { ProgressView } from './progress.js';

/** The finished video as handed to the front end: the bytes when they fit, else only the link. */
export type FinishedVideo = { kind: 'file'; data: Buffer; filename: string } | { kind: 'link' };

/** How a delivery went: as an upload, as a link, or not at all (the front end was unreachable). */
export type DeliveryOutcome = 'attachment' | 'link' | 'failed';

/**
 * How the job core tells a member what is happening. The Discord layer implements it; the core
 * never sees Discord. Implementations must not throw for expected Discord faults.
 */
export interface JobReporter {
  progress(job: Job, view: ProgressView): Promise<void>;
  deliver(job: Job, video: FinishedVideo): Promise<DeliveryOutcome>;
  failed(job: Job): Promise<void>;
}
