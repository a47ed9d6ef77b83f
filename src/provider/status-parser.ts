/**
 * Tolerant reading of a task-status answer. Resellers of the same model wrap and name things
 * differently, so every documented variant (see provider-notes.md) is accepted and unknown fields
 * are ignored; only a body with no status word at all is rejected.
 */
import { z } from 'zod';
import type { TaskPhase, TaskStatus } from './types.js';

type Obj = Record<string, unknown>;

const ObjectSchema = z.record(z.string(), z.unknown());
const NonEmptyString = z.string().trim().min(1);
/** A number, or a numeric string optionally ending in `%` ("45", "45%", "45.5 %"). */
const NumberLike = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^[+-]?\d+(\.\d+)?\s*%?$/)
    .transform((text) => Number.parseFloat(text)),
]);
const HttpUrl = NonEmptyString.refine((text) => /^https?:$/i.test(safeProtocol(text)));

const SUCCESS = new Set(['success', 'succeeded', 'completed', 'finished', 'done']);
const FAILURE = new Set(['fail', 'failed', 'failure', 'error', 'cancelled', 'canceled', 'expired']);
const QUEUED = new Set(['pending', 'queued', 'queuing', 'queueing', 'submitted', 'not_start', 'not_started', 'preparing', 'waiting']);

/** Maps a provider status word to a phase; unknown words count as still running. */
export function phaseOf(rawStatus: string): TaskPhase {
  const word = rawStatus
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  if (SUCCESS.has(word)) return 'succeeded';
  if (FAILURE.has(word)) return 'failed';
  if (QUEUED.has(word)) return 'queued';
  return 'running';
}

/**
 * Reads a status answer in any documented envelope (`data` object, `data` array, or flat).
 *
 * @returns `undefined` for junk: not an object, or no `status`/`state`/`task_status` string.
 *   A `succeeded` status may come without `videoUrl`; deciding what that means is the caller's job.
 */
export function parseTaskStatus(body: unknown): TaskStatus | undefined {
  const task = taskObject(body);
  if (task === undefined) return undefined;
  const rawStatus = statusWord(task);
  if (rawStatus === undefined) return undefined;

  const video = firstObject(asObject(task.result)?.videos);
  const status: TaskStatus = { phase: phaseOf(rawStatus), rawStatus };
  const progress = numberOf(task.progress);
  if (progress !== undefined) status.progress = Math.min(100, Math.max(0, progress));
  const videoUrl = videoUrlOf(task, video);
  if (videoUrl !== undefined) status.videoUrl = videoUrl;
  const expiresAt = epochMs(video?.expires_at ?? task.expires_at);
  if (expiresAt !== undefined) status.videoExpiresAt = expiresAt;
  const estimated = nonNegative(numberOf(task.estimated_time));
  if (estimated !== undefined) status.estimatedTimeS = estimated;
  const actual = nonNegative(numberOf(task.actual_time));
  if (actual !== undefined) status.actualTimeS = actual;
  const errorMessage = errorTextOf(task);
  if (errorMessage !== undefined) status.errorMessage = errorMessage;
  return status;
}

/** Prefers the `data` payload (object, or first element of an array) when it has a status word. */
function taskObject(body: unknown): Obj | undefined {
  const top = Array.isArray(body) ? asObject(body[0]) : asObject(body);
  if (top === undefined) return undefined;
  const inner = Array.isArray(top.data) ? asObject(top.data[0]) : asObject(top.data);
  if (inner !== undefined && statusWord(inner) !== undefined) return inner;
  return statusWord(top) !== undefined ? top : undefined;
}

function statusWord(task: Obj): string | undefined {
  for (const key of ['status', 'state', 'task_status']) {
    const parsed = NonEmptyString.safeParse(task[key]);
    if (parsed.success) return parsed.data;
  }
  return undefined;
}

/** The first URL found, in the order listed in provider-notes.md; each may be a string or array. */
function videoUrlOf(task: Obj, video: Obj | undefined): string | undefined {
  const candidates = [
    () => video?.url,
    () => task.video_url,
    () => task.url,
    () => asObject(task.video)?.url,
    () => asObject(task.metadata)?.url,
    () => task.output,
    () => firstObject(task.files)?.file_url,
    () => asObject(task.file)?.download_url,
  ];
  for (const candidate of candidates) {
    const url = urlOf(candidate());
    if (url !== undefined) return url;
  }
  return undefined;
}

function urlOf(value: unknown): string | undefined {
  const values = Array.isArray(value) ? value : [value];
  for (const item of values) {
    const parsed = HttpUrl.safeParse(item);
    if (parsed.success) return parsed.data;
  }
  return undefined;
}

function errorTextOf(task: Obj): string | undefined {
  const candidates = [asObject(task.error)?.message, task.error, task.fail_reason, task.error_message, task.failMsg];
  for (const candidate of candidates) {
    const parsed = NonEmptyString.safeParse(candidate);
    if (parsed.success) return parsed.data;
  }
  return undefined;
}

/** Seconds since the epoch (as documented) → ms; values already in ms or ISO strings also pass. */
function epochMs(value: unknown): number | undefined {
  const number = numberOf(value);
  if (number !== undefined) return number > 1e11 ? number : Math.round(number * 1000);
  const text = NonEmptyString.safeParse(value);
  if (!text.success || !/[a-z]/i.test(text.data)) return undefined;
  const parsed = Date.parse(text.data);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function numberOf(value: unknown): number | undefined {
  const parsed = NumberLike.safeParse(value);
  return parsed.success && Number.isFinite(parsed.data) ? parsed.data : undefined;
}

function nonNegative(value: number | undefined): number | undefined {
  return value === undefined || value < 0 ? undefined : value;
}

function asObject(value: unknown): Obj | undefined {
  const parsed = ObjectSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function firstObject(value: unknown): Obj | undefined {
  return Array.isArray(value) ? asObject(value[0]) : asObject(value);
}

function safeProtocol(text: string): string {
  try {
    return new URL(text).protocol;
  } catch {
    return '';
  }
}
