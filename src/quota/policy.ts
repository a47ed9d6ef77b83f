import { z } from 'zod';
import type { QuotaPeriod } from './types.js';

/** Bounds of what an admin may set; the Discord layer can show them in option descriptions. */
export const POLICY_BOUNDS = Object.freeze({
  maxCredits: 1_000_000,
  maxConcurrent: 20,
  bannedWords: 50,
  bannedWordLength: 50,
  allowedChannels: 100,
  roleOverrides: 25,
  blockedMembers: 500,
  blockReasonLength: 200,
});

/** Jobs in flight per guild when the admin has not said otherwise. */
export const DEFAULT_MAX_CONCURRENT = 3;

/** A guild's policy with every default filled in: what reservations are judged by. */
export interface QuotaPolicy {
  /** Credits per period; 0 turns generation off for the guild. */
  limit: number;
  period: QuotaPeriod;
  /** Credits per member per period; null means members share the guild budget freely. */
  perUser: number | null;
  maxConcurrent: number;
  /** Role id → per-member limit for members holding that role. */
  roleOverrides: Record<string, number>;
  /** Empty means every channel. */
  allowedChannelIds: string[];
  /** Stored normalized (see {@link normalizeWord}). */
  bannedWords: string[];
  /** Members whose requests are refused (`/quota block`), by user id. */
  blocked: Record<string, BlockedMember>;
  /** Where admin events go (`/quota log`); null = logging off. */
  log: LogChannel | null;
}

/** Who blocked a member, when, and why (the reason is for admins only). */
export interface BlockedMember {
  reason: string | null;
  byUserId: string;
  /** ms epoch */
  at: number;
}

/** The server's log channel and the role pinged at 80 % and 100 % of the budget. */
export interface LogChannel {
  channelId: string;
  alertRoleId: string | null;
  /** The language log entries are written in: that of the admin who chose the channel. */
  locale: string;
}

/** The operator's starting point for guilds that have not set their own budget. */
export interface PolicyDefaults {
  limit: number;
  period: QuotaPeriod;
}

const credits = z.number().int().min(0).max(POLICY_BOUNDS.maxCredits);
export const periodSchema = z.enum(['day', 'week', 'month']);

/**
 * What is stored per guild. `limit`, `period` and `maxConcurrent` stay absent until an admin sets
 * them, so a guild that never chose follows the operator's current defaults.
 */
export const storedPolicySchema = z.object({
  limit: credits.optional(),
  period: periodSchema.optional(),
  perUser: credits.min(1).nullable().optional(),
  maxConcurrent: z.number().int().min(1).max(POLICY_BOUNDS.maxConcurrent).optional(),
  roleOverrides: z.record(z.string().min(1), credits.min(1)).default({}),
  allowedChannelIds: z.array(z.string().min(1)).max(POLICY_BOUNDS.allowedChannels).default([]),
  bannedWords: z.array(z.string().min(1).max(POLICY_BOUNDS.bannedWordLength)).max(POLICY_BOUNDS.bannedWords).default([]),
  blocked: z
    .record(
      z.string().min(1),
      z.object({ reason: z.string().max(POLICY_BOUNDS.blockReasonLength).nullable(), byUserId: z.string().min(1), at: z.number() }),
    )
    .default({}),
  log: z
    .object({ channelId: z.string().min(1), alertRoleId: z.string().min(1).nullable(), locale: z.string().min(1).max(20) })
    .nullable()
    .default(null),
});
export type StoredPolicy = z.infer<typeof storedPolicySchema>;

/** What `/quota set` may change; `perUser` 0 or null removes the per-member limit. */
export const policyPatchSchema = z
  .object({
    limit: credits,
    period: periodSchema,
    perUser: credits.nullable(),
    maxConcurrent: z.number().int().min(1).max(POLICY_BOUNDS.maxConcurrent),
  })
  .partial()
  .strict();
export type PolicyPatch = z.infer<typeof policyPatchSchema>;

/** Fills what the guild left unset from the operator's defaults. */
export function resolvePolicy(stored: StoredPolicy | undefined, defaults: PolicyDefaults): QuotaPolicy {
  return {
    limit: stored?.limit ?? defaults.limit,
    period: stored?.period ?? defaults.period,
    perUser: stored?.perUser ?? null,
    maxConcurrent: stored?.maxConcurrent ?? DEFAULT_MAX_CONCURRENT,
    roleOverrides: { ...stored?.roleOverrides },
    allowedChannelIds: [...(stored?.allowedChannelIds ?? [])],
    bannedWords: [...(stored?.bannedWords ?? [])],
    blocked: { ...stored?.blocked },
    log: stored?.log ? { ...stored.log } : null,
  };
}

/**
 * A member's limit per period. A role override replaces the guild's `perUser` for members holding
 * that role, which lets admins tier their community in both directions; a member with several
 * such roles gets the most generous. null = no per-member limit.
 */
export function memberLimit(policy: QuotaPolicy, roleIds: readonly string[]): number | null {
  const overrides = roleIds.map((id) => policy.roleOverrides[id]).filter((v): v is number => v !== undefined);
  return overrides.length > 0 ? Math.max(...overrides) : policy.perUser;
}

/**
 * Case- and width-insensitive form of a word or prompt. NFKC folds full-width letters
 * (common in CJK input) onto ASCII so they cannot slip past the list.
 */
export function normalizeWord(text: string): string {
  return text.normalize('NFKC').toLowerCase().trim();
}

/**
 * The first banned word the prompt contains, if any. Matching is by substring rather than whole
 * words: Chinese and Japanese prompts have no spaces between words.
 */
export function findBannedWord(bannedWords: readonly string[], prompt: string): string | undefined {
  // Most servers ban nothing: no need to normalise the prompt for them.
  if (bannedWords.length === 0) return undefined;
  const text = normalizeWord(prompt);
  return bannedWords.find((word) => text.includes(word));
}
