import type { Store } from '../store/types.js';
import { storedPolicySchema, type StoredPolicy } from './policy.js';
import { readValidated } from './record-io.js';

/** Store access for guild policies, under `quota:policy:<guildId>`. */
export interface PolicyRepository {
  /** The guild's stored choices, or undefined for a guild that never set any. */
  read(guildId: string): Promise<StoredPolicy | undefined>;
  /**
   * Writes the guild's policy while `held` (the guild lock's lease) is still this holder's: on
   * Redis the store checks it in the same atomic step, so a holder that stalled past its lease
   * (another process changed the policy meanwhile) writes nothing.
   * @throws LockLeaseLostError when the lease was lost; the store's errors.
   */
  write(guildId: string, policy: StoredPolicy, held: readonly AbortSignal[]): Promise<void>;
}

/** Key of a guild's policy record. */
export const policyKey = (guildId: string): string => `quota:policy:${guildId}`;

/** Policies never expire: they are what an admin chose. */
export function createPolicyRepository(store: Store): PolicyRepository {
  return {
    read: (guildId) => readValidated(store.kv, policyKey(guildId), storedPolicySchema),
    write: (guildId, policy, held) => store.commit([{ key: policyKey(guildId), value: storedPolicySchema.parse(policy) }], held),
  };
}
