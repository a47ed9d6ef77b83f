import { z } from 'zod';

/**
 * `accepted → waiting → submitting → submitted → queued/processing → succeeded → delivered`,
 * or `failed` / `expired` from any live state, or `cancelled` (by a member) before `submitting`.
 * `waiting` is the job's place in the line for the provider's submission budget, kept in the
 * store: a restart keeps it waiting. `submitting` marks the window in which the provider may have
 * accepted the task without us knowing its id: never submitted again. `reserved` is what records
 * of older versions call a job about to be submitted; recovery puts it in the line.
 */
export const JOB_STATES = [
  'accepted',
  'reserved',
  'waiting',
  'submitting',
  'submitted',
  'queued',
  'processing',
  'succeeded',
  'delivered',
  'failed',
  'expired',
  'cancelled',
] as const;
export type JobState = (typeof JOB_STATES)[number];
/** The id a job's reservation gets: fixed by the job id, so it can be released without the record. */
export const reservationIdFor = (jobId: string): string => `res-${jobId}`;

export const FINAL_STATES: readonly JobState[] = ['delivered', 'failed', 'expired', 'cancelled'];
/** States in which a job has not been sent to the provider yet and may still be cancelled. */
export const CANCELLABLE_STATES: readonly JobState[] = ['accepted', 'reserved', 'waiting'];
export const isCancellable = (state: JobState): boolean => CANCELLABLE_STATES.includes(state);
export const isFinal = (state: JobState): boolean => FINAL_STATES.includes(state);

export const FAILURE_REASONS = [
  'invalid_request',
  'auth',
  'payment',
  'busy',
  'network',
  'provider_failed',
  'no_video',
  /** The provider's file could not be fetched whole; its link may still work later. */
  'download_failed',
  /** The provider's file could not be fetched and its link is dead (404, 410 or another refusal). */
  'download_gone',
  'expired',
  'restarted',
  'delivery_failed',
  'image_expired',
  'image_unreachable',
  /** The bot restarted while the submission was on its way: the provider may or may not have it. */
  'maybe_started',
  /** The job's record disappeared from the store while the bot was following it. */
  'record_lost',
  /** A member cancelled the job before it was sent to the provider (detail: who). */
  'cancelled',
  /**
   * The job's reply was made but the job could not join the line (the store write that records
   * the reply's message id failed): given up at once, never sent.
   */
  'not_queued',
  /**
   * The job's acknowledgement failed (Discord refused it: the interaction had expired, say): the
   * job is given up before it was sent, its credits released, and told in the interaction's reply
   * only (which exists only if an attempt landed after all).
   */
  'not_acknowledged',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

const imageSchema = z.object({
  url: z.string(),
  filename: z.string(),
  contentType: z.string().nullable(),
  size: z.number(),
  width: z.number().nullable(),
  height: z.number().nullable(),
});

export const videoRequestSchema = z.object({
  userPrompt: z.string(),
  prompt: z.string(),
  camera: z.array(z.string()),
  model: z.enum(['MiniMax-Hailuo-2.3', 'MiniMax-Hailuo-2.3-Fast']),
  duration: z.union([z.literal(6), z.literal(10)]),
  resolution: z.enum(['768p', '1080p']),
  image: imageSchema.nullable(),
  promptOptimizer: z.boolean(),
  fastPretreatment: z.boolean(),
  watermark: z.boolean(),
});

/** Where the job's reply lives in Discord; opaque to the core except as stored values. */
const replySchema = z.object({
  applicationId: z.string(),
  interactionToken: z.string(),
  /** When the token was issued: it edits the reply for 15 minutes only. */
  tokenIssuedAt: z.number(),
  channelId: z.string(),
  messageId: z.string().nullable(),
  attachmentSizeLimit: z.number(),
  locale: z.string(),
});

export const jobSchema = z.object({
  id: z.string(),
  version: z.literal(1),
  guildId: z.string(),
  userId: z.string(),
  roleIds: z.array(z.string()),
  request: videoRequestSchema,
  reply: replySchema,
  state: z.enum(JOB_STATES),
  cost: z.number(),
  reservationId: z.string().nullable(),
  taskId: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  submittedAt: z.number().nullable(),
  completedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  progress: z.object({
    percent: z.number().nullable(),
    estimatedTimeS: z.number().nullable(),
    rawStatus: z.string().nullable(),
    lastChangeAt: z.number(),
  }),
  poll: z.object({
    nextAt: z.number(),
    count: z.number(),
    failures: z.number(),
    /** When the status requests now failing in a row began failing; absent or null while they answer. */
    failingSince: z.number().nullable().optional(),
  }),
  result: z
    .object({
      videoUrl: z.string(),
      expiresAt: z.number().nullable(),
      delivery: z.enum(['attachment', 'link']).nullable(),
    })
    .nullable(),
  failure: z.object({ reason: z.enum(FAILURE_REASONS), detail: z.string().nullable() }).nullable(),
  /**
   * The message still owed to the member about how the job ended (the outbox), written in the same
   * atomic write as the final state and the settlement, cleared once it landed. `failure`: the
   * failure message, wherever the member can see it; `failure_in_reply`: only by editing the
   * interaction's reply (Discord may never have received our acknowledgement: then there is no
   * one to tell). Records written before the outbox existed read as null.
   */
  outbox: z
    .object({ kind: z.enum(['failure', 'failure_in_reply']), since: z.number(), attempts: z.number() })
    .nullable()
    .default(null),
});

export type Job = z.infer<typeof jobSchema>;
export type JobRequest = z.infer<typeof videoRequestSchema>;
export type JobReply = z.infer<typeof replySchema>;
