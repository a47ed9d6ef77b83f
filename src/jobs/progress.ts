import type { Job, JobRequest } from './job.js';
import { costKeyString } from '../quota/costs.js';

export type Stage = 'waiting' | 'queued' | 'generating' | 'finishing';

/** What the reply shows about a job in flight, independent of how it is drawn. */
export interface ProgressView {
  stage: Stage;
  /** 0–100. */
  percent: number;
  /** True when the percentage is our estimate rather than the provider's figure. */
  estimated: boolean;
  /** When the video should be ready (ms epoch), or null when it is overdue. */
  etaAt: number | null;
  /** While waiting in line: the place (1 = next) and when its turn should come (ms epoch). */
  line?: { position: number; startsAt: number };
}

type DurationKey = Pick<JobRequest, 'model' | 'resolution' | 'duration'>;

/**
 * Typical seconds a job takes, by its settings. `learned`, when present, answers from this bot's
 * own measured runs only (undefined until there are enough) and then outranks the provider's
 * `estimated_time`, which is a generic figure.
 */
export type TypicalDuration = ((request: DurationKey) => number) & { learned?: (request: DurationKey) => number | undefined };

const TYPICAL_SECONDS: Record<string, number> = {
  'MiniMax-Hailuo-2.3:768p:6': 120,
  'MiniMax-Hailuo-2.3:768p:10': 210,
  'MiniMax-Hailuo-2.3:1080p:6': 240,
  'MiniMax-Hailuo-2.3-Fast:768p:6': 60,
  'MiniMax-Hailuo-2.3-Fast:768p:10': 110,
  'MiniMax-Hailuo-2.3-Fast:1080p:6': 120,
};

/** Published typical times (30 s to 5 min) placed by how heavy each setting is. */
export const typicalDuration: TypicalDuration = (request) => TYPICAL_SECONDS[costKeyString(request)] ?? 180;

const stageOf = (job: Job): Stage => {
  if (job.state === 'succeeded' || job.state === 'delivered') return 'finishing';
  if (job.state === 'processing') return 'generating';
  return 'queued';
};

// Start estimates are shown rounded up to this, so a line that has not moved edits nothing.
const START_STEP_MS = 10_000;

/** The view of a job waiting in line: its place, when its turn should come, and when it should be ready. */
export function waitingProgress(
  job: Job,
  now: number,
  place: { position: number; startsAt: number },
  typical: TypicalDuration = typicalDuration,
): ProgressView {
  const startsAt = Math.ceil(place.startsAt / START_STEP_MS) * START_STEP_MS;
  const expectedMs = (typical.learned?.(job.request) ?? typical(job.request)) * 1000;
  return {
    stage: 'waiting',
    percent: 0,
    estimated: true,
    etaAt: startsAt + expectedMs,
    line: { position: place.position, startsAt },
  };
}

// An estimate never claims to be done: the last stretch waits for the provider's word.
const ESTIMATE_CEILING = 95;

/**
 * The provider's percentage when it gives one; otherwise elapsed time against the learned time
 * for these settings, else the provider's `estimated_time`, else the published typical time.
 */
export function computeProgress(job: Job, now: number, typical: TypicalDuration = typicalDuration): ProgressView {
  const stage = stageOf(job);
  const startedAt = job.submittedAt ?? job.createdAt;
  const runningMs = Math.max(0, now - startedAt);
  if (stage === 'finishing') return { stage, percent: 100, estimated: false, etaAt: now };

  const reported = job.progress.percent;
  if (reported !== null && reported > 0) {
    const percent = Math.min(99, Math.round(reported));
    const remainingMs = (runningMs * (100 - percent)) / percent;
    return { stage, percent, estimated: false, etaAt: Math.round(now + remainingMs) };
  }
  const expectedMs = (typical.learned?.(job.request) ?? job.progress.estimatedTimeS ?? typical(job.request)) * 1000;
  const percent = Math.min(ESTIMATE_CEILING, Math.floor((runningMs / expectedMs) * 100));
  const etaAt = runningMs < expectedMs ? startedAt + expectedMs : null;
  return { stage, percent, estimated: true, etaAt };
}
