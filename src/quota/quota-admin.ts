import { periodKey } from './periods.js';
import {
  normalizeWord,
  POLICY_BOUNDS,
  policyPatchSchema,
  resolvePolicy,
  type PolicyDefaults,
  type PolicyPatch,
  type QuotaPolicy,
  type StoredPolicy,
} from './policy.js';
import type { PolicyRepository } from './policy-repository.js';
import type { UsageRepository } from './usage-repository.js';
import { NO_ADMIN_EVENTS, policyChanges, type AdminEventSink } from '../alerts/events.js';

/** Why an admin change was refused; the Discord layer words it. */
export type PolicyChangeRefusal =
  | { reason: 'invalid_policy'; fields: string[] }
  | { reason: 'invalid_limit'; max: number }
  | { reason: 'too_many_overrides'; max: number }
  | { reason: 'too_many_channels'; max: number }
  | { reason: 'too_many_words'; max: number }
  | { reason: 'word_too_long'; max: number }
  | { reason: 'word_empty' }
  | { reason: 'too_many_blocked'; max: number };

/** The guild's policy after the change; `changed` is false when it already was that way. */
export type PolicyChangeResult = { ok: true; policy: QuotaPolicy; changed: boolean } | ({ ok: false } & PolicyChangeRefusal);

export interface ResetResult {
  ok: true;
  periodKey: string;
  /** Credits given back to the period's budget. */
  credits: number;
}

interface AdminDeps {
  policies: PolicyRepository;
  usage: UsageRepository;
  clock: () => number;
  defaults: PolicyDefaults;
  /** Told about every change an admin makes (for the log channel). */
  events?: AdminEventSink;
}

type Change = StoredPolicy | PolicyChangeRefusal;
const isRefusal = (c: Change): c is PolicyChangeRefusal => 'reason' in c;
const EMPTY: StoredPolicy = { roleOverrides: {}, allowedChannelIds: [], bannedWords: [], blocked: {}, log: null };

