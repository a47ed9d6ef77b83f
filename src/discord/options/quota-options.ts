import { ApplicationCommandOptionType, ChannelType, type ChatInputCommandInteraction, type CommandInteractionOption } from 'discord.js';
import { z } from 'zod';
import { periodSchema, POLICY_BOUNDS } from '../../quota/policy.js';
import type { QuotaPeriod } from '../../quota/types.js';

export const QUOTA_PERIODS = periodSchema.options;
export const CHANNEL_ACTIONS = ['add', 'remove', 'list', 'clear'] as const;
export const WORD_ACTIONS = ['add', 'remove', 'list'] as const;
export const EXPORT_PERIODS = ['current', 'previous'] as const;
/**
 * Channels `/quota channels` can allow: every kind where members can run `/video` (Discord's
 * channel types: text, announcement, the text chat of voice and stage channels, forums and media
 * channels, whose posts are threads). A thread counts as its parent (see threadParentId).
 */
export const ALLOWED_CHANNEL_TYPES = [
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.GuildForum,
  ChannelType.GuildMedia,
  ChannelType.GuildVoice,
  ChannelType.GuildStageVoice,
] as const;
/** The log channel holds the bot's own messages: a text channel. */
export const LOG_CHANNEL_TYPES = [ChannelType.GuildText] as const;

/** Bounds of the integer options: the builder shows them, and the reader enforces them again. */
export const INT_BOUNDS = Object.freeze({
  limit: { min: 0, max: POLICY_BOUNDS.maxCredits },
  per_user: { min: 0, max: POLICY_BOUNDS.maxCredits },
  max_concurrent: { min: 1, max: POLICY_BOUNDS.maxConcurrent },
});
type IntOption = keyof typeof INT_BOUNDS;

/** One `/quota` invocation as plain values. */
export type QuotaAction =
  | { sub: 'set'; limit: number; period: QuotaPeriod; perUser: number | null; maxConcurrent: number | null }
  | { sub: 'show' }
  | { sub: 'reset'; userId: string | null }
  | { sub: 'role'; roleId: string; perUser: number }
  | { sub: 'channels'; action: 'add' | 'remove'; channelId: string }
  | { sub: 'channels'; action: 'list' | 'clear' }
  | { sub: 'banned-words'; action: 'add' | 'remove'; word: string }
  | { sub: 'banned-words'; action: 'list' }
  | { sub: 'log'; channelId: string | null; alertRoleId: string | null }
  | { sub: 'block'; userId: string; reason: string | null }
  | { sub: 'unblock'; userId: string }
  | { sub: 'export'; period: (typeof EXPORT_PERIODS)[number] };

/** Why an option value was not accepted; Discord's client enforces most of these, forged payloads do not. */
export type QuotaOptionProblem =
  | { code: 'range'; option: IntOption; min: number; max: number }
  | { code: 'choice'; option: string }
  | { code: 'missing'; option: string }
  | { code: 'channel_type' }
  | { code: 'allowed_channel_type' }
  | { code: 'everyone_role' }
  | { code: 'everyone_alert' }
  | { code: 'block_self' }
  | { code: 'word_too_long'; max: number }
  /** No subcommand Discord would send (a forged payload): there is no option to name. */
  | { code: 'subcommand' };

export type ReadQuotaOptions = { ok: true; action: QuotaAction } | { ok: false; problems: QuotaOptionProblem[] };

const int = (option: IntOption) => z.number().int().min(INT_BOUNDS[option].min).max(INT_BOUNDS[option].max);
const id = z.string().regex(/^\d{1,20}$/);
// A user, role or channel option is an id Discord checked against its declared type and resolved;
// the same digits in another type of option were checked by no one, so the type must match too.
const user = z.object({ type: z.literal(ApplicationCommandOptionType.User), value: id }).transform((o) => o.value);
const role = z.object({ type: z.literal(ApplicationCommandOptionType.Role), value: id }).transform((o) => o.value);
// Which kind of channel it is comes only from what Discord resolved: an unresolved id is refused.
const channel = <T extends readonly ChannelType[]>(types: T) =>
  z
    .object({ type: z.literal(ApplicationCommandOptionType.Channel), value: id, channelType: z.literal(types) })
    .transform((o) => ({ id: o.value, type: o.channelType }));

const schema = z.discriminatedUnion('sub', [
  z.object({
    sub: z.literal('set'),
    limit: int('limit'),
    period: periodSchema,
    per_user: int('per_user').nullable(),
    max_concurrent: int('max_concurrent').nullable(),
  }),
  z.object({ sub: z.literal('show') }),
  z.object({ sub: z.literal('reset'), user: user.nullable() }),
  z.object({ sub: z.literal('role'), role, per_user: int('per_user') }),
  z.object({ sub: z.literal('channels'), action: z.enum(CHANNEL_ACTIONS), channel: channel(ALLOWED_CHANNEL_TYPES).nullable() }),
  z.object({
    sub: z.literal('banned-words'),
    action: z.enum(WORD_ACTIONS),
    word: z.string().max(POLICY_BOUNDS.bannedWordLength).nullable(),
  }),
  z.object({
    sub: z.literal('log'),
    channel: channel(LOG_CHANNEL_TYPES).nullable(),
    alert_role: role.nullable(),
  }),
  z.object({ sub: z.literal('block'), member: user, reason: z.string().max(POLICY_BOUNDS.blockReasonLength).nullable() }),
  z.object({ sub: z.literal('unblock'), member: user }),
  z.object({ sub: z.literal('export'), export_period: z.enum(EXPORT_PERIODS).nullable() }),
]);

