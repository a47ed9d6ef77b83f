import { z } from 'zod';
import { readValidated, writeChecked } from '../quota/record-io.js';
import type { Store } from '../store/types.js';

const failureSchema = z.object({
  channelId: z.string().min(1),
  /** Why the last post failed: the bot cannot see or write in the channel, or it is gone. */
  problem: z.enum(['no_access', 'missing_permissions', 'unknown_channel', 'other']),
  /** ms epoch of the failed post. */
  at: z.number(),
});
/** The last failed post to a server's log channel, kept until a post there succeeds. */
export type LogFailure = z.infer<typeof failureSchema>;

const key = (guildId: string) => `alerts:loghealth:${guildId}`;

/** Whether the bot could write to each server's log channel, so `/quota show` can say it could not. */
export interface LogHealth {
  /** The failure recorded for the guild, or undefined when the last post (if any) went through. */
  read(guildId: string): Promise<LogFailure | undefined>;
  failed(guildId: string, failure: LogFailure): Promise<void>;
  /** A post went through: forgets a recorded failure (a read, and a write only when one was kept). */
  succeeded(guildId: string): Promise<void>;
}

/** Builds the log-channel health records on the shared store (`alerts:loghealth:<guildId>`). */
export function createLogHealth(store: Store): LogHealth {
  return {
    read: (guildId) => readValidated(store.kv, key(guildId), failureSchema),
    failed: (guildId, failure) => writeChecked(store.kv, key(guildId), failureSchema.parse(failure)),
    succeeded: async (guildId) => {
      if ((await store.kv.get(key(guildId))) !== undefined) await store.kv.delete(key(guildId));
    },
  };
}
