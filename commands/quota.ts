import {
  AttachmentBuilder,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type APIEmbed,
  type ChatInputCommandInteraction,
  type SharedNameAndDescription,
} from 'discord.js';
import { t, translatorFor, type MessageKey } from '../src/i18n/index.js';
import type { BotContext, Command } from '../src/discord/command.js';
import { installedGuildId, memberRoleIds } from '../src/discord/interaction-context.js';
import {
  CHANNEL_ACTIONS,
  EXPORT_PERIODS,
  INT_BOUNDS,
  QUOTA_CHANNEL_TYPES,
  QUOTA_PERIODS,
  readQuotaOptions,
  WORD_ACTIONS,
  type QuotaAction,
} from '../src/discord/options/quota-options.js';
import {
  bannedWordsEmbed,
  changeRefusalEmbed,
  channelsEmbed,
  notAdminEmbed,
  optionProblemsEmbed,
  policySavedEmbed,
  resetEmbed,
  roleOverrideEmbed,
} from '../src/discord/render/quota-admin.js';
import { quotaShowEmbed } from '../src/discord/render/quota-show.js';
import { blockEmbed, exportEmbed, exportTooLargeEmbed, logChannelEmbed, unblockEmbed } from '../src/discord/render/admin-answers.js';

// Discord's upload limit for servers without boosts, when the interaction does not say.
const DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024;
import { topMembers, usageChartAttachment } from '../src/discord/render/usage-chart.js';
import { displayNames } from '../src/discord/display-names.js';
import { exportFilename, ledgerCsv } from '../src/quota/ledger-csv.js';
import { periodEnd } from '../src/quota/periods.js';
import { POLICY_BOUNDS } from '../src/quota/policy.js';
import type { PolicyChangeResult } from '../src/quota/quota-admin.js';
import type { QuotaService } from '../src/quota/quota-service.js';

type Localized =
  | 'cmd.quota'
  | `cmd.quota.${'set' | 'show' | 'reset' | 'role' | 'channels' | 'banned-words' | 'log' | 'block' | 'unblock' | 'export'}`
  | `opt.${LocalizedOption}`;
type LocalizedOption =
  | 'limit'
  | 'period'
  | 'per_user'
  | 'max_concurrent'
  | 'user'
  | 'role'
  | 'role_per_user'
  | 'channel_action'
  | 'channel'
  | 'word_action'
  | 'word'
  | 'log_channel'
  | 'alert_role'
  | 'member'
  | 'reason'
  | 'export_period';

/** English name and description plus their zh-CN localizations, from the catalogues. */
function named<T extends SharedNameAndDescription>(builder: T, name: string, key: Localized): T {
  return builder
    .setName(name)
    .setNameLocalizations({ 'zh-CN': t('zh-CN', `${key}.name`) })
    .setDescription(t('en', `${key}.description`))
    .setDescriptionLocalizations({ 'zh-CN': t('zh-CN', `${key}.description`) });
}

const choice = <V extends string>(key: (value: V) => MessageKey) => (value: V) => ({ name: t('en', key(value)), name_localizations: { 'zh-CN': t('zh-CN', key(value)) }, value });
const periodChoice = choice((v: (typeof QUOTA_PERIODS)[number]) => `choice.period.${v}`);
const actionChoice = choice((v: (typeof CHANNEL_ACTIONS)[number]) => `choice.action.${v}`);
const exportChoice = choice((v: (typeof EXPORT_PERIODS)[number]) => `choice.export.${v}`);

