import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Store } from '../store/types.js';
import { videoRequestSchema } from './job.js';

// A modal left open longer than this has to be opened again.
const DRAFT_TTL_MS = 60 * 60_000;
const draftKey = (id: string) => `draft:${id}`;

const draftSchema = z.object({
  version: z.literal(1),
  guildId: z.string(),
  userId: z.string(),
  /** The first frame the member picked, checked before the form was shown. */
  image: videoRequestSchema.shape.image.unwrap(),
  createdAt: z.number(),
});

/** What a member picked before filling in a form (the image of "Animate image"). */
export type Draft = Omit<z.infer<typeof draftSchema>, 'version'>;

/** A new draft id (short, safe in a custom id), known before anything is stored. */
export const newDraftId = (): string => randomBytes(9).toString('base64url');

export interface DraftStore {
  /** Keeps a draft for an hour under `id` (default a new one); returns its id. */
  put(draft: Draft, id?: string): Promise<string>;
  /** The draft, or undefined when it expired or never existed. */
  get(id: string): Promise<Draft | undefined>;
  /** Forgets a draft once its form was sent (a sent form cannot be sent again). */
  delete(id: string): Promise<void>;
}

/**
 * Drafts live in the store, not in memory: a form submitted after a restart, or to another shard
 * process, still finds what was picked before it was opened.
 */
export function createDraftStore(store: Store): DraftStore {
  return {
    async put(draft, id = newDraftId()) {
      await store.kv.set(draftKey(id), { version: 1, ...draft }, DRAFT_TTL_MS);
      return id;
    },
    async delete(id) {
      if (/^[\w-]{1,32}$/.test(id)) await store.kv.delete(draftKey(id));
    },
    async get(id) {
      if (!/^[\w-]{1,32}$/.test(id)) return undefined;
      const parsed = draftSchema.safeParse(await store.kv.get(draftKey(id)));
      if (!parsed.success) return undefined;
      const { version: _version, ...draft } = parsed.data;
      return draft;
    },
  };
}
