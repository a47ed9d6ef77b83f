import { DiscordAPIError, Routes, type REST, type RawFile } from 'discord.js';
import type { Logger } from '../log.js';
import type { Job } from '../jobs/job.js';
import { fitMessageBody } from './render/fit.js';

/** What one message edit or post carries: the body as Discord's API spells it, plus files. */
export interface MessagePayload {
  body: Record<string, unknown>;
  files?: RawFile[];
}

/** How writing to the member went. `gone`: the reply was deleted or its channel is closed to us. */
export type WriteResult = 'ok' | 'gone' | 'too_large' | 'token_expired' | 'failed';

// Interaction tokens live 15 minutes; switch to the bot-token route a minute early.
export const TOKEN_SAFE_AGE_MS = 14 * 60_000;

const GONE_CODES = new Set([10003, 10008, 10015, 10062, 50001, 50013]);

export function classifyDiscordError(err: unknown): WriteResult {
  if (err instanceof DiscordAPIError) {
    if (err.code === 50027 || err.status === 401) return 'token_expired';
    if (err.code === 40005 || err.status === 413) return 'too_large';
    if (typeof err.code === 'number' && GONE_CODES.has(err.code)) return 'gone';
    if (err.status === 404 || err.status === 403) return 'gone';
  }
  return 'failed';
}

/**
 * Writes to a job's reply: through the interaction webhook while its token is young, then (or
 * when Discord says the token is invalid) through the channel with the bot token.
 */
export function createReplyChannel(rest: REST, uploadRest: REST, logger: Logger, clock: () => number) {
  const attempt = async (run: () => Promise<unknown>, job: Job, route: string): Promise<WriteResult> => {
    try {
      await run();
      return 'ok';
    } catch (err) {
      const result = classifyDiscordError(err);
      logger.warn({ jobId: job.id, route, result, code: err instanceof DiscordAPIError ? err.code : undefined }, 'discord write failed');
      return result;
    }
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
        () => client.patch(Routes.webhookMessage(job.reply.applicationId, job.reply.interactionToken, '@original'), { ...payload, auth: false }),
        job,
        'webhook',
      );
      if (result !== 'token_expired') return result;
    }
    const messageId = job.reply.messageId;
    if (!messageId) return 'gone';
    return attempt(() => client.patch(Routes.channelMessage(job.reply.channelId, messageId), payload), job, 'channel');
  }

  /** Sends a new message under the reply: a follow-up while the token is young, else a channel reply to it. */
  async function followUp(job: Job, unfitted: MessagePayload): Promise<WriteResult> {
    const payload = fitted(unfitted);
    if (clock() - job.reply.tokenIssuedAt < TOKEN_SAFE_AGE_MS) {
      const result = await attempt(
        () => rest.post(Routes.webhook(job.reply.applicationId, job.reply.interactionToken), { ...payload, auth: false }),
        job,
        'follow-up',
      );
      if (result !== 'token_expired') return result;
    }
    const reference = job.reply.messageId ? { message_reference: { message_id: job.reply.messageId, fail_if_not_exists: false } } : {};
    return postInChannel(job, { ...payload, body: { ...payload.body, ...reference } });
  }

  /** Posts a new message in the job's channel with the bot token. */
  function postInChannel(job: Job, unfitted: MessagePayload): Promise<WriteResult> {
    const payload = fitted(unfitted);
    return attempt(() => restFor(payload).post(Routes.channelMessages(job.reply.channelId), payload), job, 'channel-post');
  }

  /** Sends the member a direct message: the last way to reach them. */
  async function directMessage(job: Job, unfitted: MessagePayload): Promise<WriteResult> {
    const payload = fitted(unfitted);
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
  async function readReply(job: Job): Promise<{ attachments?: unknown[]; components?: unknown[] } | 'gone' | 'failed'> {
    const read = async (run: () => Promise<unknown>) => {
      try {
        return (await run()) as { attachments?: unknown[]; components?: unknown[] };
      } catch (err) {
        const result = classifyDiscordError(err);
        return result === 'gone' ? 'gone' : result === 'token_expired' ? 'token_expired' : 'failed';
      }
    };
    if (clock() - job.reply.tokenIssuedAt < TOKEN_SAFE_AGE_MS) {
      const got = await read(() => rest.get(Routes.webhookMessage(job.reply.applicationId, job.reply.interactionToken, '@original'), { auth: false }));
      if (got !== 'token_expired') return got;
    }
    const messageId = job.reply.messageId;
    if (!messageId) return 'gone';
    const got = await read(() => rest.get(Routes.channelMessage(job.reply.channelId, messageId)));
    return got === 'token_expired' ? 'failed' : got;
  }

  return { editReply, followUp, postInChannel, directMessage, readReply };
}

export type ReplyChannel = ReturnType<typeof createReplyChannel>;