export const data = named(new SlashCommandBuilder(), 'quota', 'cmd.quota')
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(0)
  .setIntegrationTypes(0)
  .addSubcommand((s) =>
    named(s, 'set', 'cmd.quota.set')
      .addIntegerOption((o) => named(o, 'limit', 'opt.limit').setRequired(true).setMinValue(INT_BOUNDS.limit.min).setMaxValue(INT_BOUNDS.limit.max))
      .addStringOption((o) => named(o, 'period', 'opt.period').setRequired(true).addChoices(...QUOTA_PERIODS.map(periodChoice)))
      .addIntegerOption((o) => named(o, 'per_user', 'opt.per_user').setMinValue(INT_BOUNDS.per_user.min).setMaxValue(INT_BOUNDS.per_user.max))
      .addIntegerOption((o) =>
        named(o, 'max_concurrent', 'opt.max_concurrent').setMinValue(INT_BOUNDS.max_concurrent.min).setMaxValue(INT_BOUNDS.max_concurrent.max),
      ),
  )
  .addSubcommand((s) => named(s, 'show', 'cmd.quota.show'))
  .addSubcommand((s) => named(s, 'reset', 'cmd.quota.reset').addUserOption((o) => named(o, 'user', 'opt.user')))
  .addSubcommand((s) =>
    named(s, 'role', 'cmd.quota.role')
      .addRoleOption((o) => named(o, 'role', 'opt.role').setRequired(true))
      .addIntegerOption((o) => named(o, 'per_user', 'opt.role_per_user').setRequired(true).setMinValue(INT_BOUNDS.per_user.min).setMaxValue(INT_BOUNDS.per_user.max)),
  )
  .addSubcommand((s) =>
    named(s, 'channels', 'cmd.quota.channels')
      .addStringOption((o) => named(o, 'action', 'opt.channel_action').setRequired(true).addChoices(...CHANNEL_ACTIONS.map(actionChoice)))
      .addChannelOption((o) => named(o, 'channel', 'opt.channel').addChannelTypes(...QUOTA_CHANNEL_TYPES)),
  )
  .addSubcommand((s) =>
    named(s, 'banned-words', 'cmd.quota.banned-words')
      .addStringOption((o) => named(o, 'action', 'opt.word_action').setRequired(true).addChoices(...WORD_ACTIONS.map(actionChoice)))
      .addStringOption((o) => named(o, 'word', 'opt.word').setMinLength(1).setMaxLength(POLICY_BOUNDS.bannedWordLength)),
  )
  .addSubcommand((s) =>
    named(s, 'log', 'cmd.quota.log')
      .addChannelOption((o) => named(o, 'channel', 'opt.log_channel').addChannelTypes(...QUOTA_CHANNEL_TYPES))
      .addRoleOption((o) => named(o, 'alert_role', 'opt.alert_role')),
  )
  .addSubcommand((s) =>
    named(s, 'block', 'cmd.quota.block')
      .addUserOption((o) => named(o, 'member', 'opt.member').setRequired(true))
      .addStringOption((o) => named(o, 'reason', 'opt.reason').setMaxLength(POLICY_BOUNDS.blockReasonLength)),
  )
  .addSubcommand((s) => named(s, 'unblock', 'cmd.quota.unblock').addUserOption((o) => named(o, 'member', 'opt.member').setRequired(true)))
  .addSubcommand((s) =>
    named(s, 'export', 'cmd.quota.export').addStringOption((o) => named(o, 'period', 'opt.export_period').addChoices(...EXPORT_PERIODS.map(exportChoice))),
  );

/** A private answer: embeds, and a file for `show` (the chart) and `export` (the CSV). */
interface Answer {
  content?: string;
  embeds?: APIEmbed[];
  files?: AttachmentBuilder[];
}

const answer = (interaction: ChatInputCommandInteraction, payload: Answer) => interaction.reply({ ...payload, flags: MessageFlags.Ephemeral });

