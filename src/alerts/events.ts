import type { QuotaPolicy } from '../quota/policy.js';
import type { QuotaPeriod } from '../quota/types.js';

/** Budget thresholds announced in the log channel, in percent of the period's limit. */
export const BUDGET_THRESHOLDS = [50, 80, 100] as const;
export type BudgetThreshold = (typeof BUDGET_THRESHOLDS)[number];
/** Thresholds that ping the alert role; 50 % is only written down. */
export const PINGING_THRESHOLDS: readonly BudgetThreshold[] = [80, 100];

/** One setting an admin changed, before and after, as plain values the front end words. */
export type PolicyChange =
  | { field: 'limit' | 'perUser' | 'maxConcurrent'; before: number | null; after: number | null }
  | { field: 'period'; before: QuotaPeriod; after: QuotaPeriod }
  | { field: 'roleOverride'; roleId: string; before: number | null; after: number | null }
  | { field: 'channels' | 'bannedWords'; added: string[]; removed: string[] };

/** What a provider incident is: the key refused, the balance empty, or the API failing for a while. */
export type ProviderTrouble = 'auth' | 'payment' | 'outage';

/**
 * Something a server's admins should hear about in their log channel (`/quota log`). Plain ids
 * and numbers: the Discord layer renders them in the admins' language.
 */
export type AdminEvent =
  | { kind: 'policy_changed'; actorId: string; changes: PolicyChange[] }
  | { kind: 'usage_reset'; actorId: string; memberId: string | null; credits: number }
  | { kind: 'member_blocked'; actorId: string; memberId: string; reason: string | null }
  | { kind: 'member_unblocked'; actorId: string; memberId: string }
  | { kind: 'log_enabled'; actorId: string; alertRoleId: string | null }
  | { kind: 'budget_threshold'; percent: BudgetThreshold; used: number; limit: number; period: QuotaPeriod; resetsAt: number }
  | { kind: 'provider_trouble'; trouble: ProviderTrouble; since: number }
  | { kind: 'banned_word'; memberId: string; channelId: string; word: string };

/**
 * Where admin events go. The Discord layer implements it (posting to the server's log channel);
 * `emit` never throws and never delays the caller's answer to a member: it is fire-and-forget.
 */
export interface AdminEventSink {
  emit(guildId: string, event: AdminEvent): void;
}

/** A sink that drops everything: the default when no front end listens. */
export const NO_ADMIN_EVENTS: AdminEventSink = { emit: () => undefined };

const listDiff = (before: readonly string[], after: readonly string[]) => ({
  added: after.filter((v) => !before.includes(v)),
  removed: before.filter((v) => !after.includes(v)),
});

/**
 * The settings that differ between two policies, for the log channel's "who changed what,
 * before → after". Blocks and the log channel itself have their own events, so they are left out.
 */
export function policyChanges(before: QuotaPolicy, after: QuotaPolicy): PolicyChange[] {
  const changes: PolicyChange[] = [];
  for (const field of ['limit', 'perUser', 'maxConcurrent'] as const) {
    if (before[field] !== after[field]) changes.push({ field, before: before[field], after: after[field] });
  }
  if (before.period !== after.period) changes.push({ field: 'period', before: before.period, after: after.period });
  const roles = [...new Set([...Object.keys(before.roleOverrides), ...Object.keys(after.roleOverrides)])].sort();
  for (const roleId of roles) {
    const [was, now] = [before.roleOverrides[roleId] ?? null, after.roleOverrides[roleId] ?? null];
    if (was !== now) changes.push({ field: 'roleOverride', roleId, before: was, after: now });
  }
  for (const field of ['allowedChannelIds', 'bannedWords'] as const) {
    const diff = listDiff(before[field], after[field]);
    if (diff.added.length + diff.removed.length > 0)
      changes.push({ field: field === 'allowedChannelIds' ? 'channels' : 'bannedWords', ...diff });
  }
  return changes;
}
