import type { Store } from '../store/types.js';
import { storedPolicySchema, type StoredPolicy } from './policy.js';
import { readValidated, writeChecked } from './record-io.js';

/** Store access for guild policies, under `quota:policy:<guildId>`. */
export interface PolicyRepository {
  /** The guild's stored choices, or undefined for a guild that never set any. */
  read(guildId: string): Promise<StoredPolicy | undefined>;
  write(guildId: string, policy: StoredPolicy): Promise<void>;
}

/** Key of a guild's policy record. */
export const policyKey = (guildId: string): string => `quota:policy:${guildId}`;

/** Policies never expire: they are what an admin chose. */
export function createPolicyRepository(store: Store): PolicyRepository {
  return {
    read: (guildId) => readValidated(store.kv, policyKey(guildId), storedPolicySchema),
    write: (guildId, policy) => writeChecked(store.kv, policyKey(guildId), storedPolicySchema.parse(policy)),
  };
}
