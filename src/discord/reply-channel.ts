import { DiscordAPIError, Routes, type REST, type RawFile } from 'discord.js';
import { z } from 'zod';
import type { Logger } from '../log.js';
import type { Job } from '../jobs/job.js';
import { fitMessageBody } from './render/fit.js';

/** What one message edit or post carries: the body as Discord's API spells it, plus files. */
export interface MessagePayload {
  body: Record<string, unknown>;
  files?: RawFile[];
}

/**
 * How writing to the member went. `gone`: the reply was deleted or its channel is closed to us;
 * `forbidden`: Discord refused what the message carries for a missing permission (403 / 50013:
 * Attach Files for a file, Embed Links for an embed, Send Messages for a post).
 */
export type WriteResult = 'ok' | 'gone' | 'forbidden' | 'too_large' | 'token_expired' | 'failed';

/** What a new message is, so a repeated create of it is recognised (see {@link nonceFor}). */
export type MessagePurpose = 'video' | 'link' | 'failure' | 'ping';

/** The part of a message the bot reads back to see whether a write landed. */
export interface SeenMessage {
  content?: string;
  attachments?: unknown[];
  components?: unknown[];
  embeds?: Array<{ title?: string; footer?: { text?: string } }>;
}

const PURPOSE_CODES: Record<MessagePurpose, string> = { video: 'v', link: 'l', failure: 'f', ping: 'p' };

/**
 * Discord's `nonce` for a job's message (≤ 25 characters): the same job, route and purpose give
 * the same nonce, so with `enforce_nonce` a create repeated within minutes (by @discordjs/rest
 * after a 5xx or a time-out, or by our next try) returns the first message instead of a copy.
 */
export function nonceFor(jobId: string, route: 'channel' | 'dm', purpose: MessagePurpose): string {
  return `${jobId.slice(0, 21)}.${route === 'dm' ? 'd' : 'c'}${PURPOSE_CODES[purpose]}`;
}

// Interaction tokens live 15 minutes; switch to the bot-token route a minute early.
export const TOKEN_SAFE_AGE_MS = 14 * 60_000;

const GONE_CODES = new Set([10003, 10008, 10015, 10062, 50001]);

export function classifyDiscordError(err: unknown): WriteResult {
  if (err instanceof DiscordAPIError) {
    if (err.code === 50027 || err.status === 401) return 'token_expired';
    if (err.code === 40005 || err.status === 413) return 'too_large';
    if (err.code === 50013) return 'forbidden';
    if (typeof err.code === 'number' && GONE_CODES.has(err.code)) return 'gone';
    if (err.status === 404 || err.status === 403) return 'gone';
  }
  return 'failed';
}

// An edited message as Discord answers it: only its id is read.
const editedMessage = z.object({ id: z.string().regex(/^\d{1,20}$/) });

/** How many reply ids learned from edits a reply channel keeps in memory (see createReplyChannel). */
export const LEARNED_IDS_KEPT = 1_000;

/**
 * Writes to a job's reply: through the interaction webhook while its token is young, then (or
 * when Discord says the token is invalid) through the channel with the bot token.
 *
 * `onReplyId(jobId, messageId)`: told the reply's message id when an edit through the webhook
 * answers with it for a job whose copy does not know it (the reads after its deferral all
 * failed), so the job record can keep it and /videos can link to it. The channel also keeps such
 * ids itself (the last {@link LEARNED_IDS_KEPT}) and uses them where a job's copy still has none:
 * a write of the job made from an older copy must not leave its reply unreachable once the token
 * is too old.
 */
