/**
 * Writing a job's final message (the video, its link, or how the job failed) where the member sees
 * it, exactly once, degrading in place when Discord refuses it for a missing permission.
 */
import type { Job } from '../jobs/job.js';
import type { MessagePayload, MessagePurpose, ReplyChannel, SeenMessage, WriteResult } from './reply-channel.js';

/** One form of the final message; `degrade` gives the next form when Discord refuses this one. */
export interface FinalForm {
  payload: MessagePayload;
  purpose: MessagePurpose;
  /** What the member gets with this form: the upload, the link (embed or plain text), or a notice. */
  gives: 'attachment' | 'link' | 'notice';
  /** The form to try when this one is refused: `too_large` (413) or `forbidden` (403 / 50013). */
  degrade?: (why: 'too_large' | 'forbidden') => FinalForm | undefined;
}

/** Where the final message landed (`reply`: the interaction's reply was edited), or why it did not. */
export type FinalWrite = { landed: 'reply' | 'channel' | 'dm'; form: FinalForm } | { landed: false; result: WriteResult };

/** Whether a message read back shows `payload`: same first embed (title, footer naming the job) or same content, and the file. */
export function shows(message: SeenMessage, payload: MessagePayload): boolean {
  const wanted = (payload.body['embeds'] as SeenMessage['embeds'])?.[0];
  if (wanted) {
    const seen = message.embeds?.[0];
    if (!seen || seen.title !== wanted.title || seen.footer?.text !== wanted.footer?.text) return false;
  } else if ((message.content ?? '') !== (payload.body['content'] ?? '')) {
    return false;
  }
  return !payload.files?.length || (message.attachments?.length ?? 0) > 0;
}

/**
 * Writes the final message: by editing the reply; when the reply is gone (or its token expired and
 * it has no message id), as a post in its channel; only when the channel cannot be written at all,
 * by DM. On each route a refused form steps down (upload → link in an embed → link in plain text)
 * and the same route is tried again, so a missing permission changes the message, not where it is.
 *
 * Never a second copy: an edit that failed may have landed, so the reply is read back first (and
 * nothing is written when it cannot be read); posts and DMs carry a nonce (see nonceFor), so a
 * post whose answer was lost is repeated by the next try rather than followed by a DM.
 */
export async function writeFinal(channel: ReplyChannel, job: Job, first: FinalForm): Promise<FinalWrite> {
  let form = first;
  for (;;) {
    const edited = await channel.editReply(job, form.payload);
    if (edited === 'ok') return { landed: 'reply', form };
    if (edited === 'forbidden' || edited === 'too_large') {
      const next = form.degrade?.(edited);
      if (next) {
        form = next;
        continue;
      }
      if (edited === 'too_large') return { landed: false, result: edited };
      break;
    }
    if (edited === 'failed') {
      const now = await channel.readReply(job);
      if (now === 'failed') return { landed: false, result: 'failed' };
      if (now !== 'gone' && shows(now, form.payload)) return { landed: 'reply', form };
    }
    break;
  }
  for (;;) {
    const posted = await channel.postInChannel(job, form.payload, form.purpose);
    if (posted === 'ok') return { landed: 'channel', form };
    if (posted === 'forbidden' || posted === 'too_large') {
      const next = form.degrade?.(posted);
      if (next) {
        form = next;
        continue;
      }
      if (posted === 'too_large') return { landed: false, result: posted };
      break;
    }
    if (posted !== 'gone') return { landed: false, result: posted === 'token_expired' ? 'failed' : posted };
    break;
  }
  // The channel cannot be written at all. In a DM the bot may upload and embed: start again from the top.
  form = first;
  for (;;) {
    const sent = await channel.directMessage(job, form.payload, form.purpose);
    if (sent === 'ok') return { landed: 'dm', form };
    const next = sent === 'too_large' || sent === 'forbidden' ? form.degrade?.(sent) : undefined;
    if (!next) return { landed: false, result: sent };
    form = next;
  }
}
