/**
 * Progress edits as the fake Discord received them: how many, and how many changed nothing the
 * member sees (issue 15: "an edit is sent only when what the member sees changes").
 */
import { createHash } from 'node:crypto';
import type { RecordedRequest } from '../../test/fakes/discord/index.js';

/** A progress edit: the original reply through the interaction webhook, or the message through the channel. */
export const REPLY_EDIT = /^\/v10\/(webhooks\/\d+\/[^/]+\/messages\/@original|channels\/\d+\/messages\/\d+)$/;

export interface EditCounts {
  /** PATCHes of a reply (either route). */
  edits: number;
  /**
   * Edits whose JSON body (content, embeds, components, …) and files were exactly those of the
   * last edit of the same message that Discord accepted: nothing the member sees changed. A retry
   * of an edit Discord refused (a 429, a 5xx) is not one.
   */
  unchanged: number;
}

/**
 * Counts the progress edits among `requests` (the fake Discord's list, which only grows), reading
 * only what arrived since the last call: with 10,000 jobs it holds hundreds of thousands. Keeps a
 * 20-byte digest of each message's last accepted edit, not the edit. `messageIdOf` (the fake's)
 * names the message an edit's path reaches, so an edit through the channel compares with the last
 * one made through the interaction's token (the bot changes route once a token nears 15 minutes);
 * without it, or for a path it does not know, the path is the message.
 */
export function editCounter(
  requests: () => readonly RecordedRequest[],
  messageIdOf: (path: string) => string | undefined = () => undefined,
): () => Readonly<EditCounts> {
  let seen = 0;
  const counts: EditCounts = { edits: 0, unchanged: 0 };
  const lastAccepted = new Map<string, string>();
  return () => {
    const all = requests();
    for (; seen < all.length; seen += 1) {
      const r = all[seen];
      if (!r || r.method !== 'PATCH' || !REPLY_EDIT.test(r.path)) continue;
      counts.edits += 1;
      const digest = createHash('sha1')
        .update(JSON.stringify(r.body) ?? '')
        .update(JSON.stringify(r.files.map((f) => [f.name, f.size])))
        .digest('base64');
      const message = messageIdOf(r.path) ?? r.path;
      if (lastAccepted.get(message) === digest) counts.unchanged += 1;
      if (r.status < 300) lastAccepted.set(message, digest);
    }
    return { ...counts };
  };
}