/** The admin operations behind `/quota`; each change is made under the guild's quota lock. */
export function createQuotaAdmin(deps: AdminDeps) {
  const { policies, usage: repo } = deps;

  const events = deps.events ?? NO_ADMIN_EVENTS;

  /**
   * Same lock as reservations: a change never lands between a reservation's check and its write.
   * With an `actorId`, a change that altered settings is announced in the log channel.
   */
  const update = (guildId: string, change: (current: StoredPolicy) => Change, actorId?: string): Promise<PolicyChangeResult> =>
    repo.withGuild(guildId, async (lease) => {
      const current = (await policies.read(guildId)) ?? EMPTY;
      const next = change(current);
      if (isRefusal(next)) return { ok: false, ...next };
      const changed = JSON.stringify(next) !== JSON.stringify(current);
      if (changed) await policies.write(guildId, next, [lease]);
      const policy = resolvePolicy(next, deps.defaults);
      if (changed && actorId !== undefined) {
        const changes = policyChanges(resolvePolicy(current, deps.defaults), policy);
        if (changes.length > 0) events.emit(guildId, { kind: 'policy_changed', actorId, changes });
      }
      return { ok: true, policy, changed };
    });

  const channelList = (ids: string[]): Change | string[] =>
    ids.length > POLICY_BOUNDS.allowedChannels ? { reason: 'too_many_channels', max: POLICY_BOUNDS.allowedChannels } : ids;

  return {
    /** The policy in force, defaults filled in. */
    getPolicy: async (guildId: string): Promise<QuotaPolicy> => resolvePolicy(await policies.read(guildId), deps.defaults),

    /** Changes limit, period, per-member limit or concurrency; `perUser` 0 or null removes the member limit. */
    setPolicy: (guildId: string, patch: PolicyPatch, actorId?: string): Promise<PolicyChangeResult> => {
      const parsed = policyPatchSchema.safeParse(patch);
      if (!parsed.success) {
        const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? i.code)))];
        return Promise.resolve({ ok: false, reason: 'invalid_policy', fields });
      }
      const { perUser, ...rest } = parsed.data;
      return update(guildId, (p) => ({ ...p, ...rest, ...(perUser !== undefined && { perUser: perUser || null }) }), actorId);
    },

    /** Gives members holding `roleId` their own per-member limit; 0 clears the override. */
    setRoleOverride: (guildId: string, roleId: string, perUser: number, actorId?: string): Promise<PolicyChangeResult> =>
      update(
        guildId,
        (p) => {
          if (!Number.isInteger(perUser) || perUser < 0 || perUser > POLICY_BOUNDS.maxCredits)
            return { reason: 'invalid_limit', max: POLICY_BOUNDS.maxCredits };
          const { [roleId]: previous, ...others } = p.roleOverrides;
          if (perUser === 0) return { ...p, roleOverrides: others };
          if (previous === undefined && Object.keys(others).length >= POLICY_BOUNDS.roleOverrides)
            return { reason: 'too_many_overrides', max: POLICY_BOUNDS.roleOverrides };
          return { ...p, roleOverrides: { ...others, [roleId]: perUser } };
        },
        actorId,
      ),

    /** Replaces the allowed channels; an empty list allows every channel. */
    setChannels: (guildId: string, channelIds: readonly string[], actorId?: string): Promise<PolicyChangeResult> =>
      update(
        guildId,
        (p) => {
          const ids = channelList([...new Set(channelIds)]);
          return Array.isArray(ids) ? { ...p, allowedChannelIds: ids } : ids;
        },
        actorId,
      ),

    addChannel: (guildId: string, channelId: string, actorId?: string): Promise<PolicyChangeResult> =>
      update(
        guildId,
        (p) => {
          if (p.allowedChannelIds.includes(channelId)) return p;
          const ids = channelList([...p.allowedChannelIds, channelId]);
          return Array.isArray(ids) ? { ...p, allowedChannelIds: ids } : ids;
        },
        actorId,
      ),

    /** Removing the last allowed channel allows every channel again. */
    removeChannel: (guildId: string, channelId: string, actorId?: string): Promise<PolicyChangeResult> =>
      update(guildId, (p) => ({ ...p, allowedChannelIds: p.allowedChannelIds.filter((id) => id !== channelId) }), actorId),

    /** Adds a word (stored case- and width-folded); the list holds at most 50 words of ≤ 50 characters. */
    addBannedWord: (guildId: string, word: string, actorId?: string): Promise<PolicyChangeResult> =>
      update(
        guildId,
        (p) => {
          const w = normalizeWord(word);
          if (w.length === 0) return { reason: 'word_empty' };
          if (w.length > POLICY_BOUNDS.bannedWordLength) return { reason: 'word_too_long', max: POLICY_BOUNDS.bannedWordLength };
          if (p.bannedWords.includes(w)) return p;
          if (p.bannedWords.length >= POLICY_BOUNDS.bannedWords) return { reason: 'too_many_words', max: POLICY_BOUNDS.bannedWords };
          return { ...p, bannedWords: [...p.bannedWords, w] };
        },
        actorId,
      ),

    removeBannedWord: (guildId: string, word: string, actorId?: string): Promise<PolicyChangeResult> =>
      update(guildId, (p) => ({ ...p, bannedWords: p.bannedWords.filter((w) => w !== normalizeWord(word)) }), actorId),

    /**
     * Blocks a member: their requests are refused before anything is reserved. Blocking again
     * replaces the reason. At most {@link POLICY_BOUNDS.blockedMembers} members.
     */
    blockMember: (guildId: string, userId: string, reason: string | null, actorId: string): Promise<PolicyChangeResult> =>
      update(guildId, (p) => {
        const { [userId]: previous, ...others } = p.blocked;
        if (previous === undefined && Object.keys(others).length >= POLICY_BOUNDS.blockedMembers)
          return { reason: 'too_many_blocked', max: POLICY_BOUNDS.blockedMembers };
        const cut = reason === null ? null : [...reason.trim()].slice(0, POLICY_BOUNDS.blockReasonLength).join('') || null;
        if (previous && previous.reason === cut) return p;
        return { ...p, blocked: { ...others, [userId]: { reason: cut, byUserId: actorId, at: deps.clock() } } };
      }).then((result) => {
        if (result.ok && result.changed)
          events.emit(guildId, {
            kind: 'member_blocked',
            actorId,
            memberId: userId,
            reason: result.policy.blocked[userId]?.reason ?? null,
          });
        return result;
      }),

    /** Lets a blocked member make videos again; `changed` is false when they were not blocked. */
    unblockMember: (guildId: string, userId: string, actorId: string): Promise<PolicyChangeResult> =>
      update(guildId, (p) => {
        const { [userId]: _unblocked, ...others } = p.blocked;
        return { ...p, blocked: others };
      }).then((result) => {
        if (result.ok && result.changed) events.emit(guildId, { kind: 'member_unblocked', actorId, memberId: userId });
        return result;
      }),

    /**
     * Sends admin events to `channelId` (null turns logging off), pinging `alertRoleId` at 80 % and
     * 100 % of the budget. `locale` is the language entries are written in.
     */
    setLogChannel: (
      guildId: string,
      log: { channelId: string; alertRoleId: string | null; locale: string } | null,
      actorId: string,
    ): Promise<PolicyChangeResult> =>
      update(guildId, (p) => ({ ...p, log })).then((result) => {
        if (result.ok && log !== null) events.emit(guildId, { kind: 'log_enabled', actorId, alertRoleId: log.alertRoleId });
        return result;
      }),

    /**
     * Forgives what the guild (or one member) used this period. Jobs still in flight keep their
     * concurrency slot but stop counting against the budget, and are not given back twice if they fail.
     */
    resetUsage: (guildId: string, userId?: string, actorId?: string): Promise<ResetResult> =>
      repo.withGuild(guildId, async (lease) => {
        const policy = resolvePolicy(await policies.read(guildId), deps.defaults);
        const key = periodKey(policy.period, deps.clock());
        const [usage, inFlight] = await Promise.all([repo.readUsage(guildId, key), repo.readInFlight(guildId)]);
        const forgiven = Object.entries(usage.used).filter(([id]) => userId === undefined || id === userId);
        const credits = forgiven.reduce((total, [, used]) => total + used, 0);
        const forgivenIds = new Set(forgiven.map(([id]) => id));
        const used = Object.fromEntries(Object.entries(usage.used).filter(([id]) => !forgivenIds.has(id)));
        const flights = Object.fromEntries(
          Object.entries(inFlight).map(([id, f]) => {
            const hit = f.periodKey === key && (userId === undefined || f.userId === userId);
            return [id, hit ? { ...f, counted: false } : f];
          }),
        );
        await repo.writeAll({ inFlight: { guildId, value: flights }, usage: { guildId, periodKey: key, value: { used } } }, [], [lease]);
        if (actorId !== undefined) events.emit(guildId, { kind: 'usage_reset', actorId, memberId: userId ?? null, credits });
        return { ok: true, periodKey: key, credits };
      }),
  };
}

/** The admin half of the quota service. */
export type QuotaAdmin = ReturnType<typeof createQuotaAdmin>;