/** Calls the quota service for one action and renders its result in the admin's language. */
async function run(action: QuotaAction, guildId: string, interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<Answer> {
  const result = await runEmbed(action, guildId, interaction, ctx);
  return isAnswer(result) ? result : { embeds: [result] };
}

// Only the answers with a file (show, export) are built whole; the rest are one embed.
const isAnswer = (value: APIEmbed | Answer): value is Answer => 'files' in value;

async function runEmbed(action: QuotaAction, guildId: string, interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<APIEmbed | Answer> {
  const { locale } = interaction;
  const q = ctx.quota;
  const actor = interaction.user.id;
  const changed = (result: PolicyChangeResult, render: (r: Extract<PolicyChangeResult, { ok: true }>) => APIEmbed): APIEmbed => {
    if (!result.ok) return changeRefusalEmbed(result, locale);
    // Who changed what, for the operator: admins may ask why their budget moved.
    if (result.changed) ctx.logger.info({ guildId, userId: interaction.user.id, action }, 'quota policy changed');
    return render(result);
  };
  switch (action.sub) {
    case 'set': {
      const { limit, period, perUser, maxConcurrent } = action;
      const patch = { limit, period, ...(perUser !== null && { perUser }), ...(maxConcurrent !== null && { maxConcurrent }) };
      return changed(await q.setPolicy(guildId, patch, actor), (r) => policySavedEmbed(r.policy, r.changed, locale));
    }
    case 'show': {
      const [policy, standing, spenders, timeline, logFailure] = await Promise.all([
        q.getPolicy(guildId),
        q.memberStanding(guildId, interaction.user.id, memberRoleIds(interaction)),
        q.topSpenders(guildId, 5),
        q.spendTimeline(guildId),
        ctx.adminLog.health(guildId),
      ]);
      const ceiling = ctx.config.quota.globalLimit;
      const global = ceiling === undefined ? null : { limit: ceiling, resetsAt: periodEnd('day', ctx.clock()) };
      const names = await displayNames(interaction, topMembers(timeline));
      return {
        embeds: [quotaShowEmbed({ policy, standing, spenders, global, logFailure: logFailure ?? null }, locale)],
        files: [usageChartAttachment(timeline, { kind: 'guild', names }, locale)],
      };
    }
    case 'log': {
      const log = action.channelId === null ? null : { channelId: action.channelId, alertRoleId: action.alertRoleId, locale };
      const result = await q.setLogChannel(guildId, log, actor);
      if (!result.ok) return changeRefusalEmbed(result, locale);
      // The first entry is posted now: wait for it briefly, so a channel the bot cannot write to is reported at once.
      await ctx.adminLog.idle(guildId);
      const failure = log ? await ctx.adminLog.health(guildId) : undefined;
      return logChannelEmbed(result.policy.log, failure?.channelId === log?.channelId ? failure : undefined, locale);
    }
    case 'block': {
      const result = await q.blockMember(guildId, action.userId, action.reason, actor);
      return result.ok ? blockEmbed(action.userId, result.changed, locale) : changeRefusalEmbed(result, locale);
    }
    case 'unblock': {
      const result = await q.unblockMember(guildId, action.userId, actor);
      return result.ok ? unblockEmbed(action.userId, result.changed, locale) : changeRefusalEmbed(result, locale);
    }
    case 'export': {
      const ledger = await q.periodLedger(guildId, action.period);
      const csv = Buffer.from(ledgerCsv(ledger.entries), 'utf8');
      // Discord refuses a file over the server's upload limit; say so rather than fail.
      const limit = interaction.attachmentSizeLimit ?? DEFAULT_UPLOAD_LIMIT;
      if (csv.length > limit) return exportTooLargeEmbed(csv.length, limit, locale);
      return {
        embeds: [exportEmbed(ledger, locale)],
        files: [new AttachmentBuilder(csv, { name: exportFilename(guildId, ledger.start) })],
      };
    }
    case 'reset': {
      // A slot held for a job that already ended (or vanished) is settled first, so a reset never keeps it.
      await ctx.jobs.reconcile(guildId).catch((err: unknown) => ctx.logger.warn({ err, guildId }, 'could not reconcile reservations before the reset'));
      const result = await q.resetUsage(guildId, action.userId ?? undefined, actor);
      ctx.logger.info({ guildId, userId: interaction.user.id, action, credits: result.credits }, 'quota usage reset');
      return resetEmbed(action.userId, result.credits, locale);
    }
    case 'role':
      return changed(await q.setRoleOverride(guildId, action.roleId, action.perUser, actor), (r) => roleOverrideEmbed(action.roleId, r.policy, locale));
    case 'channels': {
      const channelId = action.action === 'add' || action.action === 'remove' ? action.channelId : null;
      return changed(await changeChannels(q, guildId, action, actor), (r) => channelsEmbed(action.action, channelId, r.policy, r.changed, locale));
    }
    case 'banned-words': {
      const word = action.action === 'list' ? null : action.word;
      return changed(await changeWords(q, guildId, action, actor), (r) => bannedWordsEmbed(action.action, word, r.policy, r.changed, locale));
    }
  }
}

// Listing changes nothing; it answers like a change that found the policy already so.
const unchanged = async (q: QuotaService, guildId: string): Promise<PolicyChangeResult> => ({ ok: true, policy: await q.getPolicy(guildId), changed: false });

function changeChannels(q: QuotaService, guildId: string, action: Extract<QuotaAction, { sub: 'channels' }>, actor: string): Promise<PolicyChangeResult> {
  switch (action.action) {
    case 'add':
      return q.addChannel(guildId, action.channelId, actor);
    case 'remove':
      return q.removeChannel(guildId, action.channelId, actor);
    case 'clear':
      return q.setChannels(guildId, [], actor);
    case 'list':
      return unchanged(q, guildId);
  }
}

function changeWords(q: QuotaService, guildId: string, action: Extract<QuotaAction, { sub: 'banned-words' }>, actor: string): Promise<PolicyChangeResult> {
  switch (action.action) {
    case 'add':
      return q.addBannedWord(guildId, action.word, actor);
    case 'remove':
      return q.removeBannedWord(guildId, action.word, actor);
    case 'list':
      return unchanged(q, guildId);
  }
}

export default {
  data: data.toJSON(),
  firstAnswer: 'private',
  /** `/quota`: server managers only, every answer ephemeral. */
  async execute(interaction, ctx) {
    const guildId = installedGuildId(interaction);
    if (!guildId) {
      await answer(interaction, { content: translatorFor(interaction.locale)('error.guild_only') });
      return;
    }
    // default_member_permissions is only a default: admins can grant the command to anyone.
    if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
      await answer(interaction, { embeds: [notAdminEmbed(interaction.locale)] });
      return;
    }
    const read = readQuotaOptions(interaction);
    if (!read.ok) {
      await answer(interaction, { embeds: [optionProblemsEmbed(read.problems, interaction.locale)] });
      return;
    }
    await answer(interaction, await run(read.action, guildId, interaction, ctx));
  },
} satisfies Command;