export function createReplyChannel(
  rest: REST,
  uploadRest: REST,
  logger: Logger,
  clock: () => number,
  onceRest: REST = rest,
  onReplyId?: (jobId: string, messageId: string) => void,
) {
  // Reply ids learned from edits, for jobs whose copy has none (see above); oldest dropped first.
  const learned = new Map<string, string>();
  const replyIdOf = (job: Job): string | null => job.reply.messageId ?? learned.get(job.id) ?? null;
  const learn = (job: Job, answer: unknown): void => {
    if (job.reply.messageId !== null) return;
    const edited = editedMessage.safeParse(answer);
    if (!edited.success) return;
    if (!learned.has(job.id)) {
      learned.set(job.id, edited.data.id);
      if (learned.size > LEARNED_IDS_KEPT) learned.delete(learned.keys().next().value ?? '');
    }
    // Told again while the job's copy still has none: a write from an older copy may have lost it
    // (learnReplyId writes nothing when the record already has it).
    try {
      onReplyId?.(job.id, edited.data.id);
    } catch (err) {
      // The edit landed whatever the listener did.
      logger.warn({ err, jobId: job.id }, "could not pass on the reply's message id");
    }
  };

  const attempt = async (run: () => Promise<unknown>, job: Job, route: string): Promise<WriteResult> => {
    let answer: unknown;
    try {
      answer = await run();
    } catch (err) {
      const result = classifyDiscordError(err);
      logger.warn({ jobId: job.id, route, result, code: err instanceof DiscordAPIError ? err.code : undefined }, 'discord write failed');
      return result;
    }
    if (route === 'webhook') learn(job, answer);
    return 'ok';
  };

  const restFor = (payload: MessagePayload) => (payload.files?.length ? uploadRest : rest);
  // Every body goes out within Discord's documented limits, whatever the inputs were.
  const fitted = (payload: MessagePayload): MessagePayload => ({ ...payload, body: fitMessageBody(payload.body) });

  /** Edits the original reply of the job's interaction. */
  async function editReply(job: Job, unfitted: MessagePayload): Promise<WriteResult> {
    const payload = fitted(unfitted);
    const client = restFor(payload);
    const young = clock() - job.reply.tokenIssuedAt < TOKEN_SAFE_AGE_MS;
    if (young) {
      const result = await attempt(
        () =>
          client.patch(Routes.webhookMessage(job.reply.applicationId, job.reply.interactionToken, '@original'), {
            ...payload,
            auth: false,
          }),
        job,
        'webhook',
      );
      if (result !== 'token_expired') return result;
    }
    const messageId = replyIdOf(job);
    if (!messageId) return 'gone';
    return attempt(() => client.patch(Routes.channelMessage(job.reply.channelId, messageId), payload), job, 'channel');
  }

  /**
   * Sends a new message under the reply: a follow-up while the token is young, else a channel reply
   * to it. Follow-ups take no nonce, so one is sent once (never retried by @discordjs/rest); when
   * its answer is lost, the channel is read to see whether it landed before the channel post.
   * `marker`: text only this message contains (a jump link), to recognise it.
   */
  async function followUp(job: Job, unfitted: MessagePayload, purpose: MessagePurpose, marker: string): Promise<WriteResult> {
    const payload = fitted(unfitted);
    if (clock() - job.reply.tokenIssuedAt < TOKEN_SAFE_AGE_MS) {
      const result = await attempt(
        () => onceRest.post(Routes.webhook(job.reply.applicationId, job.reply.interactionToken), { ...payload, auth: false }),
        job,
        'follow-up',
      );
      if (result === 'failed') {
        const landed = await foundAfterReply(job, (message) => (message.content ?? '').includes(marker));
        // Unknown (the channel cannot be read): a missing ping is better than two.
        if (landed !== false) return landed === true ? 'ok' : 'failed';
      } else if (result !== 'token_expired') return result;
    }
    const replyId = replyIdOf(job);
    const reference = replyId ? { message_reference: { message_id: replyId, fail_if_not_exists: false } } : {};
    return postInChannel(job, { ...payload, body: { ...payload.body, ...reference } }, purpose);
  }

  /** Whether a message after the reply matches (`undefined`: the channel could not be read). */
  async function foundAfterReply(job: Job, matches: (message: SeenMessage) => boolean): Promise<boolean | undefined> {
    const after = replyIdOf(job);
    if (!after) return undefined;
    try {
      const list = (await rest.get(Routes.channelMessages(job.reply.channelId), {
        query: new URLSearchParams({ after, limit: '50' }),
      })) as SeenMessage[];
      return list.some(matches);
    } catch {
      return undefined;
    }
  }

  /**
   * Posts a new message in the job's channel with the bot token, with the nonce of `purpose`: a
   * repeat of the same post (after a lost answer) returns the first message instead of a copy.
   */
  function postInChannel(job: Job, unfitted: MessagePayload, purpose: MessagePurpose): Promise<WriteResult> {
    const payload = withNonce(fitted(unfitted), nonceFor(job.id, 'channel', purpose));
    return attempt(() => restFor(payload).post(Routes.channelMessages(job.reply.channelId), payload), job, 'channel-post');
  }

  /** Sends the member a direct message (with a nonce, like a channel post): the last way to reach them. */
  async function directMessage(job: Job, unfitted: MessagePayload, purpose: MessagePurpose): Promise<WriteResult> {
    const payload = withNonce(fitted(unfitted), nonceFor(job.id, 'dm', purpose));
    try {
      const channel = (await rest.post(Routes.userChannels(), { body: { recipient_id: job.userId } })) as { id: string };
      return attempt(() => restFor(payload).post(Routes.channelMessages(channel.id), payload), job, 'dm');
    } catch (err) {
      return classifyDiscordError(err);
    }
  }

  /**
   * Reads the job's reply as Discord shows it now (GET of the original response while the token is
   * young, else of the channel message): the message, `gone`, or `failed` when it could not be read.
   */
  async function readReply(job: Job): Promise<SeenMessage | 'gone' | 'failed'> {
    const read = async (run: () => Promise<unknown>) => {
      try {
        return (await run()) as SeenMessage;
      } catch (err) {
        const result = classifyDiscordError(err);
        return result === 'gone' ? 'gone' : result === 'token_expired' ? 'token_expired' : 'failed';
      }
    };
    if (clock() - job.reply.tokenIssuedAt < TOKEN_SAFE_AGE_MS) {
      const got = await read(() =>
        rest.get(Routes.webhookMessage(job.reply.applicationId, job.reply.interactionToken, '@original'), { auth: false }),
      );
      if (got !== 'token_expired') return got;
    }
    const messageId = replyIdOf(job);
    if (!messageId) return 'gone';
    const got = await read(() => rest.get(Routes.channelMessage(job.reply.channelId, messageId)));
    return got === 'token_expired' ? 'failed' : got;
  }

  return {
    editReply,
    followUp,
    postInChannel,
    directMessage,
    readReply,
    /** The id of the job's reply: its copy's, else one this channel learned from an edit (null: unknown). */
    replyIdOf,
  };
}

export type ReplyChannel = ReturnType<typeof createReplyChannel>;

const withNonce = (payload: MessagePayload, nonce: string): MessagePayload => ({
  ...payload,
  body: { ...payload.body, nonce, enforce_nonce: true },
});