function problemOf(issue: z.core.$ZodIssue, sub: string): QuotaOptionProblem {
  const option = String(issue.path[0] ?? 'sub');
  if (option === 'sub') return { code: 'subcommand' };
  if (option in INT_BOUNDS) return { code: 'range', option: option as IntOption, ...INT_BOUNDS[option as IntOption] };
  if (option === 'channel') return sub === 'log' ? { code: 'channel_type' } : { code: 'allowed_channel_type' };
  if (option === 'word' && issue.code === 'too_big') return { code: 'word_too_long', max: POLICY_BOUNDS.bannedWordLength };
  if (option === 'period' || option === 'action') return { code: 'choice', option };
  if (option === 'export_period') return { code: 'choice', option: 'period' };
  if (option === 'reason') return { code: 'missing', option };
  return { code: 'missing', option };
}

/**
 * Reads and checks the `/quota` options. Values are checked again by the quota core.
 *
 * The options are read from the payload as it came (`interaction.options.data`), never through
 * discord.js' typed getters (getInteger, getUser…): those throw when a forged or replayed payload
 * gives an option another type (`limit` as the number 1.5 or the text "abc"), which would end as
 * "Something went wrong". Here zod judges every value, so a wrong type gets the same list of what
 * to change as a wrong value, and nothing is changed.
 */
export function readQuotaOptions(interaction: ChatInputCommandInteraction): ReadQuotaOptions {
  const { sub, options } = subcommandOf(interaction.options.data);
  const byName = new Map(options.map((option) => [option.name, option]));
  const value = (name: string): unknown => byName.get(name)?.value ?? null;
  const ref = (name: string) => {
    const option = byName.get(name);
    if (!option) return null;
    return { type: option.type, value: option.value ?? null, channelType: option.channel?.type ?? null };
  };
  const raw = {
    sub,
    limit: value('limit'),
    // `period` means day/week/month for set, and current/previous for export.
    [sub === 'export' ? 'export_period' : 'period']: value('period'),
    per_user: value('per_user'),
    max_concurrent: value('max_concurrent'),
    user: ref('user'),
    role: ref('role'),
    action: value('action'),
    channel: ref('channel'),
    word: value('word'),
    alert_role: ref('alert_role'),
    member: ref('member'),
    reason: value('reason'),
  };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => problemOf(issue, sub));
    const unique = [...new Map(problems.map((p) => [JSON.stringify(p), p])).values()];
    return { ok: false, problems: unique };
  }
  const checked = parsed.data;
  // @everyone's id is the guild's: it is never among a member's role ids, so an override would do nothing.
  if (checked.sub === 'role' && checked.role === interaction.guildId) return { ok: false, problems: [{ code: 'everyone_role' }] };
  // Pinging @everyone is exactly what an alert role must not do.
  if (checked.sub === 'log' && checked.alert_role !== null && checked.alert_role === interaction.guildId)
    return { ok: false, problems: [{ code: 'everyone_alert' }] };
  if (checked.sub === 'block' && checked.member === interaction.user.id) return { ok: false, problems: [{ code: 'block_self' }] };
  return toAction(checked);
}

/** The subcommand's name and its options, found without discord.js' getters (see readQuotaOptions). */
function subcommandOf(data: readonly CommandInteractionOption[]): { sub: string; options: readonly CommandInteractionOption[] } {
  const top = data[0];
  if (top?.type !== ApplicationCommandOptionType.Subcommand) return { sub: '', options: data };
  return { sub: top.name, options: top.options ?? [] };
}

const missing = (option: string): ReadQuotaOptions => ({ ok: false, problems: [{ code: 'missing', option }] });

// Discord cannot make an option required only for some choices of another, so add/remove check it here.
function toAction(value: z.infer<typeof schema>): ReadQuotaOptions {
  const ok = (action: QuotaAction): ReadQuotaOptions => ({ ok: true, action });
  switch (value.sub) {
    case 'set':
      return ok({ sub: 'set', limit: value.limit, period: value.period, perUser: value.per_user, maxConcurrent: value.max_concurrent });
    case 'show':
      return ok({ sub: 'show' });
    case 'reset':
      return ok({ sub: 'reset', userId: value.user });
    case 'role':
      return ok({ sub: 'role', roleId: value.role, perUser: value.per_user });
    case 'channels': {
      const { action, channel } = value;
      if (action === 'list' || action === 'clear') return ok({ sub: 'channels', action });
      return channel ? ok({ sub: 'channels', action, channelId: channel.id }) : missing('channel');
    }
    case 'banned-words': {
      const { action, word } = value;
      if (action === 'list') return ok({ sub: 'banned-words', action });
      return word ? ok({ sub: 'banned-words', action, word }) : missing('word');
    }
    case 'log':
      return ok({ sub: 'log', channelId: value.channel?.id ?? null, alertRoleId: value.channel ? value.alert_role : null });
    case 'block':
      return ok({ sub: 'block', userId: value.member, reason: value.reason?.trim() || null });
    case 'unblock':
      return ok({ sub: 'unblock', userId: value.member });
    case 'export':
      return ok({ sub: 'export', period: value.export_period ?? 'current' });
  }
}
